/**
 * Every value typed on the command line is read here, so that all commands accept the same spellings and refuse
 * the same way: an InputError (exit 1) naming the option, the allowed range with both limits, and what was typed.
 *
 * Numbers are read exactly (as decimal text, not through floating point) wherever the result must be a whole
 * number: "9007199254740993" is refused as above the limit instead of being rounded to 2^53, "0.5B" is refused as
 * half a byte, and "1.1MB" is exactly 1,100,000 bytes.
 *
 * Sizes: B = bytes and b = bits (SI and IEC usage: 1Gb = 10^9 bits = 125,000,000 bytes); k/K, M, G, T, P are
 * decimal (1e3 …), Ki, Mi, Gi, Ti, Pi binary (1024 …); a size without a unit is bytes. Bits need the prefix in SI
 * case (kb, Mb, Gb, Gib): "1gb" or "1mb" is refused as ambiguous rather than guessed. A size must come to a whole
 * number of bytes ≥ 1.
 * Counts (tokens): K, M, B or G (billion), T, P, decimal.
 */
import { InputError } from './errors.js';

/** A number from the command line in exact decimal form: value = (negative ? -1 : 1) × digits × 10^exponent. */
interface Decimal {
  negative: boolean;
  /** Significant digits without leading or trailing zeros; '' for zero. */
  digits: string;
  exponent: number;
}

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i;

function readDecimal(text: string): Decimal | undefined {
  const match = DECIMAL.exec(text);
  if (!match || (match[2] === '' && (match[3] ?? '') === '')) return undefined;
  const fraction = match[3] ?? '';
  const all = `${match[2]}${fraction}`.replace(/^0+/, '');
  const digits = all.replace(/0+$/, '');
  const exponent = (match[4] ? Number(match[4]) : 0) - fraction.length + (all.length - digits.length);
  if (!Number.isSafeInteger(exponent)) return undefined;
  return { negative: match[1] === '-', digits, exponent };
}

/**
 * digits × 10^exponent × multiplier / divisor as an exact whole number, or why not. Values beyond 10^40 are 'huge'
 * (no limit of linkcap comes near), non-zero values below one are 'fraction'.
 */
function exactWhole(d: Decimal, multiplier: bigint, divisor: bigint): bigint | 'huge' | 'fraction' {
  if (d.digits === '') return 0n;
  const order = d.digits.length + d.exponent;
  if (order > 40) return 'huge';
  if (order < -40) return 'fraction';
  let numerator = BigInt(d.digits) * multiplier;
  let denominator = divisor;
  if (d.exponent >= 0) numerator *= 10n ** BigInt(d.exponent);
  else denominator *= 10n ** BigInt(-d.exponent);
  if (numerator % denominator !== 0n) return 'fraction';
  return numerator / denominator;
}

/** 2147483648 → "2,147,483,648 (2^31)"; 1000 → "1,000". */
export function formatLimit(value: number): string {
  const text = Number.isInteger(value) && Math.abs(value) < 1e21 ? value.toLocaleString('en-US') : String(value);
  const power = Math.log2(value);
  return Number.isInteger(power) && power >= 20 ? `${text} (2^${power})` : text;
}

/** What the user typed, quoted, shortened when it is very long. */
function typed(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}…` : text);
}

export interface WholeRange {
  min: number;
  max: number;
}

function wholeRangeText(range: WholeRange, unit = ''): string {
  return `a whole number${unit} from ${formatLimit(range.min)} to ${formatLimit(range.max)}`;
}

/** The value's approximate size, for telling "below the minimum" from "not whole". */
function approximate(d: Decimal, multiplier: bigint, divisor: bigint): number {
  if (d.digits === '') return 0;
  const value = (Number(`${d.digits}e${d.exponent}`) * Number(multiplier)) / Number(divisor);
  return d.negative ? -value : value;
}

function checkWhole(d: Decimal, multiplier: bigint, divisor: bigint, text: string, flag: string, range: WholeRange, unit = '', hint = ''): number {
  // The message is built only on failure: toLocaleString's first call costs ~10 ms of start-up (ICU).
  const fail = (why: string) => new InputError(`${flag}: expected ${wholeRangeText(range, unit)}${hint}; ${typed(text)} ${why}`);
  const value = exactWhole(d, multiplier, divisor);
  const approx = approximate(d, multiplier, divisor);
  if (value === 'huge' || approx > range.max) throw fail('is above the maximum');
  if (approx < range.min) throw fail('is below the minimum');
  if (value === 'fraction') throw fail(`is not a whole number${unit}`);
  const signed = d.negative ? -value : value;
  // The exact comparison catches what the approximation rounds away (2^53 + 1 against 2^53).
  if (signed > BigInt(range.max)) throw fail('is above the maximum');
  if (signed < BigInt(range.min)) throw fail('is below the minimum');
  return Number(signed);
}

/** A whole number such as --gpus 16 or --top 5 (1e3 is accepted; 2.5 and 2^31 + 1 are not). */
export function parseWholeNumber(text: string, flag: string, range: WholeRange): number {
  const d = readDecimal(text.trim());
  if (!d) throw new InputError(`${flag}: expected ${wholeRangeText(range)}, got ${typed(text)}`);
  return checkWhole(d, 1n, 1n, text, flag, range);
}

export interface NumberRange {
  /** Lower limit; exclusive when minExclusive (a rate must be > 0). */
  min: number;
  minExclusive?: boolean;
  max: number;
  /** Unit for the message, e.g. "GB/s bidirectional". */
  unit?: string;
}

function numberRangeText(range: NumberRange): string {
  const low = range.minExclusive ? `> ${formatLimit(range.min)}` : `≥ ${formatLimit(range.min)}`;
  return `a number ${low} and ≤ ${formatLimit(range.max)}${range.unit ? ` (${range.unit})` : ''}`;
}

/** A real number such as --price 2.5 or --scale-up 400, with both limits. "Infinity", "NaN" and "0x10" are refused. */
export function parseNumber(text: string, flag: string, range: NumberRange): number {
  const trimmed = text.trim();
  const d = readDecimal(trimmed);
  const fail = (why: string) => new InputError(`${flag}: expected ${numberRangeText(range)}${why}`);
  if (!d) throw fail(`, got ${typed(text)}`);
  const value = Number(trimmed);
  const order = d.digits === '' ? -Infinity : d.digits.length + d.exponent;
  if (order > 400 || value > range.max) throw fail(`; ${typed(text)} is above the maximum`);
  if (value < range.min || (range.minExclusive && !(value > range.min)) || (d.negative && d.digits !== '' && range.min >= 0)) {
    throw fail(`; ${typed(text)} is below the minimum`);
  }
  return value;
}

/** A fraction such as --overlap-tp 0.5: from 0 to `max` inclusive. */
export function parseFraction(text: string, flag: string, max = 1): number {
  return parseNumber(text, flag, { min: 0, max });
}

/** One of a fixed list of words. */
export function parseChoice<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) throw new InputError(`${flag}: "${value}" must be one of ${allowed.join(', ')}`);
  return value as T;
}

/** Largest message size: 2^53 bytes (8 PiB), where byte counts stop being exact doubles; the model's limit too. */
export const MAX_BYTES = 2 ** 53;

const DECIMAL_PREFIX: Record<string, bigint> = { '': 1n, k: 10n ** 3n, m: 10n ** 6n, g: 10n ** 9n, t: 10n ** 12n, p: 10n ** 15n };
const BINARY_PREFIX: Record<string, bigint> = { k: 1024n, m: 1024n ** 2n, g: 1024n ** 3n, t: 1024n ** 4n, p: 1024n ** 5n };
const SIZE = /^(.*?)\s*([kmgtp]?)(i?)(B|b)?$/i;
const SIZE_HINT = ', with an optional unit: 8B, 64KiB, 1MB, 1GiB, 1e9 (B = bytes, b = bits: 1Gb = 125,000,000 B)';

/**
 * A size in whole bytes, e.g. "8B", "64KiB", "1MB", "1GiB", "1e9", "8Gb" (bits). Throws an InputError naming the
 * flag, the range and what was wrong (not a number, not whole bytes, out of range).
 */
export function parseBytes(text: string, flag: string, range: WholeRange = { min: 1, max: MAX_BYTES }): number {
  const match = SIZE.exec(text.trim());
  const prefix = match ? match[2].toLowerCase() : '';
  const binary = match ? match[3] !== '' : false;
  const d = match ? readDecimal(match[1]) : undefined;
  const multiplier = binary ? BINARY_PREFIX[prefix] : DECIMAL_PREFIX[prefix];
  if (!match || !d || multiplier === undefined) {
    throw new InputError(`${flag}: expected ${wholeRangeText(range, ' of bytes')}${SIZE_HINT}; got ${typed(text)}`);
  }
  const bits = match[4] === 'b';
  if (bits && /^[mgtp]$/.test(match[2])) {
    // SI writes M, G, T, P in capitals (m is milli): "1gb" is a typo for GB or Gb, and the two differ eightfold.
    const unit = `${match[2].toUpperCase()}${match[3]}`;
    throw new InputError(`${flag}: "${text.trim()}" is ambiguous: write ${unit}B for bytes or ${unit}b for bits (1${unit}b = 1${unit}B / 8)`);
  }
  return checkWhole(d, multiplier, bits ? 8n : 1n, text, flag, range, ' of bytes', SIZE_HINT);
}

/** "8B:8GiB" → doubling sizes from 8 B to 8 GiB inclusive, as nccl-tests' -b/-e/-f 2. "a:b:f" sets the factor. */
export const MAX_SWEEP_SIZES = 10_000;

export function parseSizeRange(text: string, flag: string): number[] {
  const parts = text.split(':');
  if (parts.length < 2 || parts.length > 3) {
    throw new InputError(`${flag}: expected MIN:MAX or MIN:MAX:FACTOR (e.g. 8B:8GiB), got ${typed(text)}`);
  }
  const min = parseBytes(parts[0], `${flag} MIN`);
  const max = parseBytes(parts[1], `${flag} MAX`);
  const factor = parts.length === 3 ? parseNumber(parts[2], `${flag} FACTOR`, { min: 1, minExclusive: true, max: 1024 }) : 2;
  if (max < min) throw new InputError(`${flag}: MAX (${max} B) is below MIN (${min} B)`);
  const sizes: number[] = [];
  for (let size = min; size <= max * (1 + 1e-12); size *= factor) {
    const whole = Math.min(max, Math.round(size));
    if (sizes[sizes.length - 1] !== whole) sizes.push(whole);
    if (sizes.length > MAX_SWEEP_SIZES) {
      throw new InputError(`${flag}: the range holds more than ${formatLimit(MAX_SWEEP_SIZES)} sizes; raise the factor or narrow the range`);
    }
  }
  return sizes;
}

const COUNT_PREFIX: Record<string, bigint> = { '': 1n, k: 10n ** 3n, m: 10n ** 6n, b: 10n ** 9n, g: 10n ** 9n, t: 10n ** 12n, p: 10n ** 15n };
const COUNT = /^(.*?)\s*([kmbgtp]?)$/i;

/** A count with decimal units: "15T" → 1.5e13 tokens, "300B", "4M", "2e12". Must come to a whole number. */
export function parseCount(text: string, flag: string, range: WholeRange, what = ''): number {
  const match = COUNT.exec(text.trim());
  const d = match ? readDecimal(match[1]) : undefined;
  const unit = ` of ${what || 'items'}`;
  const hint = ', with an optional decimal unit K, M, B, T, P (15T, 300B, 4M)';
  if (!match || !d) throw new InputError(`${flag}: expected ${wholeRangeText(range, what ? unit : '')}${hint}; got ${typed(text)}`);
  return checkWhole(d, COUNT_PREFIX[match[2].toLowerCase()], 1n, text, flag, range, what ? unit : '', hint);
}

/**
 * The limits of the options several commands share (README "Limits"). Each is a real bound of the model or a
 * generous multiple of anything built: a limit is there so that a typo gives an error, not a nonsense answer.
 */
export const LIMITS = {
  /** GPUs of a training job (one GPU is a valid job) and of a collective (at least two ranks). */
  trainingGpus: { min: 1, max: 2 ** 31 },
  collectiveGpus: { min: 2, max: 2 ** 31 },
  /** tp, pp, dp, cp, ep, microbatch: the training model's limit. */
  parallelSize: { min: 1, max: 2 ** 24 },
  interleave: { min: 1, max: 1024 },
  /** Layers per pipeline chunk (recomputed, offloaded): 0 to the training model's limit. */
  layerCount: { min: 0, max: 2 ** 24 },
  globalBatch: { min: 1, max: 2 ** 40 },
  batchTokens: { min: 1, max: 2 ** 50 },
  /** Tokens to train: 10^18 is 50,000 times Llama 3's 15T. */
  tokens: { min: 1, max: 1e18 },
  /** US$ per GPU-hour: cloud prices are 1–10; 10,000 leaves room for any what-if. */
  price: { min: 0, minExclusive: true, max: 10_000, unit: 'US$ per GPU-hour' },
  top: { min: 1, max: 1000 },
} as const;
