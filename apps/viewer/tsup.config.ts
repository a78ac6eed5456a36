import { defineConfig } from 'tsup';

// The server side of `linkcap view` (imported by the CLI as @linkcap/viewer/server).
export default defineConfig({
  entry: { server: 'src/server/index.ts' },
  format: ['esm'],
  dts: true,
  sourcemap: true,
  // Everything but dist/page, the page's (vite): tsup removes "**/*" minus these patterns.
  clean: ['!page/**'],
  target: 'node20',
});
