/** format-number.ts: formatGrouped must print exactly what toLocaleString('en-US', { maximumFractionDigits }) prints. */
import { describe, expect, it } from 'vitest';
import { formatGrouped } from '../src/format-number.js';

const intl = (value: number, digits: number) => value.toLocaleString('en-US', { maximumFractionDigits: digits });

describe('formatGrouped', () => {
  it('matches toLocaleString on edge cases: ties, carries, signs, zero, tiny and huge values, non-finite', () => {
    const values = [
      0, -0, 1, -1, 0.5, 1.0005, 2.675, 1.45, 3.9585, 999.9995, 9.9995, 0.0005, -0.0001, -0.0005, 0.1 + 0.2, 1979, 989.5,
      123456789.123456, 1e21, 1.5e21, 1.5e-7, 5e-324, Number.MAX_SAFE_INTEGER, Number.MAX_VALUE, 1e-6, 999999.9996,
      NaN, Infinity, -Infinity,
    ];
    for (const digits of [0, 1, 2, 3, 6]) for (const value of values) expect(formatGrouped(value, digits), `${value} ${digits}`).toBe(intl(value, digits));
  });

  it('matches toLocaleString on 20,000 random values across magnitudes', () => {
    let seed = 12345;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 20_000; i += 1) {
      const magnitude = 10 ** Math.floor(random() * 16 - 6);
      const value = (random() - 0.3) * magnitude;
      // Values with few decimals, as catalog figures are, hit the half-way cases that separate the rounding rules.
      const rounded = i % 2 === 0 ? value : Math.round(value * 10_000) / 10_000 + (i % 4 === 1 ? 0.0005 : 0);
      const digits = i % 4;
      expect(formatGrouped(rounded, digits), `${rounded} ${digits}`).toBe(intl(rounded, digits));
    }
  });
});
