/**
 * What the CLI bundle leaves to node_modules, and checks on it. The bundle holds linkcap's own code (apps/cli and
 * @linkcap/core's sources) and commander; everything else stays a require (or an import()) resolved from apps/cli
 * at run time: the CLI's dependencies and @linkcap/core's. The bundled core code resolves core's from here, not from
 * packages/core, so apps/cli/package.json lists each of core's dependencies with core's range (npm may install
 * another version of one at the root for other packages: signal-exit 3 vs core's 4).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

interface PackageJson {
  version: string;
  type?: string;
  dependencies?: Record<string, string>;
}

export const readPackage = (path: string | URL) => JSON.parse(readFileSync(path, 'utf8')) as PackageJson;

export const cliPackage = readPackage(new URL('../package.json', import.meta.url));
const corePackage = readPackage(new URL('../../../packages/core/package.json', import.meta.url));

/** Throws, naming what to add, unless apps/cli/package.json lists every dependency of core with core's range. */
export function checkCoreDependencies(): void {
  const unmatched = Object.entries(corePackage.dependencies ?? {}).filter(([name, range]) => cliPackage.dependencies?.[name] !== range);
  if (unmatched.length === 0) return;
  throw new Error(
    `apps/cli bundles @linkcap/core's sources, so apps/cli/package.json must list core's dependencies with core's ranges; add or fix: ${unmatched.map(([name, range]) => `"${name}": "${range}"`).join(', ')} (then npm install)`,
  );
}

// commander is a devDependency: bundled, it loads with the chunks' code cache and from no extra files.
const external = [...Object.keys(cliPackage.dependencies ?? {}), ...Object.keys(corePackage.dependencies ?? {})].filter((name) => name !== '@linkcap/core');

/** The dependency an import id belongs to ('yaml' for 'yaml', 'hyparquet-writer' for 'hyparquet-writer/src/node.js'). */
export function externalPackageOf(id: string): string | undefined {
  return external.find((name) => id === name || id.startsWith(`${name}/`));
}

/** Whether require(id) from the CLI would load an ES module (which Node 20 before 20.19 cannot require). */
export function isEsModuleOnly(id: string): boolean {
  let file: string;
  try {
    file = createRequire(import.meta.url).resolve(id);
  } catch {
    return true; // no entry point for require at all
  }
  if (file.endsWith('.mjs')) return true;
  if (!file.endsWith('.js')) return false;
  // Node's rule for .js: the "type" of the nearest package.json.
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return readPackage(join(dir, 'package.json')).type === 'module';
  }
  return false;
}
