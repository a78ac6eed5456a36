#!/usr/bin/env node
// The installed `linkcap` command. A committed launcher (not dist/cli.js itself) so that npm links the bin
// even on a fresh clone where `npm ci` runs before the build.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('linkcap: the CLI is not built yet; run `npm run build` at the repository root.\n');
  process.exit(1);
}
await import(cli.href);
