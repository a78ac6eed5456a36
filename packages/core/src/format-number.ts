/**
 * `value.toLocaleString('en-US', { maximumFractionDigits })` without Intl, whose first use loads ICU's locale data
 * (~15 ms of CPU: more than the rest of `linkcap chips` or `linkcap controls`). The same rule as ICU: start from the
 * shortest decimal that reads back as `value` (what String(value) prints), round half away from zero, drop trailing
 * zeros, group thousands with commas; the sign stays on a value that rounds to zero ("-0"). A test compares it with
 * toLocaleString.
 */
export function formatGrouped(value: number, maximumFractionDigits: number): string {
  if (Number.isNaN(value)) return 'NaN';
  const sign = value < 0 || Object.is(value, -0) ? '-' : '';
  if (!Number.isFinite(value)) return `${sign}∞`;
  // The decimal digits of |value| and how many of them stand before the point.
  const [mantissa, exponent = '0'] = Math.abs(value).toString().split('e');
  const [whole, fraction = ''] = mantissa.split('.');
  let digits = whole + fraction;
  let point = whole.length + Number(exponent);
  if (point < 0) {
    digits = '0'.repeat(-point) + digits;
    point = 0;
  }
  digits = digits.padEnd(point, '0');
  const keep = point + maximumFractionDigits;
  if (digits.length > keep) {
    const roundUp = digits[keep] >= '5';
    digits = digits.slice(0, keep);
    if (roundUp) {
      const carried = incrementDecimal(digits);
      if (carried.length > digits.length) point += 1;
      digits = carried;
    }
  }
  const integer = digits.slice(0, point).replace(/^0+(?=\d)/, '') || '0';
  const decimals = digits.slice(point).replace(/0+$/, '');
  return `${sign}${integer.replace(/\B(?=(\d{3})+$)/g, ',')}${decimals ? `.${decimals}` : ''}`;
}

/** "0999" → "1000", "999" → "1000": adds one to a string of decimal digits. */
function incrementDecimal(digits: string): string {
  let i = digits.length - 1;
  while (i >= 0 && digits[i] === '9') i -= 1;
  if (i < 0) return `1${'0'.repeat(digits.length)}`;
  return `${digits.slice(0, i)}${String(Number(digits[i]) + 1)}${'0'.repeat(digits.length - i - 1)}`;
}
