/** The user catalog file a command writes: --file, else the first existing default file, else ./linkcap.catalog.yaml. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_CATALOG_FILES } from '@linkcap/core';

export interface CatalogTarget {
  path: string;
  /** Every command reads it without --catalog (a default file of the working directory). */
  autoLoaded: boolean;
  exists: boolean;
}

export function catalogTargetFile(flag: string | undefined, cwd = process.cwd()): CatalogTarget {
  if (flag) {
    const path = resolve(cwd, flag);
    return { path, autoLoaded: DEFAULT_CATALOG_FILES.some((name) => resolve(cwd, name) === path), exists: existsSync(path) };
  }
  const existing = DEFAULT_CATALOG_FILES.map((name) => resolve(cwd, name)).find((path) => existsSync(path));
  return { path: existing ?? resolve(cwd, DEFAULT_CATALOG_FILES[0]), autoLoaded: true, exists: existing !== undefined };
}
