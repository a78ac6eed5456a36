/**
 * Builds dist/: cli.js and one chunk per command, as CommonJS (Rolldown: Rollup's chunking, Vite's bundler).
 *
 * `linkcap` loads only what the command it runs needs (BENCHMARKS.md, "CLI start-up"):
 * - cli.ts answers --version by itself and loads main.ts otherwise; main.ts loads only the invoked command's module
 *   (commands/index.ts).
 * - @linkcap/core is bundled from its TypeScript sources, so a command's chunks hold just the core modules it uses:
 *   `linkcap clusters` loads the catalog code, not the training model, the sweep engine or Parquet. (esbuild, which
 *   tsup uses, puts every module reached through a re-exporting index.ts into one shared chunk: all of core's
 *   280 KB would load with every command.)
 * - The output is CommonJS (dist/package.json says so): chunks load with require(), and Node's ES module loader,
 *   ~10 ms of every start, never starts. Packages published only as ES modules must therefore be loaded with
 *   `await import()` in code the CLI bundles; the build refuses a static import of one (esmOnlyImports below).
 *
 * Everything that is not linkcap's own source or commander stays a require (or an import()) resolved from node_modules
 * at run time: cli-progress and @linkcap/core's dependencies. The bundled core code resolves those from here, not from
 * packages/core, so this package declares each of core's dependencies with core's range (npm may install another
 * version of one at the root for other packages: signal-exit 3 vs core's 4); the build checks that they match.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import { defineConfig, type Plugin } from 'rolldown';
import { coreBundleDefines } from '../../packages/core/bundle-defines.js';
import { codeCacheDir, scriptOptions, wrapModule } from './src/code-cache.js';

interface PackageJson {
  version: string;
  type?: string;
  dependencies?: Record<string, string>;
}
const readPackage = (path: string | URL) => JSON.parse(readFileSync(path, 'utf8')) as PackageJson;
const cli = readPackage(new URL('./package.json', import.meta.url));
const core = readPackage(new URL('../../packages/core/package.json', import.meta.url));

const unmatched = Object.entries(core.dependencies ?? {}).filter(([name, range]) => cli.dependencies?.[name] !== range);
if (unmatched.length > 0) {
  throw new Error(
    `apps/cli bundles @linkcap/core's sources, so apps/cli/package.json must list core's dependencies with core's ranges; add or fix: ${unmatched.map(([name, range]) => `"${name}": "${range}"`).join(', ')} (then npm install)`,
  );
}

const coreSources = fileURLToPath(new URL('../../packages/core/src/', import.meta.url));
// commander is bundled (a devDependency): its code then loads with the chunks' code cache, from no extra files.
const dependencies = [...Object.keys(cli.dependencies ?? {}), ...Object.keys(core.dependencies ?? {})].filter((name) => name !== '@linkcap/core');
const packageOf = (id: string) => dependencies.find((name) => id === name || id.startsWith(`${name}/`));

/** Whether require(id) from the CLI would load an ES module (which Node 20 before 20.19 cannot require). */
function isEsModuleOnly(id: string): boolean {
  const requireHere = createRequire(import.meta.url);
  let file: string;
  try {
    file = requireHere.resolve(id);
  } catch {
    return true; // no "require" entry point at all
  }
  if (file.endsWith('.mjs')) return true;
  if (file.endsWith('.cjs') || !file.endsWith('.js')) return false;
  const name = packageOf(id)!;
  const root = file.slice(0, file.lastIndexOf(`/node_modules/${name}/`) + `/node_modules/${name}/`.length);
  return readPackage(`${root}package.json`).type === 'module';
}

/** Fails the build on a static import of an ES-module-only package (it would become a require()). */
const esmOnlyImports: Plugin = {
  name: 'linkcap-esm-only-imports',
  buildEnd() {
    for (const id of this.getModuleIds()) {
      for (const imported of this.getModuleInfo(id)?.importedIds ?? []) {
        if (packageOf(imported) && isEsModuleOnly(imported)) {
          this.error(`${id} imports '${imported}', a package published only as ES modules, statically: the CLI is CommonJS, so load it with \`await import('${imported}')\``);
        }
      }
    }
  },
};

/** dist/package.json: the chunks are CommonJS although apps/cli/package.json says "type": "module". */
const commonJsMarker: Plugin = {
  name: 'linkcap-commonjs-marker',
  generateBundle() {
    this.emitFile({ type: 'asset', fileName: 'package.json', source: `${JSON.stringify({ type: 'commonjs' })}\n` });
  },
};

/**
 * dist/code-cache/<V8 version>-<arch>/<chunk>.bin: V8's cached data for the chunks (src/code-cache.ts says how
 * `linkcap` uses it), made with this build's Node; another V8 finds no directory for its version. Each chunk is
 * compiled with lazy compilation off, so that the data holds every function, not only the top level; it is back on
 * before the data is taken, as V8 checks the flags a cache was made under.
 */
const codeCache: Plugin = {
  name: 'linkcap-code-cache',
  writeBundle(options, bundle) {
    const dist = options.dir!;
    const out = codeCacheDir(dist);
    mkdirSync(out, { recursive: true });
    for (const chunk of Object.values(bundle)) {
      // The entry runs before the cache is in use. A chunk that import()s a package (an ES module: the chunks' own
      // import()s became require()s) must load as Node loads it.
      if (chunk.type !== 'chunk' || chunk.isEntry || chunk.dynamicImports.some((id) => !(id in bundle))) continue;
      const filename = join(dist, chunk.fileName);
      v8.setFlagsFromString('--no-lazy');
      const script = new vm.Script(wrapModule(readFileSync(filename, 'utf8')), scriptOptions(filename));
      v8.setFlagsFromString('--lazy');
      writeFileSync(join(out, `${chunk.fileName}.bin`), script.createCachedData());
    }
  },
};

export default defineConfig({
  input: { cli: 'src/cli.ts' },
  platform: 'node',
  external: (id) => id.startsWith('node:') || packageOf(id) !== undefined,
  resolve: {
    alias: { '@linkcap/core': fileURLToPath(new URL('../../packages/core/src/index.ts', import.meta.url)) },
    // The sources import './x.js' for './x.ts' (TypeScript's NodeNext convention).
    extensionAlias: { '.js': ['.ts', '.js'] },
  },
  treeshake: {
    // Importing a core module has no effect beyond defining its exports; without this, modules with top-level calls
    // (lazyRequire, tables built at load) would join every command's chunks through core's index.ts.
    moduleSideEffects: (id) => !id.startsWith(coreSources),
  },
  transform: {
    target: 'node20',
    // The version from package.json, and the built-in catalog validated at build time (as in core's own build).
    define: { __LINKCAP_VERSION__: JSON.stringify(cli.version), ...coreBundleDefines() },
  },
  plugins: [esmOnlyImports, commonJsMarker, codeCache],
  output: {
    dir: fileURLToPath(new URL('./dist', import.meta.url)),
    format: 'cjs',
    cleanDir: true,
    sourcemap: true,
    // Pure-ASCII chunks: Node then reads each into a one-byte string instead of decoding UTF-8 into two-byte text
    // (non-ASCII string characters are written as \u escapes; comments, which would keep theirs, are left out).
    charset: 'ascii',
    comments: false,
    entryFileNames: '[name].js',
    chunkFileNames: '[name]-[hash].js',
    banner: (chunk) => (chunk.isEntry ? '#!/usr/bin/env node' : ''),
  },
});
