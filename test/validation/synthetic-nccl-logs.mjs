/**
 * nccl-tests logs written by the model itself, in the text format nccl-tests' src/common.cu prints (version and
 * test lines, the "# nThread … nGpus …" header, the device list, the two-line column header, one row per size
 * with out-of-place and in-place columns, the summary lines). They are the fit fixtures with known parameters
 * (test/calibrate.test.ts) and the data of the held-out check in docs/validation.md: the times are the model's
 * for a known cluster row, times seeded log-normal noise.
 */
import { AUTO, OPS, busBandwidthFactor, emptyResult, placeRanks, selectCandidate } from '@linkcap/core';

/** nccl-tests binary of each op. */
export const TEST_NAMES = {
  'all-reduce': 'all_reduce_perf',
  'reduce-scatter': 'reduce_scatter_perf',
  'all-gather': 'all_gather_perf',
  broadcast: 'broadcast_perf',
  reduce: 'reduce_perf',
  'all-to-all': 'alltoall_perf',
  'send-recv': 'sendrecv_perf',
};

/** Small deterministic PRNG (mulberry32) and a standard normal from it. */
export function seeded(seed) {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  return { uniform, normal };
}

/** nccl-tests' time column: 2 decimals below 100 µs... as common.cu's "%7.2f"/"%7.1f"/"%7.0f". */
function formatTime(us) {
  if (us < 100) return us.toFixed(2);
  if (us < 10000) return us.toFixed(1);
  return us.toFixed(0);
}

/**
 * The text of one nccl-tests run of `op` on `nodes` × `gpusPerNode` ranks of the cluster row `params`, sizes
 * minBytes…maxBytes doubling, each time × exp(noise · N(0,1)).
 */
export function syntheticLog({ params, op, nodes, gpusPerNode, minBytes = 8, maxBytes = 8 * 2 ** 30, noise = 0.03, seed = 1, gpu = 'NVIDIA H100 80GB HBM3', graph = false }) {
  const rng = seeded(seed);
  const n = nodes * gpusPerNode;
  const opCode = OPS.indexOf(op);
  const runParams = graph ? { ...params, cudaGraph: 1 } : params;
  const placement = placeRanks(runParams, gpusPerNode, nodes);
  const out = emptyResult();
  const lines = [
    '# nccl-tests version 2.17.1 nccl-headers=22602 nccl-library=22602',
    `# Collective test starting: ${TEST_NAMES[op]}`,
    `# nThread 1 nGpus 1 minBytes ${minBytes} maxBytes ${maxBytes} step: 2(factor) warmup iters: 5 iters: 20 agg iters: 1 validation: 1 graph: ${graph ? 1 : 0}`,
    '#',
    '# Using devices',
  ];
  for (let r = 0; r < n; r += 1) {
    const host = `node${String(Math.floor(r / gpusPerNode) + 1).padStart(2, '0')}`;
    const device = r % gpusPerNode;
    lines.push(`#  Rank ${String(r).padStart(2)} Group  0 Pid ${String(4000 + r).padStart(6)} on ${host.padStart(10)} device ${String(device).padStart(2)} [0000:${(0x18 + device).toString(16).padStart(2, '0')}:00] ${gpu}`);
  }
  lines.push('#');
  lines.push('#                                                              out-of-place                       in-place          ');
  lines.push('#       size         count      type   redop    root     time   algbw   busbw #wrong     time   algbw   busbw #wrong');
  lines.push('#        (B)    (elements)                               (us)  (GB/s)  (GB/s)            (us)  (GB/s)  (GB/s)       ');
  const rooted = op === 'broadcast' || op === 'reduce';
  const redop = op === 'all-gather' || op === 'all-to-all' || op === 'broadcast' ? 'none' : 'sum';
  const factor = busBandwidthFactor(opCode, n);
  let busSum = 0;
  let rows = 0;
  for (let bytes = minBytes; bytes <= maxBytes; bytes *= 2) {
    // nccl-tests rounds sizes down to whole elements per rank for the gather/scatter tests.
    const perRank = op === 'all-gather' || op === 'reduce-scatter' || op === 'all-to-all';
    const size = perRank ? Math.floor(bytes / (4 * n)) * 4 * n : bytes;
    if (size === 0) continue;
    selectCandidate(runParams, placement, opCode, size, AUTO, AUTO, out);
    const cells = [];
    for (let k = 0; k < 2; k += 1) {
      const timeUs = out.timeS * 1e6 * Math.exp(noise * rng.normal());
      const algbw = size / (timeUs * 1e-6) / 1e9;
      cells.push(`${formatTime(timeUs).padStart(7)}  ${algbw.toFixed(2).padStart(6)}  ${(algbw * factor).toFixed(2).padStart(6)}  ${'0'.padStart(5)}`);
      if (k === 0) busSum += algbw * factor;
    }
    rows += 1;
    const count = perRank ? size / 4 / n : size / 4;
    lines.push(`${String(size).padStart(12)}  ${String(Math.floor(count)).padStart(12)}  ${'float'.padStart(8)}  ${redop.padStart(6)}  ${String(rooted ? 0 : -1).padStart(6)}  ${cells.join('  ')}`);
  }
  lines.push('# Out of bounds values : 0 OK');
  lines.push(`# Avg bus bandwidth    : ${(busSum / rows).toPrecision(6)} `);
  lines.push('#');
  lines.push(`# Collective test concluded: ${TEST_NAMES[op]}`);
  lines.push('');
  return lines.join('\n');
}
