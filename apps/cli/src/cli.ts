/**
 * The `linkcap` command. Each command lives in src/commands/<name>.ts and exports `register(program)`.
 * Exit codes follow the one rule of util/errors.ts (0 ok, 1 invalid input, 2 usage error) for every command:
 * commands throw, this file prints "linkcap: <message>" and sets the code.
 */
import { VERSION } from './version.js';

// `linkcap --version` answers before anything else is loaded (commander, @linkcap/core): as fast as Node starts.
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${VERSION}\n`);
} else {
  await main();
}

async function main(): Promise<void> {
  const [{ Command, CommanderError }, { errorMessage, exitCodeFor, isExpectedError }, { registerCommands }] = await Promise.all([
    import('commander'),
    import('./util/errors.js'),
    import('./commands/index.js'),
  ]);

  // `linkcap … | head` closes the pipe early: stop quietly instead of crashing on EPIPE.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });

  const program = new Command();
  program
    .name('linkcap')
    .description('What does a cap on chip-to-chip bandwidth cost? Collective-communication and training cost predictions for real clusters.')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    // Commander's own errors read like ours: "linkcap: unknown option '--x'".
    .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, 'linkcap: ')) })
    .exitOverride();

  registerCommands(program);

  try {
    await program.parseAsync(process.argv);
  } catch (error) {
    // Commander printed its own errors (and help/version); ours are printed here.
    if (!(error instanceof CommanderError)) {
      process.stderr.write(`linkcap: ${errorMessage(error)}\n`);
      if (!isExpectedError(error) && process.env.LINKCAP_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    }
    process.exitCode = exitCodeFor(error);
  }
}
