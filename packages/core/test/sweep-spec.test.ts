/** Sweep specs: value ranges, `where` compilation, schema errors with line and path, the published schema. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { expandAxis, parseSweepSpec, SWEEP_SPEC_SCHEMA } from '../src/index.js';
import { PROFILE_IDS } from '../src/training/profiles.js';
import { compileWhere, type FilterVariable } from '../src/sweep/expression.js';
import { FilterOp } from '../src/sweep/native-codes.js';

describe('axis values', () => {
  it('expands geometric, linear and object ranges, ends included', () => {
    expect(expandAxis('8B..1KiB x2', 'size')).toEqual([8, 16, 32, 64, 128, 256, 512, 1024]);
    expect(expandAxis('100..900 +200', 'plain')).toEqual([100, 300, 500, 700, 900]);
    expect(expandAxis('1..4', 'plain')).toEqual([1, 2, 3, 4]);
    expect(expandAxis({ from: 1, to: 100, points: 3, log: true }, 'plain')).toEqual([1, 10, 100]);
    expect(expandAxis(['1GiB', '1GB', 5], 'size')).toEqual([2 ** 30, 1e9, 5]);
    expect(expandAxis('0.1..0.3 +0.1', 'plain')).toEqual([0.1, 0.2, 0.3]);
  });

  it('explains malformed ranges', () => {
    expect(expandAxis('8B..1GB x1', 'size')).toBe('"8B..1GB x1": the factor must be > 1 (got 1)');
    expect(expandAxis('9..1', 'plain')).toBe('"9..1": the range must rise (from 9 to 1)');
    expect(expandAxis('1..1e7 +1', 'plain')).toMatch(/expands to more than 1,000,000 values/);
    expect(expandAxis('2furlongs', 'size')).toMatch(/unknown unit "furlongs"/);
  });
});

describe('where', () => {
  const variables = new Map<string, FilterVariable>([
    ['gpus', { op: FilterOp.Axis, arg: 2 }],
    ['cluster', { op: FilterOp.Axis, arg: 0, labels: ['dgx-h100', 'hgx-h800'] }],
  ]);
  it('compiles to reverse Polish notation with string axes as codes', () => {
    expect(compileWhere('gpus >= 64 && cluster != "hgx-h800"', variables)).toEqual([
      FilterOp.Axis, 2, FilterOp.Const, 64, FilterOp.Ge, 0, FilterOp.Axis, 0, FilterOp.Const, 1, FilterOp.Ne, 0, FilterOp.And, 0,
    ]);
  });
  it('names what is wrong', () => {
    expect(() => compileWhere('gpu > 2', variables)).toThrow('unknown name "gpu"; usable here: gpus, cluster');
    expect(() => compileWhere('cluster == "h100"', variables)).toThrow('"h100" is not a value of that axis (dgx-h100, hgx-h800)');
    expect(() => compileWhere('gpus > "8"', variables)).toThrow(/a string can only be compared with a string axis/);
    expect(() => compileWhere('gpus >', variables)).toThrow(/cannot parse "gpus >"/);
  });
  it('reads dotted names as one name (row fields, dotted axes)', () => {
    const dotted = new Map<string, FilterVariable>([...variables, ['model.layers', { op: FilterOp.WorkloadField, arg: 3 }], ['chip.gemmEfficiency', { op: FilterOp.Axis, arg: 4 }]]);
    expect(compileWhere('model.layers % 4 == 0 && chip.gemmEfficiency > 0.5', dotted)).toEqual([
      FilterOp.WorkloadField, 3, FilterOp.Const, 4, FilterOp.Mod, 0, FilterOp.Const, 0, FilterOp.Eq, 0,
      FilterOp.Axis, 4, FilterOp.Const, 0.5, FilterOp.Gt, 0, FilterOp.And, 0,
    ]);
    expect(() => compileWhere('model.colour > 2', dotted)).toThrow('unknown name "model.colour"; usable here: gpus, cluster, model.<field>, chip.<field>');
    expect(() => compileWhere('model["layers"] > 2', dotted)).toThrow(/only names, dotted names/);
  });
});

describe('spec schema', () => {
  it('reports every schema problem with its line and path', () => {
    const text = 'kind: collectiv\naxes:\n  gpus: [8]\nreduce:\n  - { name: x, kind: argmin, colour: red }\n';
    try {
      parseSweepSpec(text, 'bad.yaml');
      expect.fail('accepted');
    } catch (error) {
      expect((error as Error).message.split('\n')).toEqual([
        'bad.yaml:1: kind: must be one of "collective", "training"',
        'bad.yaml:5: reduce[0].colour: unknown field "colour"',
      ]);
    }
    expect(() => parseSweepSpec('kind: [', 'broken.yaml')).toThrow(/^broken.yaml:1: \(document\): not valid YAML\/JSON/);
  });

  it('is published with the package and is the one the parser uses', () => {
    const file = JSON.parse(readFileSync(new URL('../schema/sweep.schema.json', import.meta.url), 'utf8'));
    expect(file).toEqual(SWEEP_SPEC_SCHEMA);
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(pkg.files).toContain('schema');
  });

  it('lists the implementation profiles profiles.ts defines', () => {
    const schema = SWEEP_SPEC_SCHEMA as { properties: { train: { properties: { profile: { enum: string[] } } } } };
    expect(schema.properties.train.properties.profile.enum).toEqual([...PROFILE_IDS]);
  });
});
