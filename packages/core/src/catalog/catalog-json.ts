/**
 * A checked catalog as JSON text and back, so that the built-in catalog can be validated once at build time
 * (packages/core/tsup.config.ts) instead of at every start. The text holds each map as a list of [key, value]
 * pairs; reading it back freezes chip, cluster and rule entries as applyDocument({ freeze: true }) does.
 */
import type { Catalog } from './schema.js';

interface CatalogJson {
  chips: [string, unknown][];
  clusters: [string, unknown][];
  rules: [string, unknown][];
  sources: [string, unknown][];
  defaults: unknown;
  origins: [string, string][];
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value as object)) deepFreeze(child);
  }
  return value;
}

/** JSON that keeps every field of the catalog; throws if a value would not survive the round trip. */
export function catalogToJson(catalog: Catalog): string {
  const json: CatalogJson = {
    chips: [...catalog.chips],
    clusters: [...catalog.clusters],
    rules: [...catalog.rules],
    sources: [...catalog.sources],
    defaults: catalog.defaults,
    origins: [...catalog.origins],
  };
  return JSON.stringify(json, (key, value: unknown) => {
    // undefined fields, non-finite numbers and functions would come back different (or not at all).
    if (value === undefined || (typeof value === 'number' && !Number.isFinite(value)) || typeof value === 'function') {
      throw new Error(`catalogToJson: ${key || '(root)'} = ${String(value)} cannot be stored as JSON`);
    }
    return value;
  });
}

/** The catalog catalogToJson wrote, with chip, cluster and rule entries frozen. */
export function catalogFromJson(text: string): Catalog {
  const json = JSON.parse(text) as CatalogJson;
  const frozen = <T>(pairs: [string, unknown][]) => new Map(pairs.map(([key, value]) => [key, deepFreeze(value) as T]));
  return {
    chips: frozen(json.chips),
    clusters: frozen(json.clusters),
    rules: frozen(json.rules),
    sources: new Map(json.sources) as Catalog['sources'],
    defaults: json.defaults as Catalog['defaults'],
    origins: new Map(json.origins),
  };
}
