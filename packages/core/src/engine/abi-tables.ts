/**
 * The names of the tables the native engine shares with this package (field lists, codes), as the addon
 * exports them (`abiTables`, generated at build time from the TypeScript lists by
 * native/scripts/generate-abi-headers.mjs). A build made from other lists is stale: the loaders refuse it.
 */

export type AbiTables = Readonly<Record<string, readonly string[]>>;

/** Where a built addon's tables differ from `expected` (first difference), or null when every table matches. */
export function abiTableMismatch(built: AbiTables | undefined, expected: AbiTables): string | null {
  if (!built || typeof built !== 'object') return 'the build exports no abiTables';
  for (const [name, names] of Object.entries(expected)) {
    const have = built[name];
    if (!Array.isArray(have)) return `the build has no table ${name}`;
    const length = Math.max(have.length, names.length);
    for (let i = 0; i < length; i++) {
      if (have[i] !== names[i]) {
        const spell = (value: string | undefined) => (value === undefined ? 'nothing' : JSON.stringify(value));
        return `${name}[${i}] is ${spell(have[i])} in the build, ${spell(names[i])} in this package`;
      }
    }
  }
  return null;
}
