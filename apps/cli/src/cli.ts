/**
 * The `linkcap` command. Each command lives in src/commands/<name>.ts and exports `register(program)`.
 * Exit codes follow the one rule of util/errors.ts (0 ok, 1 invalid input, 2 usage error) for every command:
 * commands throw, main.ts prints "linkcap: <message>" and sets the code.
 *
 * Start-up is kept short (BENCHMARKS.md, "CLI start-up"): `linkcap --version` answers here before anything else is
 * loaded; any other command line loads main.ts (commander and the list of commands), which loads only the command
 * it runs (commands/index.ts). The build (rolldown.config.ts) emits CommonJS, so no ES module loader starts, and
 * V8's cached data for each chunk (code-cache.ts), so they load without being parsed and compiled anew.
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { useCodeCache } from './code-cache.js';
import { VERSION } from './version.js';

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${VERSION}\n`);
} else {
  const entry = fileURLToPath(import.meta.url);
  useCodeCache(dirname(entry), entry);
  // main() reports every error itself; a rejection here (a missing chunk of a broken build) crashes loudly, exit 1.
  void import('./main.js').then(({ main }) => main(args));
}
