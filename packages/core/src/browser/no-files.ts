/**
 * Stands in for files/read-text.ts and files/lazy-require.ts in the browser bundle (tsup.config.ts): a page reads
 * no model or catalog files and loads no module at run time. Presets and objects work; a file path is refused
 * with the reason.
 */
import { LinkcapInputError } from '../validate/errors.js';

export const MAX_INPUT_FILE_BYTES = 16 * 1024 * 1024;

export class LinkcapFileError extends LinkcapInputError {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(path, reason);
    this.name = 'LinkcapFileError';
  }
}

export function readTextFile(path: string): never {
  throw new LinkcapFileError(path, 'files cannot be read in the browser; pass the object itself');
}

export function lazyRequire<T>(name: string): () => T {
  return () => {
    throw new LinkcapInputError(name, `${name} is not part of the browser build of @linkcap/core`);
  };
}
