/**
 * Finds and loads the native addon. Like sharp's loader: one error that lists every path tried, why
 * each failed, and the command that builds the addon. Never builds anything itself.
 */
import { createRequire } from 'node:module';
import { CLUSTER_FIELD_COUNT, CLUSTER_FIELDS } from '../model/cluster-params.js';
import { abiTableMismatch } from './abi-tables.js';
import { NATIVE_ABI_VERSION, type NativeBinding } from './binding.js';

export class NativeLoadError extends Error {
  constructor(readonly attempts: { path: string; reason: string }[]) {
    super(
      [
        'linkcap: the native engine (linkcap_native.node) could not be loaded. Tried:',
        ...attempts.map((a) => `  - ${a.path}: ${a.reason}`),
        'Build it with `npm run build` at the repository root (or `npm run build -w @linkcap/native`;',
        'it needs cmake ≥ 3.20, a C++20 compiler and ninja or make), or set LINKCAP_NATIVE_PATH to a built',
        'linkcap_native.node. Set LINKCAP_ENGINE=reference to use the TypeScript engine without this check.',
      ].join('\n'),
    );
    this.name = 'NativeLoadError';
  }
}

function candidatePaths(require: NodeRequire): { paths: string[]; attempts: { path: string; reason: string }[] } {
  const paths: string[] = [];
  const attempts: { path: string; reason: string }[] = [];
  // An explicit path is the only one tried: a user who names a build wants that build or an error.
  const override = process.env.LINKCAP_NATIVE_PATH;
  if (override) return { paths: [override], attempts };
  try {
    const native = require('@linkcap/native') as { candidates: string[] };
    paths.push(...native.candidates);
  } catch (error) {
    attempts.push({ path: '@linkcap/native', reason: `package not found (${(error as Error).message.split('\n')[0]})` });
  }
  return { paths, attempts };
}

function checkBinding(binding: NativeBinding): string | null {
  if (binding.abiVersion !== NATIVE_ABI_VERSION) {
    return `built for ABI ${binding.abiVersion}, this package needs ${NATIVE_ABI_VERSION}: rebuild it`;
  }
  if (binding.clusterFieldCount !== CLUSTER_FIELD_COUNT) {
    return `cluster rows of ${binding.clusterFieldCount} fields, this package writes ${CLUSTER_FIELD_COUNT}: rebuild it`;
  }
  const mismatch = abiTableMismatch(binding.abiTables, { clusterFields: CLUSTER_FIELDS });
  if (mismatch !== null) return `${mismatch}: rebuild it`;
  return null;
}

/** Loads the addon from `paths` (default: $LINKCAP_NATIVE_PATH, else @linkcap/native's build) or throws NativeLoadError. */
export function loadNativeBinding(paths?: string[]): NativeBinding {
  const require = createRequire(import.meta.url);
  const found = paths ? { paths, attempts: [] } : candidatePaths(require);
  const attempts = found.attempts;
  for (const path of found.paths) {
    try {
      const binding = require(path) as NativeBinding;
      const problem = checkBinding(binding);
      if (problem === null) return binding;
      attempts.push({ path, reason: problem });
    } catch (error) {
      const message = (error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' ? 'not built' : (error as Error).message.split('\n')[0];
      attempts.push({ path, reason: message });
    }
  }
  throw new NativeLoadError(attempts);
}
