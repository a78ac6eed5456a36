/** util/values.ts: exact reading of command-line numbers, sizes and counts, and the wording of its errors. */
import { describe, expect, it } from 'vitest';
import { InputError } from '../src/util/errors.js';
import { formatLimit, parseBytes, parseCount, parseNumber, parseSizeRange, parseWholeNumber } from '../src/util/values.js';

describe('parseBytes', () => {
  it('reads bytes, decimal and binary prefixes, and bits exactly', () => {
    expect(parseBytes('8', '--bytes')).toBe(8);
    expect(parseBytes('8B', '--bytes')).toBe(8);
    expect(parseBytes(' 64 KiB ', '--bytes')).toBe(65536);
    expect(parseBytes('1MB', '--bytes')).toBe(1e6);
    expect(parseBytes('1.1MB', '--bytes')).toBe(1_100_000); // 1.1 × 1e6 in floating point is 1100000.0000000002
    expect(parseBytes('1GiB', '--bytes')).toBe(2 ** 30);
    expect(parseBytes('1e9', '--bytes')).toBe(1e9);
    expect(parseBytes('1G', '--bytes')).toBe(1e9);
    expect(parseBytes('1Gb', '--bytes')).toBe(125_000_000);
    expect(parseBytes('8kb', '--bytes')).toBe(1000);
    expect(parseBytes('1Gib', '--bytes')).toBe(2 ** 27);
    expect(parseBytes('8b', '--bytes')).toBe(1);
    expect(parseBytes('9007199254740992', '--bytes')).toBe(2 ** 53);
    expect(parseBytes('8PiB', '--bytes')).toBe(2 ** 53);
  });

  it('refuses fractions of a byte, values beyond 2^53 (without rounding) and ambiguous units, naming both limits', () => {
    const range = 'from 1 to 9,007,199,254,740,992 (2^53)';
    expect(() => parseBytes('1e-300', '--bytes')).toThrow(/"1e-300" is below the minimum$/);
    expect(() => parseBytes('0', '--bytes')).toThrow(range);
    expect(() => parseBytes('1.5', '--bytes')).toThrow('"1.5" is not a whole number of bytes');
    expect(() => parseBytes('12b', '--bytes')).toThrow('"12b" is not a whole number of bytes');
    expect(() => parseBytes('9007199254740993', '--bytes')).toThrow('"9007199254740993" is above the maximum');
    expect(() => parseBytes('8.000000000000001PiB', '--bytes')).toThrow('above the maximum');
    expect(() => parseBytes('1e400', '--bytes')).toThrow('above the maximum');
    expect(() => parseBytes('1gb', '--bytes')).toThrow('"1gb" is ambiguous: write GB for bytes or Gb for bits');
    expect(() => parseBytes('1mib', '--bytes')).toThrow('write MiB for bytes or Mib for bits');
    for (const text of ['', 'lots', 'Infinity', 'NaN', '0x10', '1,000', '1 000', '--5', '1e', '.', '1XB']) {
      expect(() => parseBytes(text, '--bytes'), text).toThrow(InputError);
    }
  });
});

describe('parseWholeNumber, parseNumber, parseCount', () => {
  it('reads whole numbers exactly within the range, naming both limits when outside', () => {
    const gpus = { min: 1, max: 2 ** 31 };
    expect(parseWholeNumber('16', '--gpus', gpus)).toBe(16);
    expect(parseWholeNumber('1e3', '--gpus', gpus)).toBe(1000);
    expect(parseWholeNumber('2147483648', '--gpus', gpus)).toBe(2 ** 31);
    expect(() => parseWholeNumber('2147483649', '--gpus', gpus)).toThrow('--gpus: expected a whole number from 1 to 2,147,483,648 (2^31); "2147483649" is above the maximum');
    expect(() => parseWholeNumber('0', '--gpus', gpus)).toThrow('"0" is below the minimum');
    expect(() => parseWholeNumber('-3', '--gpus', gpus)).toThrow('"-3" is below the minimum');
    expect(() => parseWholeNumber('2.5', '--gpus', gpus)).toThrow('"2.5" is not a whole number');
    expect(() => parseWholeNumber('eight', '--gpus', gpus)).toThrow('--gpus: expected a whole number from 1 to 2,147,483,648 (2^31), got "eight"');
  });

  it('reads real numbers within (exclusive) limits and refuses Infinity and hexadecimal', () => {
    const price = { min: 0, minExclusive: true, max: 10_000, unit: 'US$ per GPU-hour' };
    expect(parseNumber('2.5', '--price', price)).toBe(2.5);
    expect(parseNumber('1e4', '--price', price)).toBe(10_000);
    expect(() => parseNumber('0', '--price', price)).toThrow('--price: expected a number > 0 and ≤ 10,000 (US$ per GPU-hour); "0" is below the minimum');
    expect(() => parseNumber('1e308', '--price', price)).toThrow('above the maximum');
    expect(() => parseNumber('1e999', '--price', price)).toThrow('above the maximum');
    expect(() => parseNumber('-0.5', '--price', price)).toThrow('below the minimum');
    for (const text of ['Infinity', 'NaN', '0x10', '2$']) expect(() => parseNumber(text, '--price', price), text).toThrow(`got "${text}"`);
  });

  it('reads counts with decimal units exactly', () => {
    const tokens = { min: 1, max: 1e18 };
    expect(parseCount('15T', '--tokens', tokens, 'tokens')).toBe(15e12);
    expect(parseCount('300B', '--tokens', tokens)).toBe(300e9);
    expect(parseCount('4.5M', '--tokens', tokens)).toBe(4_500_000);
    expect(parseCount('1000P', '--tokens', tokens)).toBe(1e18);
    expect(() => parseCount('1e300', '--tokens', tokens, 'tokens')).toThrow('--tokens: expected a whole number of tokens from 1 to 1,000,000,000,000,000,000');
    expect(() => parseCount('0.5', '--tokens', tokens, 'tokens')).toThrow('below the minimum');
  });

  it('formats limits with thousands separators and powers of two', () => {
    expect(formatLimit(1000)).toBe('1,000');
    expect(formatLimit(2 ** 24)).toBe('16,777,216 (2^24)');
    expect(formatLimit(1e18)).toBe('1,000,000,000,000,000,000');
  });
});

describe('parseSizeRange', () => {
  it('doubles from MIN to MAX like nccl-tests, names the end that is wrong, and caps the count', () => {
    expect(parseSizeRange('8B:64B', '--sweep-bytes')).toEqual([8, 16, 32, 64]);
    expect(parseSizeRange('1KiB:4KiB:4', '--sweep-bytes')).toEqual([1024, 4096]);
    expect(() => parseSizeRange('8B:1e30', '--sweep-bytes')).toThrow(/^--sweep-bytes MAX: .*above the maximum/);
    expect(() => parseSizeRange('8B:1GiB:1', '--sweep-bytes')).toThrow(/^--sweep-bytes FACTOR: expected a number > 1/);
    expect(() => parseSizeRange('1GiB:8B', '--sweep-bytes')).toThrow('MAX (8 B) is below MIN (1073741824 B)');
    expect(() => parseSizeRange('1B:8PiB:1.001', '--sweep-bytes')).toThrow('more than 10,000 sizes');
  });
});
