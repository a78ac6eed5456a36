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
 *   `await import()` in code the CLI bundles; the build refuses a static import of one (bundle/plugins.ts).
 * - V8's cached data for every chunk is written beside them (bundle/plugins.ts, src/code-cache.ts).
 *
 * What stays in node_modules, and why the CLI lists core's dependencies: bundle/dependencies.ts.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'rolldown';
import { coreBundleDefines } from '../../packages/core/bundle-defines.js';
import { checkCoreDependencies, cliPackage, externalPackageOf } from './bundle/dependencies.js';
import { codeCache, commonJsMarker, esmOnlyImports } from './bundle/plugins.js';

checkCoreDependencies();

const coreSources = fileURLToPath(new URL('../../packages/core/src/', import.meta.url));

export default defineConfig({
  input: { cli: 'src/cli.ts' },
  platform: 'node',
  external: (id) => id.startsWith('node:') || externalPackageOf(id) !== undefined,
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
    define: { __LINKCAP_VERSION__: JSON.stringify(cliPackage.version), ...coreBundleDefines() },
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
