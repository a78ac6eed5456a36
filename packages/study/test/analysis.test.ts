import { builtinCatalog, findChip, findRule } from '@linkcap/core';
import { describe, expect, it } from 'vitest';
import { knee } from '../src/analysis/link-cap-line.js';
import { judgePoint } from '../src/analysis/tencent.js';
import { disagreements, judge } from '../src/analysis/verdict.js';
import { ruleLine } from '../src/controls/rule-lines.js';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { efficiencyOf, profileAliases } from '../src/analysis/profiles.js';
import { efficiencyTable, profileAxisValue, sensitivitySpec } from '../src/sweeps/sensitivity-axes.js';
import { checkSweepSpec, SpecSource } from '@linkcap/core';
import { efficiencyScales, parseSensitivity, profilesOf } from '../src/plan/sensitivity.js';
import { defaultPlanFile, loadPlan, STUDY_SWEEPS } from '../src/plan/load-plan.js';

const v = (holds: number, total: number, label = 'base') => ({ variant: { profile: 'megatron-core', efficiency: 1 }, label, base: label === 'base', value: { holds, total } });

describe('verdicts', () => {
  it('supported only when the claim holds in every case of every variant', () => {
    expect(judge([v(4, 4), v(4, 4, 'profile megatron-lm-2021')])).toBe('supported');
    expect(judge([v(2, 4), v(4, 4, 'profile megatron-lm-2021')])).toBe('partly supported');
    expect(judge([v(0, 4), v(0, 4, 'η −15%')])).toBe('not supported');
  });

  it('not decided when the variants disagree on whether the claim holds at all', () => {
    expect(judge([v(0, 4), v(1, 4, 'profile ideal')])).toBe('not decided');
    expect(judge([v(0, 0)])).toBe('not decided');
    expect(disagreements([v(0, 4), v(1, 4, 'profile ideal'), v(0, 4, 'η +15%')])).toBe('profile ideal: 1 of 4');
  });

  it('judges a claimed ratio by its effect, widened by the model error', () => {
    // Predicted 2.8–3.0×: effects 1.8–2.0, widened ±10% → 1.62–2.2, so 2.75× (effect 1.75) is consistent.
    expect(judgePoint(2.75, [2.8, 3.0], 0.1)).toBe('supported');
    // Predicted +3% to +5%: ±10% → +2.7% to +5.5%; +20% is not.
    expect(judgePoint(1.2, [1.03, 1.05], 0.1)).toBe('not supported');
    expect(judgePoint(1.2, [NaN], 0.1)).toBe('not decided');
  });
});

describe('the knee of a penalty curve', () => {
  it('is the point farthest below the chord (Kneedle)', () => {
    const xs = [100, 200, 300, 400, 500, 600, 700, 800, 900];
    const ys = xs.map((x) => 1 + 50 / x - 50 / 900); // falls steeply, then flattens
    const k = knee(xs, ys)!;
    expect(k).toBeGreaterThan(100);
    expect(k).toBeLessThan(500);
    // The knee beats its neighbours on the Kneedle score.
    const score = (x: number) => {
      const i = xs.indexOf(x);
      return 1 - (ys[i] - Math.min(...ys)) / (Math.max(...ys) - Math.min(...ys)) - (x - 100) / 800;
    };
    expect(score(k)).toBeGreaterThanOrEqual(score(k - 100));
    expect(score(k)).toBeGreaterThanOrEqual(score(k + 100));
  });

  it('is undefined on a flat curve', () => {
    expect(knee([100, 500, 900], [1.002, 1.001, 1])).toBeUndefined();
  });
});

describe('rule lines placed by the classifier', () => {
  it('puts the 2022 line where scale-up plus PCIe reaches the rule’s I/O threshold', () => {
    const catalog = builtinCatalog();
    const line = ruleLine('h100-sxm', '2022-10-07', 100, 900);
    expect(line.low.caught).toBe(false);
    expect(line.high.caught).toBe(true);
    const pcie = findChip(catalog, 'h100-sxm')!.pcieBidirGBps!.value!;
    const rule = JSON.stringify(findRule(catalog, '2022-10-07'));
    const threshold = Number(/"metric":"ioBidirGBps","op":">=","value":(\d+(?:\.\d+)?)/.exec(rule)?.[1]);
    expect(Number.isFinite(threshold)).toBe(true);
    expect(line.thresholdGBps! + pcie).toBeCloseTo(threshold, 1);
  });

  it('draws no bandwidth line for the 2023 rule, which tests compute only', () => {
    const h100 = ruleLine('h100-sxm', '2023-10-17', 100, 900);
    expect(h100.thresholdGBps).toBeNull();
    expect(h100.low.caught && h100.high.caught).toBe(true);
    const h20 = ruleLine('h20', '2023-10-17', 100, 900);
    expect(h20.thresholdGBps).toBeNull();
    expect(h20.low.caught || h20.high.caught).toBe(false);
  });
});

describe('implementation profiles as the study prices them', () => {
  const plan = parseSensitivity(
    {
      profiles: {
        base: 'megatron-core',
        vary: ['nemo', 'megatron-lm-2021', 'ideal'],
        custom: { dualpipe: { profile: 'megatron-core', overlap: { ep: 1, pp: 1 } } },
        sweeps: { 'deepseek-v3': ['dualpipe', 'megatron-core'], tencent: ['deepseek-v3', 'megatron-core'] },
      },
      efficiency: { band: 0.15 },
    },
    'plan.yaml',
  );
  const byId = (id: string) => plan.profiles.find((p) => p.id === id)!;

  it('puts each profile on the engine’s profile axis: a core profile by id, one of the plan’s own as a bundle', () => {
    expect(profileAxisValue(byId('megatron-lm-2021'))).toBe('megatron-lm-2021');
    expect(profileAxisValue(byId('dualpipe'))).toEqual({ name: 'dualpipe', profile: 'megatron-core', overlap: { ep: 1, pp: 1 } });
  });

  it('adds the profile and efficiency axes to a spec, pairs each cluster with its own chip’s η, and groups every reduction by them', () => {
    const planned = loadPlan().sweeps.tencent;
    const profiles = [byId('megatron-core'), byId('ideal')];
    const { spec } = sensitivitySpec(planned.spec, dirname(planned.file), 'tencent', profiles, efficiencyScales(plan));
    expect(spec.axes.profile).toEqual(['megatron-core', 'ideal']);
    const etas = efficiencyTable(planned.spec, dirname(planned.file));
    const a800 = etas.get('tencent-hcc-previous')!;
    const h800 = etas.get('tencent-hcc-h800-2023')!;
    expect(a800.bf16).not.toBe(h800.bf16);
    expect(spec.axes['chip.gemmEfficiency']).toEqual([a800.bf16, h800.bf16, a800.bf16 * 0.85, h800.bf16 * 0.85, a800.bf16 * 1.15, h800.bf16 * 1.15]);
    // Tencent's sweep runs FP8 too: the FP8 efficiency moves with the BF16 one, per cluster.
    const where = (spec.where as string[]).at(-1)!;
    expect(where).toContain(`(cluster == 'tencent-hcc-previous' && ((chip.gemmEfficiency == ${a800.bf16} && chip.gemmEfficiencyFp8 == ${a800.fp8})`);
    expect(where).toContain(`chip.gemmEfficiency == ${h800.bf16 * 1.15} && chip.gemmEfficiencyFp8 == ${h800.fp8 * 1.15})`);
    for (const r of spec.reduce ?? []) expect(r.by?.slice(-3)).toEqual(['profile', 'chip.gemmEfficiency', 'chip.gemmEfficiencyFp8']);
    // The engine takes the spec as it is.
    expect(() => checkSweepSpec(spec, new SpecSource('tencent (study)'))).not.toThrow();
    expect(() => sensitivitySpec({ ...planned.spec, axes: { ...planned.spec.axes, profile: ['nemo'] } }, dirname(planned.file), 'tencent', profiles, [1])).toThrow(/tencent: axes\.profile.*remove the axis/);
  });

  it('finds profiles that price exactly as an earlier one, and runs each sweep under its own list', () => {
    // NeMo's recipes and Megatron-Core share every priced field today (docs/model/training.md).
    expect(profileAliases(plan.profiles).get('nemo')).toBe('megatron-core');
    expect(profileAliases(plan.profiles).has('ideal')).toBe(false);
    expect(profilesOf(plan, 'deepseek-v3').map((p) => p.id)).toEqual(['dualpipe', 'megatron-core']);
    // A sweep may name a profile of @linkcap/core the plan's list lacks.
    expect(profilesOf(plan, 'tencent').map((p) => p.profile)).toEqual(['deepseek-v3', 'megatron-core']);
    expect(profilesOf(plan, 'cost').map((p) => p.id)).toEqual(['megatron-core', 'nemo', 'megatron-lm-2021', 'ideal']);
  });

  it('names a row’s efficiency as a multiple of its chip’s calibrated η, and drops other architectures’ values', () => {
    const scales = efficiencyScales(plan);
    expect(scales).toEqual([1, 0.85, 1.15]);
    const etas = new Map([
      ['dgx-h100', { bf16: 0.67, fp8: 0.63 }],
      ['a800-node', { bf16: 0.73, fp8: 0.5 }],
    ]);
    expect(efficiencyOf({ cluster: 'dgx-h100', 'chip.gemmEfficiency': 0.67 * 0.85 }, etas, scales)).toBe(0.85);
    expect(efficiencyOf({ cluster: 'a800-node', 'chip.gemmEfficiency': 0.73 * 1.15 }, etas, scales)).toBe(1.15);
    // A Hopper value priced on an Ampere chip (a sweep mixing the two) is no variant of the study.
    expect(efficiencyOf({ cluster: 'a800-node', 'chip.gemmEfficiency': 0.67 }, etas, scales)).toBeNaN();
    // BF16 and FP8 efficiencies move together.
    expect(efficiencyOf({ cluster: 'dgx-h100', 'chip.gemmEfficiency': 0.67, 'chip.gemmEfficiencyFp8': 0.63 * 1.15 }, etas, scales)).toBeNaN();
    expect(efficiencyOf({ cluster: 'dgx-h100', 'chip.gemmEfficiency': 0.67 * 1.15, 'chip.gemmEfficiencyFp8': 0.63 * 1.15 }, etas, scales)).toBe(1.15);
  });

  it('names the field of a bad sensitivity plan', () => {
    expect(() => parseSensitivity({ profiles: { base: 'megatron', vary: [] }, efficiency: { band: 0.1 } }, 'p.yaml')).toThrow(/p\.yaml: sensitivity\.profiles\.base.*megatron-core/);
    expect(() => parseSensitivity({ profiles: { base: 'ideal', vary: [] }, efficiency: { band: 0.7 } }, 'p.yaml')).toThrow(/sensitivity\.efficiency\.band.*from 0 to 0\.5/);
    expect(() => parseSensitivity({ profiles: { base: 'ideal', vary: [], sweeps: { cost: ['x'] } }, efficiency: { band: 0.1 } }, 'p.yaml')).toThrow(/sweeps\.cost\[0\].*neither a profile of the plan/);
  });
});

describe('the study plan', () => {
  it('parses every shipped spec with the sweep engine’s schema, and the quick overlays', () => {
    const full = loadPlan();
    const quick = loadPlan({ quick: true });
    for (const name of STUDY_SWEEPS) {
      expect(full.sweeps[name].spec.kind).toBe('training');
      expect(full.sweeps[name].skipped).toBe(false);
    }
    expect(quick.sweeps['h800-vs-h100'].spec.axes.model).toEqual(['llama3-70b', 'mixtral-8x7b']);
    // The 900 GB/s layout carried to every other bandwidth: the quick grid keeps the reductions of the bandwidths it runs.
    const carried = (p: typeof full) => (p.sweeps['link-cap-line'].spec.reduce ?? []).filter((r) => r.kind === 'carried-ratio').map((r) => r.numerator);
    expect(carried(full)).toEqual([100, 200, 300, 400, 500, 600, 700, 800]);
    expect(carried(quick)).toEqual([100, 200, 400, 600]);
  });

  it('names the plan file and the field of a mistake', () => {
    const dir = mkdtempSync(join(tmpdir(), 'linkcap-plan-'));
    const file = join(dir, 'study.yaml');
    const plan = parse(readFileSync(defaultPlanFile(), 'utf8'));
    for (const name of Object.keys(plan.sweeps)) plan.sweeps[name] = join(dirname(defaultPlanFile()), plan.sweeps[name]);
    plan.quick.cost = { axes: { colour: ['red'] } };
    writeFileSync(file, stringify(plan));
    expect(() => loadPlan({ file, quick: true })).toThrow(/study\.yaml: quick\.cost\.axes\.colour.*not an axis of cost/);
    delete plan.sweeps['fewer-chips'];
    writeFileSync(file, stringify(plan));
    expect(() => loadPlan({ file })).toThrow(/study\.yaml: sweeps\.fewer-chips.*required/);
  });
});
