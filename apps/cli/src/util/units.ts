/** Formatting of sizes. Parsing of sizes and numbers lives in values.ts (re-exported here for older imports). */
import { LIMITS, parseWholeNumber } from './values.js';

export { parseBytes, parseSizeRange, MAX_BYTES } from './values.js';

/** A whole number ≥ 1 (up to 2^31), e.g. --gpus 16. Prefer parseWholeNumber with the option's own range. */
export function parsePositiveInt(text: string, flag: string): number {
  return parseWholeNumber(text, flag, { min: 1, max: LIMITS.trainingGpus.max });
}

/** Formats bytes humanly (1 GiB, 1.50 KiB, 8 B). */
export function formatBytesHuman(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${Number.isInteger(value) ? value : value.toFixed(2)} ${units[unit]}`;
}
