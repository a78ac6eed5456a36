/**
 * commands/index.ts: the list that lets `linkcap` load only the command it runs. Each entry must say what its
 * module registers (the top-level help is printed from the entries), and every command module must have an entry.
 */
import { readdirSync } from 'node:fs';
import { Command, Help } from 'commander';
import { describe, expect, it } from 'vitest';
import { COMMANDS, invokedCommand, registerCommands, type CommandModule } from '../src/commands/index.js';

const commandsDir = new URL('../src/commands/', import.meta.url);

describe('COMMANDS', () => {
  it.each(COMMANDS.map((entry) => [entry.name, entry] as const))('%s: the entry matches what its module registers', async (_name, entry) => {
    const program = new Command();
    (await entry.load()).register(program);
    expect(program.commands).toHaveLength(1);
    const command = program.commands[0];
    const help = new Help();
    expect(command.name()).toBe(entry.name);
    expect(command.aliases()).toEqual(entry.aliases ?? []);
    expect(entry.term).toBe(help.subcommandTerm(command));
    expect(entry.description).toBe(help.subcommandDescription(command));
  });

  it('lists every module of src/commands that registers a command, once', async () => {
    const listed = await Promise.all(COMMANDS.map((entry) => entry.load()));
    const files = readdirSync(commandsDir).filter((file) => file.endsWith('.ts') && file !== 'index.ts');
    for (const file of files) {
      const module = (await import(new URL(file, commandsDir).href)) as Partial<CommandModule>;
      if (typeof module.register === 'function') expect(listed, `${file} registers a command but has no entry in COMMANDS`).toContain(module);
    }
    expect(new Set(COMMANDS.map((entry) => entry.name)).size).toBe(COMMANDS.length);
  });
});

describe('invokedCommand', () => {
  it('finds the command word, after options and after `help`', () => {
    expect(invokedCommand(['clusters', '--json'])?.name).toBe('clusters');
    expect(invokedCommand(['-h', 'train'])?.name).toBe('train');
    expect(invokedCommand(['help', 'collective'])?.name).toBe('collective');
    expect(invokedCommand(['chips', 'derive', '--name', 'x'])?.name).toBe('chips');
    expect(invokedCommand(['--', 'models'])?.name).toBe('models');
  });

  it('is undefined for no command, `help` alone and unknown words', () => {
    expect(invokedCommand([])).toBeUndefined();
    expect(invokedCommand(['--help'])).toBeUndefined();
    expect(invokedCommand(['help'])).toBeUndefined();
    expect(invokedCommand(['clusterz'])).toBeUndefined();
  });
});

describe('registerCommands', () => {
  const helpOf = (program: Command) => {
    let text = '';
    program.configureOutput({ writeOut: (s) => (text += s) });
    program.outputHelp();
    return text;
  };

  it('prints the same top-level help with stand-ins as with every command registered', async () => {
    const withStandIns = new Command('linkcap');
    await registerCommands(withStandIns, ['--help']);
    const full = new Command('linkcap');
    for (const entry of COMMANDS) (await entry.load()).register(full);
    expect(helpOf(withStandIns)).toBe(helpOf(full));
  });

  it('registers the invoked command from its module, in its place in the list', async () => {
    const program = new Command('linkcap');
    await registerCommands(program, ['collective', 'all-reduce']);
    expect(program.commands.map((command) => command.name())).toEqual(COMMANDS.map((entry) => entry.name));
    const collective = program.commands.find((command) => command.name() === 'collective')!;
    expect(collective.options.map((option) => option.long)).toContain('--bytes');
    const clusters = program.commands.find((command) => command.name() === 'clusters')!;
    expect(clusters.options).toHaveLength(0);
  });
});
