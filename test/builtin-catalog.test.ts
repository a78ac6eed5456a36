/**
 * The built package's built-in catalog is the one validated at build time (packages/core/bundle-defines.ts), not
 * re-validated at each start. It must be exactly what validating the built-in JSON at run time gives: same entries,
 * same fields, same order, entries frozen alike.
 */
import { builtinCatalog, builtinCatalogCheckedAtBuild, validateBuiltinCatalog, type Catalog } from '@linkcap/core';
import { describe, expect, it } from 'vitest';

function isDeeplyFrozen(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return true;
  return Object.isFrozen(value) && Object.values(value).every(isDeeplyFrozen);
}

const frozenEntries = (catalog: Catalog) =>
  (['chips', 'clusters', 'rules'] as const).flatMap((kind) => [...catalog[kind].values()].map((entry) => isDeeplyFrozen(entry)));

describe('built-in catalog checked at build time', () => {
  it('is what the built package uses', () => {
    expect(builtinCatalogCheckedAtBuild()).toBe(true);
  });

  it('equals a run-time validation of the built-in documents, order and frozen entries included', () => {
    const atBuild = builtinCatalog();
    const atRun = validateBuiltinCatalog();
    expect(atBuild).toStrictEqual(atRun);
    for (const kind of ['chips', 'clusters', 'rules', 'sources', 'origins'] as const) {
      expect([...atBuild[kind].keys()]).toEqual([...atRun[kind].keys()]);
    }
    expect(atBuild.chips.size).toBeGreaterThan(10);
    expect(frozenEntries(atBuild)).toEqual(frozenEntries(atRun));
    expect(frozenEntries(atBuild).every(Boolean)).toBe(true);
  });

  it('hands out fresh maps: a caller adding an entry does not change the next call', () => {
    const first = builtinCatalog();
    first.clusters.delete('hgx-h800');
    expect(builtinCatalog().clusters.has('hgx-h800')).toBe(true);
  });
});
