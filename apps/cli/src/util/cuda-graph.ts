/**
 * `--cuda-graph`: price the calls as replayed from a CUDA graph (nccl-tests `-G`, frameworks that capture their
 * steps), where NCCL's per-launch base latency is not paid. It is a property of the run, so it changes the
 * resolved cluster row for this command only (ClusterParams.cudaGraph), never the catalog.
 */
import type { ResolvedCluster } from '@linkcap/core';
import type { Command } from 'commander';

export function addCudaGraphOption(command: Command): Command {
  return command.option('--cuda-graph', 'price the calls as CUDA-graph replays (no per-launch base latency; nccl-tests -G)');
}

export function withCudaGraph(cluster: ResolvedCluster, enabled: boolean | undefined): ResolvedCluster {
  if (!enabled) return cluster;
  return { ...cluster, params: { ...cluster.params, cudaGraph: 1 }, notes: [...cluster.notes, 'calls priced as CUDA-graph replays (--cuda-graph)'] };
}
