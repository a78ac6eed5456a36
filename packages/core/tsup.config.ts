import { fileURLToPath } from 'node:url';
import { defineConfig, type Options } from 'tsup';
import { coreBundleDefines } from './bundle-defines.js';

type Plugin = NonNullable<Options['esbuildPlugins']>[number];

const shim = (name: string) => fileURLToPath(new URL(`./src/browser/${name}`, import.meta.url));

/**
 * The browser entry's bundle: node:fs and the file helpers (read only by model/catalog file loading) become stubs
 * that say files cannot be read in a page, the addon loader becomes one that says there is no native engine, and
 * any other Node built-in reached from the entry fails the build, so dist/browser.js provably has none.
 */
const browserShims: Plugin = {
  name: 'linkcap-browser-shims',
  setup(build) {
    build.onResolve({ filter: /^node:fs$/ }, () => ({ path: shim('no-fs.ts') }));
    build.onResolve({ filter: /(^|\/)files\/(read-text|lazy-require)\.js$/ }, () => ({ path: shim('no-files.ts') }));
    build.onResolve({ filter: /(^|\/)engine\/loader\.js$|^\.\/loader\.js$/ }, (args) =>
      /[\\/](engine|training)[\\/]/.test(args.importer) ? { path: shim('no-native.ts') } : undefined,
    );
    build.onResolve({ filter: /^(node:|fs$|path$|module$|os$|child_process$|@linkcap\/native)/ }, (args) => ({
      errors: [{ text: `${args.path}, imported by ${args.importer}: the browser entry must not reach Node built-ins or the addon` }],
    }));
  },
};

/** The built-in catalog checked at build time (bundle-defines.ts), for both bundles. */
const define = coreBundleDefines();

export default defineConfig([
  {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    // Both builds write dist/ at once: each cleans all but the other's files (tsup adds these patterns as exclusions to "**/*").
    clean: ['!browser.*'],
    // import.meta.url is used by the addon loader; shims make it work in the CJS build too.
    shims: true,
    target: 'node20',
    define,
  },
  {
    entry: { browser: 'src/browser.ts' },
    format: ['esm'],
    dts: true,
    sourcemap: true,
    clean: ['!index.*'],
    platform: 'browser',
    // Keep "node:" on imports so that the shims below see them (tsup strips it by default).
    removeNodeProtocol: false,
    target: 'es2022',
    esbuildPlugins: [browserShims],
    define,
  },
]);
