/**
 * The native SweepEngine refuses malformed plans, buffers and saved states with an error that names the field,
 * and never crashes the process: hostile strides, lengths, codes, filters, reductions and truncated states.
 */
import { buildSweepPlan, loadNativeBinding, parseSweepSpec, type NativePlan } from '@linkcap/core';
import { describe, expect, it } from 'vitest';

type Engine = {
  runWindow(b: number, e: number, c: unknown, t: number): { rows: number };
  runWindowAsync(b: number, e: number, c: unknown, t: number, f: unknown, p: unknown): Promise<void>;
  loadState(s: unknown): void;
  saveState(): Uint8Array;
  describe(ids: unknown, c: unknown, moveAxis?: number, moveDigit?: number): void;
};
const { SweepEngine } = loadNativeBinding() as unknown as { SweepEngine: new (plan: unknown) => Engine };

function plan(): NativePlan {
  const { spec } = parseSweepSpec(`kind: collective
axes:
  cluster: [dgx-h100]
  op: [all-reduce]
  gpus: [8, 16]
  bytes: [1024, 1048576]
reduce:
  - { name: q, kind: quantiles, metric: timeS }
  - { name: b, kind: argmin, metric: timeS, by: [gpus] }
`);
  return buildSweepPlan(spec).native;
}

const bad = (mutate: (p: NativePlan & Record<string, unknown>) => void): string => {
  const p = plan() as NativePlan & Record<string, unknown>;
  mutate(p);
  try {
    new SweepEngine(p);
  } catch (error) {
    return (error as Error).message;
  }
  return 'accepted';
};

describe('SweepEngine with hostile input', () => {
  it('refuses malformed plans, naming what is wrong', () => {
    expect(bad((p) => (p.axes[0].arg = 2 ** 62))).toMatch(/axes\[0\]\.arg = .*: a row stride must be from 0 to 2\^32/);
    expect(
      bad((p) => {
        p.axes[0].values = Float64Array.of(0, 1);
        p.axes[0].arg = 5;
      }),
    ).toMatch(/cluster axes index past the 1 cluster rows/);
    expect(bad((p) => (p.axes[1].values = Float64Array.of(9)))).toMatch(/axes\[1\]\.values\[0\] = 9: must be an op code 0\.\.6/);
    expect(bad((p) => (p.axes[3].values = Float64Array.of(NaN)))).toMatch(/must be a finite number of bytes > 0/);
    expect(bad((p) => (p.axes[2].values = new Float64Array(0)))).toMatch(/axes\[2\]: has no values/);
    expect(bad((p) => ((p.axes[2] as { target: number }).target = 99))).toMatch(/target must be 0\.\.10/);
    expect(bad((p) => (p.axes = [] as never))).toMatch(/at least one axis/);
    expect(bad((p) => (p.clusters = new Float64Array(3)))).toMatch(/clusters/);
    expect(bad((p) => (p.columns = Int32Array.of(0, 77, 0)))).toMatch(/columns\[0\]: no such axis/);
    expect(bad((p) => (p.columns = Int32Array.of(2, 1000, 0)))).toMatch(/columns\[0\]: no such metric/);
    expect(bad((p) => (p.filter = Float64Array.of(3, 0)))).toMatch(/filter\[0\]: stack underflow/);
    expect(bad((p) => (p.filter = Float64Array.of(1, 40)))).toMatch(/filter\[0\]: no such axis/);
    expect(bad((p) => (p.filter = Float64Array.of(0, 1, 0, 2)))).toMatch(/filter: must leave exactly one value/);
    expect(bad((p) => (p.reductions[1].by = [12]))).toMatch(/reductions\[1\]\.by: no such axis/);
    expect(bad((p) => (p.reductions[0].alpha = 0.5))).toMatch(/relativeError = 0\.5: must be from 0\.0001 to 0\.2/);
    expect(bad((p) => (p.reductions[0].kind = 42))).toMatch(/kind must be 0\.\.10/);
    // Bundle axes are for training; row-field filters must name a field the kind's rows have.
    expect(bad((p) => ((p.axes[2] as { target: number }).target = 10))).toMatch(/bundle axes are for training sweeps/);
    expect(bad((p) => (p.filter = Float64Array.of(18, 0)))).toMatch(/filter\[0\]: no such model field/);
    expect(bad((p) => (p.filter = Float64Array.of(20, 16)))).toMatch(/filter\[0\]: no such cluster field/);
    expect(bad((p) => (p.filter = Float64Array.of(20, 0.5)))).toMatch(/filter\[0\]: no such cluster field/);
    expect(bad((p) => (p.bundles = [{ fields: Int32Array.of(3), late: new Uint8Array(2), table: Float64Array.of(1) }] as never))).toMatch(/late flag per field/);
    expect(bad((p) => (p.reductions[0] = { kind: 6, metrics: [0], axis: 2, numerator: 0, denominator: 0 }))).toMatch(/numerator and denominator must be two values/);
    expect(bad((p) => (p.axes[0].values = 'x' as never))).toMatch(/plan\.axes\[0\]\.values/);
  });

  it('refuses buffers of the wrong type or length, and non-shared buffers for asynchronous windows', async () => {
    const engine = new SweepEngine(plan());
    const small = [new Uint32Array(1), new Uint32Array(1), new Int32Array(1), new Float64Array(1), new Float64Array(1), new Float64Array(1), new Float64Array(1), new Uint32Array(1), new Uint32Array(1), new Uint8Array(1)];
    expect(() => engine.runWindow(0, 4, small, 1)).toThrow(/holds 1 elements, the window needs 4/);
    expect(() => engine.runWindow(0, 4, [new Float64Array(4)], 1)).toThrow(/columns: expected 10 buffers/);
    const plain = small.map((a) => new (a.constructor as new (n: number) => unknown)(4));
    await expect(engine.runWindowAsync(0, 4, plain, 1, undefined, undefined)).rejects.toThrow(/SharedArrayBuffer/);
    expect(engine.runWindow(0, 4, plain, 1).rows).toBe(4);
  });

  it('refuses truncated, foreign and tampered saved states without crashing', () => {
    const engine = new SweepEngine(plan());
    engine.runWindow(0, 4, null, 1);
    const state = engine.saveState();
    const other = new SweepEngine(plan());
    other.loadState(state);
    expect(() => other.loadState(state.subarray(0, state.length - 3))).toThrow(/sweep state: .*truncated/);
    expect(() => other.loadState(new Uint8Array(64))).toThrow(/not a linkcap sweep state/);
    const tampered = state.slice();
    new DataView(tampered.buffer).setBigUint64(8, 5n, true); // outer count
    expect(() => other.loadState(tampered)).toThrow(/another sweep/);
    for (let i = 0; i < 200; i += 1) {
      const noisy = state.slice();
      noisy[40 + ((i * 7919) % (noisy.length - 40))] ^= 0xff;
      try {
        other.loadState(noisy);
      } catch (error) {
        expect((error as Error).message).toMatch(/sweep state|length|alloc/);
      }
    }
    expect(() => other.describe(Float64Array.of(-1, 2 ** 60, NaN), [])).toThrow(/columns: expected 10 buffers/);
    const buffers = [new Uint32Array(1), new Uint32Array(1), new Int32Array(1), new Float64Array(1), new Float64Array(1), new Float64Array(1), new Float64Array(1), new Uint32Array(1), new Uint32Array(1), new Uint8Array(1)];
    expect(() => other.describe(Float64Array.of(0), buffers, 9, 0)).toThrow(/moved axis and digit must exist/);
    expect(() => other.describe(Float64Array.of(0), buffers, 0, 5)).toThrow(/moved axis and digit must exist/);
  });
});
