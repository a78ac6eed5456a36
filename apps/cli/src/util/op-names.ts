/** Accepts the spellings users type for collectives: all-reduce, allreduce, all_reduce, ar, … */
import { OPS, type Op } from '@linkcap/core';
import { InputError } from './errors.js';

const ALIASES: Record<string, Op> = {
  ar: 'all-reduce',
  rs: 'reduce-scatter',
  ag: 'all-gather',
  bcast: 'broadcast',
  a2a: 'all-to-all',
  alltoall: 'all-to-all',
  sendrecv: 'send-recv',
  p2p: 'send-recv',
};

export function parseOp(text: string): Op {
  const key = text.toLowerCase().replace(/_perf$/, '').replace(/_/g, '-');
  const compact = key.replace(/-/g, '');
  const direct = OPS.find((op) => op === key || op.replace(/-/g, '') === compact);
  const op = direct ?? ALIASES[compact];
  if (!op) throw new InputError(`unknown operation "${text}"; use one of ${OPS.join(', ')}`);
  return op;
}

/** nccl-tests' redop and root columns for an op. */
export function ncclTestsRedop(op: Op): string {
  return op === 'all-reduce' || op === 'reduce-scatter' || op === 'reduce' ? 'sum' : 'none';
}

export function ncclTestsRoot(op: Op): number {
  return op === 'broadcast' || op === 'reduce' ? 0 : -1;
}
