/** Element types as nccl-tests names them (-d), with their sizes in bytes. */
import { InputError } from './errors.js';

export const DTYPE_BYTES: Record<string, number> = {
  int8: 1,
  uint8: 1,
  fp8: 1,
  half: 2,
  bfloat16: 2,
  float: 4,
  int32: 4,
  uint32: 4,
  double: 8,
  int64: 8,
  uint64: 8,
};

export function dtypeBytes(name: string): number {
  const size = DTYPE_BYTES[name];
  if (size === undefined) throw new InputError(`--dtype: "${name}" must be one of ${Object.keys(DTYPE_BYTES).join(', ')}`);
  return size;
}
