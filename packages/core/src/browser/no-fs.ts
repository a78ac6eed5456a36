/**
 * Stands in for node:fs in the browser bundle (tsup.config.ts). Model and catalog files cannot be read in a
 * page: a name that is not a preset is reported as such, and reading throws an error that says why.
 */
import { LinkcapInputError } from '../validate/errors.js';

export function existsSync(): boolean {
  return false;
}

export function readFileSync(path: unknown): never {
  throw new LinkcapInputError('file', `${String(path)}: files cannot be read in the browser; pass the object itself`);
}
