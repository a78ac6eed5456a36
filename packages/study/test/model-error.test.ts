import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findValidationPage, parseMarkdownTables, readModelError } from '../src/validation/model-error.js';

describe('the model error read from docs/validation.md', () => {
  it('parses markdown tables by header, per section', () => {
    const rows = parseMarkdownTables(['## A', '', '| x | model/measured |', '|---|---|', '| a | 1.1 |', '', '## B', '| x | y |', '|---|---|', '| b | 2 |'].join('\n'));
    expect(rows).toEqual([
      { section: 'A', cells: { x: 'a', 'model/measured': '1.1' } },
      { section: 'B', cells: { x: 'b', y: '2' } },
    ]);
  });

  it('finds the checkout page and groups asserted rows by section and architecture', () => {
    const page = findValidationPage(fileURLToPath(new URL('.', import.meta.url)));
    expect(page).toBeDefined();
    const error = readModelError(page!);
    expect(error.collectives.all.rows).toBeGreaterThan(5);
    expect(error.training.all.rows).toBeGreaterThan(5);
    // The ratio column was read (not "measured", whose values are in the hundreds): asserted rows sit inside bands.
    for (const role of ['calibration', 'validation']) expect(error.training.byRole[role].worstAbsError).toBeLessThan(0.5);
    expect(Object.keys(error.training.byArchitecture)).toContain('ampere');
    expect(Object.keys(error.collectives.byArchitecture)).toContain('hopper');
    const sum = Object.values(error.training.byArchitecture).reduce((n, s) => n + s.rows, 0);
    expect(sum).toBe(error.training.all.rows);
  });

  it('counts every training row the page says it asserts, calibration rows apart from the others', () => {
    const page = findValidationPage(fileURLToPath(new URL('.', import.meta.url)))!;
    const text = readFileSync(page, 'utf8');
    const training = text.slice(text.indexOf('\n## Training'));
    // The page states its own count ("36 of 36 asserted rows are inside their band"): the parser must find them all.
    const asserted = Number(/(\d+) of (\d+) asserted rows/.exec(training)![2]);
    const error = readModelError(page);
    const inTraining = Object.entries(error.training.byRole).filter(([role]) => role !== 'held-out').reduce((n, [, s]) => n + s.rows, 0);
    expect(inTraining).toBe(asserted);
    expect(Object.keys(error.training.byRole)).toContain('calibration');
    const roles = Object.values(error.training.byArchitectureRole).flatMap((r) => Object.values(r));
    expect(roles.reduce((n, s) => n + s.rows, 0)).toBe(error.training.all.rows);
  });

  it('counts every held-out run the page lists, when it has the section', () => {
    const page = findValidationPage(fileURLToPath(new URL('.', import.meta.url)))!;
    const all = parseMarkdownTables(readFileSync(page, 'utf8')).find((r) => r.section.startsWith('Held-out') && r.cells.group === '**all**');
    const error = readModelError(page);
    if (!all) {
      expect(error.training.byRole['held-out']).toBeUndefined();
      return;
    }
    // The page's own total ("| **all** | 92 | …") against the rows the parser read from the per-run table.
    expect(error.training.byRole['held-out'].rows).toBe(Number(all.cells.rows));
    expect(error.training.byArchitectureRole.hopper['held-out'].rows).toBeGreaterThan(0);
    expect(error.training.byArchitecture.unknown).toBeUndefined();
  });

  it('reads a held-out section as out-of-sample training rows, with derived clusters mapped to their preset', () => {
    // The layout of the "Held-out runs" section docs/validation.md gains with the held-out runs (issue 9).
    const page = [
      '## Training',
      '',
      '| setup | source | model input | metric | measured | model | model/measured | band | role | verdict |',
      '|---|---|---|---|---|---|---|---|---|---|',
      '| a | s | m on 64 × dgx-h100: TP8 | TFLOP/s | 100 | 102 | 1.020 | ±15% | calibration | pass |',
      '| b | s | m on 64 × dgx-a100: TP8 | TFLOP/s | 100 | 110 | 1.100 | ±15% | validation | pass |',
      '',
      '### Calibration',
      '',
      '| architecture | constant | value |',
      '|---|---|---|',
      '| hopper | gemmEfficiency | 0.67 |',
      '',
      '## Held-out runs (not fitted)',
      '',
      '| group | rows | median model/measured |',
      '|---|---|---|',
      '| chip: H100 | 2 | 1.1 |',
      '',
      '| row | setup | source | model input | metric | measured | model | model/measured | fits | before | before/measured |',
      '|---|---|---|---|---|---|---|---|---|---|---|',
      '| r1 | x | s | llama3-8b on 8 × grand-teton-h100-96gb: TP1 | tokens/s/GPU | 100 | 120 | 1.20 | yes | 150 | 1.50 |',
      '| r2 | x | s | dsv3 on 2048 × deepseek-v3-h800: TP1 | tokens/s/GPU | 100 | 88 | 0.88 | no (109 of 76 GiB) | 101 | 1.01 |',
      '| r3 | x | s | m on 8 × dgx-a100: TP1 | tokens/s/GPU | 100 | 95 | 0.95 | yes | 99 | 0.99 |',
      '',
      'Cluster variants:',
      '',
      '- grand-teton-h100-96gb (from dgx-h100): Meta Grand Teton',
    ].join('\n');
    const file = join(mkdtempSync(join(tmpdir(), 'linkcap-validation-')), 'validation.md');
    writeFileSync(file, page);
    const error = readModelError(file);
    expect(error.training.all.rows).toBe(5);
    expect(error.training.byRole['held-out'].rows).toBe(3);
    expect(error.training.byArchitectureRole.hopper.calibration.rows).toBe(1);
    // grand-teton-h100-96gb is read as its preset's H100; deepseek-v3-h800 is a catalog cluster (H800).
    expect(error.training.byArchitectureRole.hopper['held-out'].rows).toBe(2);
    expect(error.training.byArchitectureRole.hopper['held-out'].worstAbsError).toBeCloseTo(0.2, 12);
    expect(error.training.byArchitectureRole.ampere['held-out'].medianAbsError).toBeCloseTo(0.05, 12);
    // The group table (no per-row ratio) and the constants table add nothing.
    expect(error.training.all.p90AbsError).toBeCloseTo(0.2, 12);
  });
});
