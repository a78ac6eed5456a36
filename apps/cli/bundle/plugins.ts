/** Rolldown plugins of the CLI build (rolldown.config.ts). */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { Plugin } from 'rolldown';
import { codeCacheDir, scriptOptions, wrapModule } from '../src/code-cache.js';
import { externalPackageOf, isEsModuleOnly } from './dependencies.js';

/** Fails the build on a static import of an ES-module-only package: in CommonJS output it would become a require(). */
export const esmOnlyImports: Plugin = {
  name: 'linkcap-esm-only-imports',
  buildEnd() {
    for (const id of this.getModuleIds()) {
      for (const imported of this.getModuleInfo(id)?.importedIds ?? []) {
        if (externalPackageOf(imported) && isEsModuleOnly(imported)) {
          this.error(`${id} imports '${imported}', a package published only as ES modules, statically: the CLI is CommonJS, so load it with \`await import('${imported}')\``);
        }
      }
    }
  },
};

/** dist/package.json: the chunks are CommonJS although apps/cli/package.json says "type": "module". */
export const commonJsMarker: Plugin = {
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
export const codeCache: Plugin = {
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
