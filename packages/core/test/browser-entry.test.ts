/**
 * @linkcap/core/browser: the bundle a web page imports has no Node built-in and no addon loader, and gives
 * the same predictions as the package's main entry.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { builtinCatalog, predictCollective, predictTraining, resolveClusterId } from '../src/index.js';

// The built bundle itself (typed by its source: typecheck may run before the build writes dist/).
const bundleUrl = new URL('../dist/browser.js', import.meta.url);
const browser = (await import(bundleUrl.href)) as typeof import('../src/browser.js');
const bundle = readFileSync(fileURLToPath(bundleUrl), 'utf8');

describe('@linkcap/core/browser bundle', () => {
  it('imports nothing: no node: module, no require, no addon loader', () => {
    const imports = [...bundle.matchAll(/^import\s.*?from\s+["']([^"']+)["']/gm)].map((m) => m[1]);
    expect(imports).toEqual([]);
    expect(bundle).not.toMatch(/["']node:|createRequire|require\(|@linkcap\/native|linkcap_native\.node/);
    expect(bundle).toContain('the native engine does not run in a browser');
  });

  it('predicts what the main entry predicts', () => {
    const cluster = resolveClusterId('hgx-h800', builtinCatalog());
    const request = { op: 'all-to-all' as const, bytes: 2 ** 26, gpus: 64, cluster };
    const inPage = browser.predictCollective(request);
    const main = predictCollective({ ...request, engine: 'reference' });
    expect(inPage).toEqual(main);
    const training = { model: 'llama3-8b', cluster, gpus: 64, layout: { tp: 2, pp: 1 } };
    expect(browser.predictTraining(training)).toEqual(predictTraining({ ...training, engine: 'reference' }));
  });

  it('reads no files: a model that is not a preset is refused with the reason', () => {
    const cluster = browser.resolveClusterId('hgx-h800', browser.builtinCatalog());
    expect(() => browser.predictTraining({ model: './my-model.yaml', cluster, gpus: 8 })).toThrow(/not a preset .* and no such file/);
  });
});
