/**
 * The list of commands. Each command is a module here (src/commands/<name>.ts) exporting `register(program)`, and
 * is loaded only when it runs: `linkcap clusters` loads clusters.ts and the parts of @linkcap/core it uses, not the
 * training model; `linkcap --help` loads no command at all. What the top-level help shows of every command (its
 * term and description) is therefore written down below; apps/cli/test/commands.test.ts checks each entry against
 * what its module registers, so a change to a command's name, arguments or description fails there until this
 * list follows.
 *
 * To add a command: write src/commands/<name>.ts with `register(program)`, then add its entry to COMMANDS.
 */
import { Help, type Command } from 'commander';

export interface CommandModule {
  register(program: Command): void;
}

export interface CommandEntry {
  name: string;
  aliases?: string[];
  /** The command as `linkcap --help` lists it: Help.subcommandTerm of the registered command. */
  term: string;
  /** Help.subcommandDescription of the registered command (its summary, else its description). */
  description: string;
  /** Loads the module; a literal import() per command so that the bundler gives each command its own chunk. */
  load: () => Promise<CommandModule>;
}

/** In the order `linkcap --help` lists them. */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'collective',
    term: 'collective [options] <op>',
    description: 'predict a collective on a cluster: time, algbw/busbw (nccl-tests conventions), algorithm and bytes per link level',
    load: () => import('./collective.js'),
  },
  {
    name: 'clusters',
    term: 'clusters [options]',
    description: 'list cluster presets with their key figures (scale-up and scale-out bandwidth, domain size) and sources',
    load: () => import('./clusters.js'),
  },
  {
    name: 'demo',
    term: 'demo',
    description: 'H100 vs H800: what the NVLink cap costs on common collectives and the seed claims (the old two-table demo)',
    load: () => import('./demo.js'),
  },
  {
    name: 'chips',
    term: 'chips [options]',
    description: 'list accelerators with their key figures, sources and unconfirmed marks; show one; derive hypothetical variants',
    load: () => import('./chips.js'),
  },
  {
    name: 'controls',
    term: 'controls [options]',
    description: 'export-control classification of every chip (TPP, performance density, I/O) with the criteria behind each verdict',
    load: () => import('./controls.js'),
  },
  {
    name: 'train',
    term: 'train [options]',
    description: 'predict a training step (time breakdown, MFU, throughput, memory, cost) or search the best layouts (--best)',
    load: () => import('./train.js'),
  },
  {
    name: 'compare',
    term: 'compare [options]',
    description: 'compare clusters on one model: best layout per cluster, the same layout everywhere, and the slowdown',
    load: () => import('./compare.js'),
  },
  {
    name: 'models',
    term: 'models [options]',
    description: 'list the model presets of the training model',
    load: () => import('./models.js'),
  },
  {
    name: 'study',
    term: 'study',
    description: 'studies that answer a question with many sweeps and a report',
    load: () => import('./study.js'),
  },
  {
    name: 'sweep',
    term: 'sweep [options] <spec>',
    description: 'run a declarative sweep (YAML/JSON spec: axes, where, metrics, reduce) in the native engine; writes Parquet (docs/sweeps.md)',
    load: () => import('./sweep.js'),
  },
  {
    name: 'merge',
    term: 'merge [options] <dirs...>',
    description: 'merge the result directories of sharded sweeps (linkcap sweep --shard K/N) into one',
    load: () => import('./merge.js'),
  },
  {
    name: 'view',
    term: 'view [options] [results...]',
    description: 'browse sweep results in the web viewer (served on 127.0.0.1; Ctrl-C to stop)',
    load: () => import('./view.js'),
  },
  {
    name: 'calibrate',
    term: 'calibrate [options] <logs...>',
    description: 'fit a cluster to its nccl-tests logs and save it to the user catalog',
    load: () => import('./calibrate.js'),
  },
];

/**
 * The command a command line runs: the first word that is not an option (the program itself takes no option
 * values), or the word after `help`. undefined when there is none or it names no command.
 */
export function invokedCommand(args: readonly string[]): CommandEntry | undefined {
  const words = args.filter((arg) => !arg.startsWith('-'));
  const word = words[0] === 'help' ? words[1] : words[0];
  return word === undefined ? undefined : COMMANDS.find((entry) => entry.name === word || entry.aliases?.includes(word));
}

/**
 * Registers every command on `program`: the one `args` runs from its module, the others as stand-ins that carry only
 * what the top-level help and commander's "unknown command (Did you mean …?)" use (name, aliases, term,
 * description). The order is COMMANDS', so help lists them as before.
 */
export async function registerCommands(program: Command, args: readonly string[]): Promise<void> {
  const invoked = invokedCommand(args);
  const module = invoked ? await invoked.load() : undefined;
  const terms = new WeakMap<Command, string>();
  const defaultTerm = Help.prototype.subcommandTerm;
  program.configureHelp({
    subcommandTerm(this: Help, command: Command) {
      return terms.get(command) ?? defaultTerm.call(this, command);
    },
  });
  for (const entry of COMMANDS) {
    if (entry === invoked) {
      module!.register(program);
      continue;
    }
    const standIn = program.command(entry.name).description(entry.description);
    if (entry.aliases) standIn.aliases(entry.aliases);
    terms.set(standIn, entry.term);
  }
}
