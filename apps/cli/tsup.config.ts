import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

export default defineConfig({
  entry: ['src/cli.ts'],
  format: ['esm'],
  sourcemap: true,
  clean: true,
  target: 'node20',
  // cli.ts loads commander and the commands with import(): split chunks keep `linkcap --version` from loading them.
  splitting: true,
  define: { __LINKCAP_VERSION__: JSON.stringify(version) },
  banner: { js: '#!/usr/bin/env node' },
});
