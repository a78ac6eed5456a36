/**
 * Compile-time constants for every bundle of @linkcap/core's sources: this package's own builds (tsup.config.ts)
 * and apps/cli, which bundles the sources so that each command loads only the modules it uses.
 *
 * __LINKCAP_BUILTIN_CATALOG__: the built-in catalog, validated here (once per build) with the same code a user's
 * catalog file goes through, as catalogToJson wrote it (see src/catalog/builtin.ts); a bad preset fails the build.
 * JSON.stringify twice: the define is a string literal, which JSON.parse reads faster than V8 would parse the same
 * data as an object literal.
 */
import { validateBuiltinCatalog } from './src/catalog/builtin.js';
import { catalogToJson } from './src/catalog/catalog-json.js';

export function coreBundleDefines(): Record<string, string> {
  return { __LINKCAP_BUILTIN_CATALOG__: JSON.stringify(catalogToJson(validateBuiltinCatalog())) };
}
