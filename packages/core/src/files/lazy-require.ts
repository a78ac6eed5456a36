/**
 * Loads a dependency on first use instead of at import time: `linkcap --version` or a command that reads no YAML
 * file should not pay for parsing the yaml package (~30 ms) or the file-locking libraries. createRequire keeps the
 * load synchronous and out of sight of browser bundlers (the viewer never reaches these paths).
 */
import { createRequire } from 'node:module';

const requireHere = createRequire(import.meta.url);

export function lazyRequire<T>(name: string): () => T {
  let loaded: T | undefined;
  return () => {
    loaded ??= requireHere(name) as T;
    return loaded;
  };
}
