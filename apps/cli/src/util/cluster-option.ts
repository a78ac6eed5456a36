/** Shared --cluster / --catalog / --engine handling: every command resolves clusters the same way. */
import { loadCatalog, resolveCluster, type EnginePreference, type ResolvedCluster } from '@linkcap/core';
import type { Command } from 'commander';
import { InputError, UsageError } from './errors.js';

export function addCatalogOption(command: Command): Command {
  return command.option('--catalog <files...>', 'extra catalog files (YAML/JSON) with chips and clusters; ./linkcap.catalog.yaml is read too');
}

export function addEngineOption(command: Command): Command {
  return command.option('--engine <engine>', 'auto (native if built), native or reference (TypeScript); default: $LINKCAP_ENGINE or auto');
}

/** undefined lets the package read LINKCAP_ENGINE. */
export function parseEngine(value: string | undefined): EnginePreference | undefined {
  if (value === undefined) return undefined;
  if (value === 'auto' || value === 'native' || value === 'reference') return value;
  throw new InputError(`--engine: "${value}" must be auto, native or reference`);
}

export function resolveClusterOption(ref: string | undefined, catalogFiles: string[] | undefined): ResolvedCluster {
  if (!ref) throw new UsageError('--cluster is required: a preset id (see `linkcap clusters`) or a YAML/JSON cluster file');
  const catalog = loadCatalog({ files: catalogFiles });
  return resolveCluster(ref, catalog);
}
