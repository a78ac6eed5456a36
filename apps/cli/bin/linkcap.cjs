#!/usr/bin/env node
// The installed `linkcap` command. A committed launcher (not dist/cli.js itself) so that npm links the bin
// even on a fresh clone where `npm ci` runs before the build. CommonJS like dist/: an ES module here would start
// Node's ES module loader (~10 ms) before linkcap does anything.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const cli = join(__dirname, '..', 'dist', 'cli.js');
if (!existsSync(cli)) {
  process.stderr.write('linkcap: the CLI is not built yet; run `npm run build` at the repository root.\n');
  process.exit(1);
}
require(cli);
