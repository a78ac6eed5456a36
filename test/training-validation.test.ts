/**
 * The training model against published end-to-end results (shared/reference/training.md): Megatron-LM 2021
 * Table 1, Korthikanti 2022 Table 5, MegaScale, LLaMA-1 (A100), Megatron-Core weak scaling and NeMo 24.07 (H100). Each row's source, assumptions and band are in
 * test/validation/training-measurements.json; the test fails when a row leaves its band and when
 * docs/validation.md no longer holds the table the model produces (regenerate with `npm run validation`).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { computeTrainingRows, renderTrainingResiduals, renderTrainingTable } from './validation/training-validation.mjs';
import type { ValidationRow } from './validation/row.js';

const rows = computeTrainingRows() as ValidationRow[];

describe('training model vs published training results', () => {
  for (const row of rows.filter((r) => r.asserted)) {
    it(`${row.id}: ${row.setup} (${row.source}) within ±${(row.tolerance.relative ?? 0) * 100}%`, () => {
      expect(row.feasible, `${row.id} does not fit in memory`).toBe(true);
      expect(row.inBand, `model ${row.model} vs measured ${row.measured} (ratio ${row.ratio})`).toBe(true);
    });
  }

  it('covers every published row of training.md', () => {
    const groups = new Map<string, number>();
    for (const row of rows) groups.set(row.group ?? "", (groups.get(row.group ?? "") ?? 0) + 1);
    expect(groups.get('Megatron-LM 2021, Table 1')).toBe(10);
    expect(groups.get('Korthikanti 2022, Table 5')).toBe(8);
    expect(groups.get("MegaScale (NSDI'24)")).toBe(1);
    expect(groups.get('LLaMA-1 (2023)')).toBe(1);
    expect(groups.get('Megatron-Core H100 weak scaling')).toBe(9);
    expect(groups.get('NeMo 24.07 H100 (FP8)')).toBe(7);
    expect(rows.every((r) => r.asserted)).toBe(true);
  });

  it('docs/validation.md holds the training table the model produces now', () => {
    const page = readFileSync(new URL('../docs/validation.md', import.meta.url), 'utf8');
    expect(page).toContain(renderTrainingTable(rows));
    expect(page).toContain(renderTrainingResiduals(rows));
  });
});
