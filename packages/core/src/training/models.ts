/**
 * Model presets (packages/core/catalog/models.json, bundled) and user models from YAML/JSON. A user file
 * holds one model (the WorkloadSpec fields) or `{ models: [ … ] }`; errors name the file and the field.
 */
import { existsSync } from 'node:fs';
import type * as YamlModule from 'yaml';
import { lazyRequire } from '../files/lazy-require.js';
import { readTextFile } from '../files/read-text.js';
import modelsJson from '../../catalog/models.json';
import { LinkcapInputError } from '../validate/errors.js';
import { normaliseWorkload, type Workload, type WorkloadSpec } from './workload.js';

interface ModelsFile {
  sources: Record<string, string>;
  models: (WorkloadSpec & { fieldSources?: Record<string, string>; notes?: string })[];
}

/** Loaded on the first model file: commands that read none skip its start-up cost. */
const yaml = lazyRequire<typeof YamlModule>('yaml');

const presetFile = modelsJson as unknown as ModelsFile;

/** Source keys of the presets and the references they stand for. */
export const MODEL_SOURCES: Readonly<Record<string, string>> = presetFile.sources;

/** Normalised presets by id, filled on first use of each: a command that trains one model checks only that one. */
const presets = new Map<string, Workload>();

function preset(id: string): Workload | undefined {
  let workload = presets.get(id);
  if (workload === undefined) {
    const spec = presetFile.models.find((model) => model.id === id);
    if (spec === undefined) return undefined;
    workload = normaliseWorkload(spec, `models.json ${spec.id}`);
    presets.set(id, workload);
  }
  return workload;
}

function presetIds(): string[] {
  return presetFile.models.map((model) => model.id!);
}

/** Every preset model, in catalog order. */
export function listModels(): Workload[] {
  return presetIds().map((id) => preset(id)!);
}

/** Parses YAML or JSON text holding one model or `{ models: [...] }`. */
export function parseModels(text: string, label = 'model file'): Workload[] {
  let data: unknown;
  try {
    data = yaml().parse(text);
  } catch (error) {
    throw new LinkcapInputError(label, `cannot parse as YAML/JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (data === null || typeof data !== 'object') throw new LinkcapInputError(label, 'must hold a model object or { models: [ … ] }');
  const list = Array.isArray((data as { models?: unknown }).models) ? ((data as { models: unknown[] }).models as unknown[]) : [data];
  return list.map((spec, i) => normaliseWorkload(spec, list.length === 1 ? label : `${label} models[${i}]`));
}

/**
 * A preset id (see `linkcap models`), a path to a YAML/JSON model file, or a model object. Files holding
 * several models need `file.yaml#id`.
 */
export function resolveModel(ref: string | WorkloadSpec | Workload): Workload {
  if (typeof ref === 'object' && ref !== null) {
    if ('row' in ref && ref.row instanceof Float64Array) return ref as Workload;
    return normaliseWorkload(ref, 'model');
  }
  if (typeof ref !== 'string' || ref.length === 0) throw new LinkcapInputError('model', 'must be a preset id, a YAML/JSON file or a model object');
  const found = preset(ref);
  if (found) return found;
  const [path, wanted] = ref.split('#');
  if (!existsSync(path)) {
    throw new LinkcapInputError('model', `"${ref}": not a preset (${presetIds().join(', ')}) and no such file`);
  }
  const models = parseModels(readTextFile(path, { what: 'model file' }), path);
  if (wanted !== undefined) {
    const found = models.find((model) => model.id === wanted);
    if (!found) throw new LinkcapInputError('model', `"${wanted}": no model with that id in ${path} (${models.map((m) => m.id).join(', ')})`);
    return found;
  }
  if (models.length > 1) throw new LinkcapInputError('model', `${path} holds ${models.length} models; pick one with ${path}#id`);
  return models[0];
}
