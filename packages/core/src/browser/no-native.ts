/**
 * Stands in for engine/loader.ts in the browser bundle (tsup.config.ts): there is no addon to load in a page,
 * so the engines resolve to the TypeScript reference. Keeps the loader's interface for the modules that import it.
 */
import type { NativeBinding } from '../engine/binding.js';

export class NativeLoadError extends Error {
  constructor(readonly attempts: { path: string; reason: string }[] = []) {
    super('linkcap: the native engine does not run in a browser; use the TypeScript reference engine');
    this.name = 'NativeLoadError';
  }
}

export function loadNativeBinding(): NativeBinding {
  throw new NativeLoadError();
}
