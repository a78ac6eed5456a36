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
    expect(error.training.all.worstAbsError).toBeLessThan(0.5);
    expect(Object.keys(error.training.byArchitecture)).toContain('ampere');
    expect(Object.keys(error.collectives.byArchitecture)).toContain('hopper');
    const sum = Object.values(error.training.byArchitecture).reduce((n, s) => n + s.rows, 0);
    expect(sum).toBe(error.training.all.rows);
  });
});
