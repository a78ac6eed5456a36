// Types of generate-abi-headers.mjs for the TypeScript tests that import it.
export interface AbiSources {
  modules: Record<string, Record<string, unknown>>;
  inputs: string[];
}
export const SOURCES: Readonly<Record<string, string>>;
export function loadSources(): Promise<AbiSources>;
export function renderFrom(modules: Record<string, Record<string, unknown>>): Record<string, string>;
export function renderHeaders(): Promise<{ headers: Record<string, string>; inputs: string[] }>;
export const TRAINING_CODE_LISTS: Readonly<Record<string, string>>;
export function abiName(list: string): string;
