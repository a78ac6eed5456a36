/** catalog-json.ts: a checked catalog to JSON text and back (how the build hands the built-in catalog to bundles). */
import { describe, expect, it } from 'vitest';
import { builtinCatalogCheckedAtBuild, validateBuiltinCatalog } from '../src/catalog/builtin.js';
import { catalogFromJson, catalogToJson } from '../src/catalog/catalog-json.js';
import { emptyCatalog } from '../src/catalog/merge.js';

describe('catalogToJson / catalogFromJson', () => {
  it('round-trips the built-in catalog exactly, with chip, cluster and rule entries frozen', () => {
    const catalog = validateBuiltinCatalog();
    const back = catalogFromJson(catalogToJson(catalog));
    expect(back).toStrictEqual(catalog);
    expect([...back.clusters.keys()]).toEqual([...catalog.clusters.keys()]);
    const chip = back.chips.get('h100-sxm')!;
    expect(Object.isFrozen(chip)).toBe(true);
    expect(Object.isFrozen(chip.bf16Tflops)).toBe(true);
    expect(() => ((chip as { name: string }).name = 'x')).toThrow(TypeError);
  });

  it('refuses values JSON would change: undefined fields and non-finite numbers', () => {
    const withUndefined = emptyCatalog();
    withUndefined.sources.set('x', { title: 'x', url: undefined } as never);
    expect(() => catalogToJson(withUndefined)).toThrow(/url = undefined cannot be stored as JSON/);
    const withInfinity = emptyCatalog();
    withInfinity.sources.set('x', { title: 'x', year: Infinity } as never);
    expect(() => catalogToJson(withInfinity)).toThrow(/year = Infinity/);
  });

  it('running from source, the built-in catalog is validated at run time', () => {
    expect(builtinCatalogCheckedAtBuild()).toBe(false);
  });
});
