/** Everything `linkcap` does after cli.ts: the commander program, the invoked command, one rule for errors. */
import { Command, CommanderError } from 'commander';
import { registerCommands } from './commands/index.js';
import { errorMessage, exitCodeFor, isExpectedError } from './util/errors.js';
import { VERSION } from './version.js';

export async function main(args: readonly string[]): Promise<void> {
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

  // Only the command this line runs is loaded (see commands/index.ts).
  await registerCommands(program, args);

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
