import { defineConfig } from 'tsup';
import { coreBundleDefines } from './bundle-defines.js';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  // import.meta.url is used by the addon loader; shims make it work in the CJS build too.
  shims: true,
  target: 'node20',
  // The built-in catalog checked at build time (bundle-defines.ts).
  define: coreBundleDefines(),
});
