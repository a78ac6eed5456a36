/**
 * Held-out published training runs (test/validation/heldout-runs.json): runs NOT in shared/reference and never used
 * to fit a constant. They are the model's error bar, so the test asserts what is honest about them and no more:
 * every row cites where its figure was read; docs/validation.md holds the section the model produces now; the model
 * stays far better on them than the pre-fidelity model (heldout-before.json); and the wide band the data supports.
 */
import { readFileSync } from 'node:fs';
import * as core from '@linkcap/core';
import { describe, expect, it } from 'vitest';
import { HELDOUT, computeHeldoutRows, heldoutStats, renderHeldoutSection } from './validation/heldout-validation.mjs';

interface HeldoutRow {
  id: string;
  source: string;
  note: string;
  measured: number;
  ratio: number;
  feasible: boolean;
  before?: { ratio: number };
}

const rows = computeHeldoutRows(core) as HeldoutRow[];

describe('training model on held-out published runs', () => {
  it('every row cites a source with an address, states its assumptions and has a unique id', () => {
    const ids = new Set<string>();
    for (const row of rows) {
      expect(ids.has(row.id), row.id).toBe(false);
      ids.add(row.id);
      const source = HELDOUT.sources[row.source];
      expect(source, `${row.id}: source ${row.source}`).toBeDefined();
      expect(source.url).toMatch(/^https?:\/\//);
      expect(row.note.length, `${row.id}: note`).toBeGreaterThan(20);
      expect(row.measured).toBeGreaterThan(0);
    }
  });

  it('the held-out rows are not rows of the reference (shared/reference/training.md)', () => {
    const reference = JSON.parse(readFileSync(new URL('./validation/training-measurements.json', import.meta.url), 'utf8'));
    const referenceIds = new Set(reference.rows.map((row: { id: string }) => row.id));
    for (const row of rows) expect(referenceIds.has(row.id), row.id).toBe(false);
  });

  it('the model is better on them than before the fidelity work: median error and rows within ±15%', () => {
    const now = heldoutStats(rows);
    const before = heldoutStats(rows, (row: HeldoutRow) => row.before?.ratio);
    expect(now.medianError).toBeLessThan(before.medianError);
    expect(now.within15).toBeGreaterThan(before.within15);
  });

  it('wide band the data supports: median model/measured within ±15% and 85% of rows within ×1.5', () => {
    const now = heldoutStats(rows);
    expect(Math.abs(now.medianRatio - 1)).toBeLessThan(0.15);
    expect(now.within50 / now.rows).toBeGreaterThanOrEqual(0.85);
  });

  it('docs/validation.md holds the held-out section the model produces now', () => {
    const page = readFileSync(new URL('../docs/validation.md', import.meta.url), 'utf8');
    expect(page).toContain(renderHeldoutSection(rows));
  });
});
