/** Text files of the report folder, written to a temporary name in the same folder and renamed (never half-written). */
import { renameSync, writeFileSync } from 'node:fs';

export function writeFileAtomic(file: string, text: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, file);
}
