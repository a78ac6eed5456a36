/**
 * V8's code cache for the CLI's own chunks. Node 22 has module.enableCompileCache(); Node 20 does not, so each start
 * would parse and compile ~300 KB of linkcap and commander anew (about a quarter of `linkcap train`'s start-up).
 *
 * The build (bundle/plugins.ts) compiles the chunks of dist/ and writes V8's cached data for each to
 * dist/code-cache/<V8 version>-<arch>/<chunk>.bin. At start, cli.ts calls useCodeCache(): a chunk of dist/ that has
 * such a file is then compiled with it, which V8 checks (its version, flags and the source) and silently rejects if
 * it does not fit, compiling the source as usual. Nothing is written at run time. The chunks' names carry a hash of
 * their content, so a cache file belongs to exactly one chunk text.
 *
 * Chunks that import() a package (ES-module-only ones: hyparquet, flechette) get no cache file and load as Node loads
 * them: on Node 20, a script compiled from cached data loses its dynamic-import callback ("A dynamic import callback
 * was not specified").
 *
 * LINKCAP_NO_CODE_CACHE=1 turns it off; LINKCAP_DEBUG_CODE_CACHE=1 reports, per chunk, whether its cache was used.
 */
import { readFileSync } from 'node:fs';
import Module from 'node:module';
import { basename, dirname, join } from 'node:path';
import vm from 'node:vm';

/** The directory of caches for this Node's V8, relative to dist/. */
export function codeCacheDir(dist: string): string {
  return join(dist, 'code-cache', `${process.versions.v8}-${process.arch}`);
}

/** Node's CommonJS wrapper around a module's source (what the cache was made for). */
export function wrapModule(source: string): string {
  return (Module as unknown as { wrap(source: string): string }).wrap(source);
}

/** The options both the build and the run compile with: the cached data only fits a script compiled the same way. */
export function scriptOptions(filename: string, cachedData?: Buffer): vm.ScriptOptions {
  return { filename, cachedData };
}

interface CompilingModule {
  exports: unknown;
  require(id: string): unknown;
}

/** Compiles dist/'s chunks (not the entry, which is already running) with their cached data from now on. */
export function useCodeCache(dist: string, entry: string): void {
  if (process.env.LINKCAP_NO_CODE_CACHE) return;
  const cacheDir = codeCacheDir(dist);
  const report = process.env.LINKCAP_DEBUG_CODE_CACHE ? (line: string) => process.stderr.write(`code cache: ${line}\n`) : undefined;
  const prototype = Module.prototype as unknown as { _compile(this: CompilingModule, source: string, filename: string): unknown };
  const compile = prototype._compile;
  prototype._compile = function compileWithCache(this: CompilingModule, source: string, filename: string) {
    if (dirname(filename) !== dist || filename === entry) return compile.call(this, source, filename);
    let cachedData: Buffer;
    try {
      cachedData = readFileSync(join(cacheDir, `${basename(filename)}.bin`));
    } catch {
      // No cache for this chunk (it import()s a package) or for this V8: Node compiles it as usual.
      report?.(`${basename(filename)} none`);
      return compile.call(this, source, filename);
    }
    const script = new vm.Script(wrapModule(source), scriptOptions(filename, cachedData));
    report?.(`${basename(filename)} ${script.cachedDataRejected ? 'rejected' : 'used'}`);
    const wrapper = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
    // The require Node gives a CommonJS module (lib/internal/modules/helpers.js), as far as chunks use it.
    const module = this;
    const resolveFilename = (Module as unknown as { _resolveFilename(request: string, parent: unknown, isMain: boolean, options?: unknown): string })._resolveFilename;
    const require = Object.assign((id: string) => module.require(id), {
      resolve: (request: string, options?: { paths?: string[] }) => resolveFilename(request, module, false, options),
    });
    return wrapper.call(module.exports, module.exports, require, module, filename, dirname(filename));
  };
}
