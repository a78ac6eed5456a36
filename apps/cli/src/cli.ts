/**
 * The `linkcap` command. Each command lives in src/commands/<name>.ts and exports `register(program)`.
 * Errors: UsageError → exit 2; any other Error (invalid input the model rejects) → exit 1, message on stderr.
 */
import { Command, CommanderError } from 'commander';
import { EXIT_INVALID_INPUT, EXIT_USAGE, UsageError } from './util/errors.js';
import { registerCommands } from './commands/index.js';

// `linkcap … | head` closes the pipe early: stop quietly instead of crashing on EPIPE.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

const program = new Command();
program
  .name('linkcap')
  .description('What does a cap on chip-to-chip bandwidth cost? Collective-communication cost predictions for real clusters.')
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

registerCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and version exit 0 through here; commander already printed the message.
    process.exitCode = error.exitCode === 0 ? 0 : EXIT_USAGE;
  } else if (error instanceof UsageError) {
    process.stderr.write(`linkcap: ${error.message}\n`);
    process.exitCode = EXIT_USAGE;
  } else {
    process.stderr.write(`linkcap: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = EXIT_INVALID_INPUT;
  }
}
