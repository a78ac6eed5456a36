#!/usr/bin/env node
/**
 * Evaluates the held-out runs (heldout-runs.json) with the training model as it was BEFORE the fidelity work
 * (commit e474537 on main) and stores the values in heldout-before.json, which the "Held-out runs" section of
 * docs/validation.md prints next to today's model. The old model cannot be built in CI, so its values are data;
 * rerun this when heldout-runs.json changes:
 *
 *   git worktree add /tmp/oldmodel e474537 && (cd /tmp/oldmodel && npm ci && npm run build)
 *   node test/validation/heldout-before.mjs /tmp/oldmodel
 *
 * The old API knew no profiles, framework costs or partial recompute: heldoutRequest('before') drops them, so
 * each row is what a user of that version could have asked (partial recompute becomes its mode on all layers).
 */
import { renameSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { evaluateHeldout } from './heldout-validation.mjs';

const BEFORE_COMMIT = 'e474537';
const root = resolve(process.argv[2] ?? '/tmp/oldmodel');
const core = await import(pathToFileURL(resolve(root, 'packages/core/dist/index.js')).href);
const rows = evaluateHeldout(core, 'before');
const values = Object.fromEntries(
  rows.map((row) => [row.id, row.error ? { error: row.error } : { value: row.value, feasible: row.feasible, memoryGiB: row.memoryGiB }]),
);
const target = new URL('./heldout-before.json', import.meta.url);
const temporary = new URL(`./heldout-before.json.${process.pid}.tmp`, import.meta.url);
writeFileSync(
  temporary,
  JSON.stringify({ description: `The held-out rows priced by the training model at commit ${BEFORE_COMMIT} (before the fidelity work), written by heldout-before.mjs; value in the row's metric.`, commit: BEFORE_COMMIT, values }, null, 1) + '\n',
);
renameSync(temporary, target);
process.stdout.write(`wrote test/validation/heldout-before.json (${rows.length} rows, ${rows.filter((r) => r.error).length} errors)\n`);
