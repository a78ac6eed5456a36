/**
 * Axis values as written in a spec → lists: plain values, lists, and ranges
 *   "8B..8GiB x2"     geometric, ×2 each step (sizes take units: B, KB/MB/GB/TB decimal, KiB/MiB/GiB/TiB binary)
 *   "100..900 +100"   linear, +100 each step
 *   "1..8"            linear, step 1
 *   { from, to, factor | step | points, log }
 * Ranges include both ends when the steps land on them (a geometric range never overshoots `to`).
 */
import type { AxisRange, AxisScalar, AxisValues } from './spec.js';

/** Largest number of values one axis may expand to. */
export const MAX_AXIS_VALUES = 1_000_000;

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

/** Counts (tokens): K, M, B (billion), T decimal. */
const COUNT_UNITS: Record<string, number> = { '': 1, k: 1e3, m: 1e6, b: 1e9, g: 1e9, t: 1e12 };

export type NumberStyle = 'size' | 'count' | 'plain';

/** Parses one number in the given style; returns an error message instead of throwing. */
export function parseNumber(value: unknown, style: NumberStyle): number | string {
  if (typeof value === 'number') return Number.isFinite(value) ? value : `${value} is not a finite number`;
  if (typeof value !== 'string') return `${JSON.stringify(value)} is not a number`;
  const match = /^\s*([+-]?[0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)\s*([a-z]*)\s*$/i.exec(value);
  if (!match) return `"${value}" is not a number`;
  const units = style === 'size' ? SIZE_UNITS : style === 'count' ? COUNT_UNITS : { '': 1 };
  const unit = (units as Record<string, number>)[match[2].toLowerCase()];
  if (unit === undefined) {
    const allowed = style === 'size' ? 'B, KB, MB, GB, TB (decimal) or KiB, MiB, GiB, TiB (binary)' : style === 'count' ? 'K, M, B, T' : 'no unit';
    return `"${value}": unknown unit "${match[2]}" (allowed: ${allowed})`;
  }
  return Number(match[1]) * unit;
}

function rangeValues(from: number, to: number, how: { factor?: number; step?: number; points?: number; log?: boolean }): number[] | string {
  if (!(to >= from)) return `the range must rise (from ${from} to ${to})`;
  const out: number[] = [];
  const push = (v: number) => {
    out.push(v);
    return out.length <= MAX_AXIS_VALUES;
  };
  if (how.points !== undefined) {
    if (!Number.isInteger(how.points) || how.points < 2) return 'points must be a whole number ≥ 2';
    if (how.log && !(from > 0)) return 'a logarithmic range must start above 0';
    for (let i = 0; i < how.points; i += 1) {
      const t = i / (how.points - 1);
      const v = how.log ? Math.exp(Math.log(from) + t * (Math.log(to) - Math.log(from))) : from + t * (to - from);
      if (!push(i === how.points - 1 ? to : Number(v.toPrecision(15)))) break;
    }
  } else if (how.factor !== undefined) {
    if (!(how.factor > 1)) return `the factor must be > 1 (got ${how.factor})`;
    if (!(from > 0)) return 'a geometric range must start above 0';
    // Multiply exactly from the start (8 × 2^k), stop once past `to` (with a relative tolerance for 1e-9 noise).
    for (let v = from, k = 0; v <= to * (1 + 1e-12); k += 1, v = from * how.factor ** k) if (!push(Number(v.toPrecision(15)))) break;
  } else {
    const step = how.step ?? 1;
    if (!(step > 0)) return `the step must be > 0 (got ${step})`;
    for (let k = 0; from + k * step <= to + step * 1e-9; k += 1) if (!push(Number((from + k * step).toPrecision(15)))) break;
  }
  if (out.length > MAX_AXIS_VALUES) return `the range expands to more than ${MAX_AXIS_VALUES.toLocaleString('en-US')} values`;
  return out;
}

const RANGE = /^\s*(.+?)\s*\.\.\s*(.+?)\s*(?:(x|\*|\+)\s*([0-9.eE+-]+))?\s*$/;

/**
 * Expands a spec value into a list. Strings that are not ranges and not numbers stay strings (preset ids,
 * op names); numbers are parsed in `style`. Returns an error message for a malformed range.
 */
export function expandAxis(values: AxisValues, style: NumberStyle | 'text'): AxisScalar[] | string {
  if (Array.isArray(values)) {
    const out: AxisScalar[] = [];
    for (const v of values) {
      // An object inside a list is a bundle value, which only bundle axes take (bundles.ts).
      if (v !== null && typeof v === 'object') return 'a list of values (objects only on a bundle axis, such as profile)';
      const one = expandAxis(v, style);
      if (typeof one === 'string') return one;
      out.push(...one);
      if (out.length > MAX_AXIS_VALUES) return `more than ${MAX_AXIS_VALUES.toLocaleString('en-US')} values`;
    }
    return out;
  }
  if (values !== null && typeof values === 'object') {
    const range = values as AxisRange;
    if (style === 'text') return 'a range needs a numeric axis';
    const from = parseNumber(range.from, style);
    const to = parseNumber(range.to, style);
    if (typeof from === 'string') return `from: ${from}`;
    if (typeof to === 'string') return `to: ${to}`;
    return rangeValues(from, to, range);
  }
  if (typeof values === 'string' && style !== 'text') {
    const match = RANGE.exec(values);
    if (match && !/^[+-]?[0-9.]+e$/i.test(match[1])) {
      const from = parseNumber(match[1], style);
      const to = parseNumber(match[2], style);
      if (typeof from === 'string') return `"${values}": ${from}`;
      if (typeof to === 'string') return `"${values}": ${to}`;
      const amount = match[4] === undefined ? undefined : Number(match[4]);
      if (amount !== undefined && !Number.isFinite(amount)) return `"${values}": "${match[4]}" is not a number`;
      const how = match[3] === 'x' || match[3] === '*' ? { factor: amount } : { step: amount };
      const list = rangeValues(from, to, how);
      return typeof list === 'string' ? `"${values}": ${list}` : list;
    }
    const n = parseNumber(values, style);
    return typeof n === 'string' ? n : [n];
  }
  return [values];
}
