/** Parsing of human sizes and ranges on the command line. Sizes are bytes; K/M/G/T are decimal, Ki/Mi/Gi/Ti binary. */
import { UsageError } from './errors.js';

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  m: 1e6,
  mb: 1e6,
  g: 1e9,
  gb: 1e9,
  t: 1e12,
  tb: 1e12,
  ki: 1024,
  kib: 1024,
  mi: 1024 ** 2,
  mib: 1024 ** 2,
  gi: 1024 ** 3,
  gib: 1024 ** 3,
  ti: 1024 ** 4,
  tib: 1024 ** 4,
};

/** "1GiB" → 1073741824, "8B" → 8, "1e6" → 1000000. Throws a UsageError naming the flag. */
export function parseBytes(text: string, flag: string): number {
  const match = /^\s*([0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = match ? SIZE_UNITS[match[2].toLowerCase()] : undefined;
  if (!match || unit === undefined) {
    throw new UsageError(`${flag}: cannot read "${text}" as a size; use bytes with an optional unit (8B, 64KiB, 1MB, 1GiB, 1e9)`);
  }
  const value = Number(match[1]) * unit;
  if (!Number.isFinite(value) || value <= 0) throw new UsageError(`${flag}: size must be > 0 bytes (got "${text}")`);
  return value;
}

/** "8B:8GiB" → doubling sizes from 8 B to 8 GiB inclusive, as nccl-tests' -b/-e/-f 2. "a:b:f" sets the factor. */
export function parseSizeRange(text: string, flag: string): number[] {
  const parts = text.split(':');
  if (parts.length < 2 || parts.length > 3) {
    throw new UsageError(`${flag}: expected MIN:MAX or MIN:MAX:FACTOR (e.g. 8B:8GiB), got "${text}"`);
  }
  const min = parseBytes(parts[0], flag);
  const max = parseBytes(parts[1], flag);
  const factor = parts.length === 3 ? Number(parts[2]) : 2;
  if (!(factor > 1) || !Number.isFinite(factor)) throw new UsageError(`${flag}: factor must be a number > 1 (got "${parts[2]}")`);
  if (max < min) throw new UsageError(`${flag}: MAX (${max} B) is below MIN (${min} B)`);
  const sizes: number[] = [];
  for (let size = min; size <= max * (1 + 1e-12); size *= factor) {
    sizes.push(Math.round(size));
    if (sizes.length > 10_000) throw new UsageError(`${flag}: range has more than 10,000 sizes; raise the factor`);
  }
  return sizes;
}

/** A positive integer flag, e.g. --gpus 16. */
export function parsePositiveInt(text: string, flag: string): number {
  const value = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(value) || value < 1) {
    throw new UsageError(`${flag}: expected a whole number ≥ 1, got "${text}"`);
  }
  return value;
}

/** Formats bytes the way nccl-tests prints sizes (plain integer) or humanly (1 GiB). */
export function formatBytesHuman(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${Number.isInteger(value) ? value : value.toFixed(2)} ${units[unit]}`;
}
