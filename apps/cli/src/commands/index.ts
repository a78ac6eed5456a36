/** The list of commands; add a new command file and register it here. */
import type { Command } from 'commander';
import { register as registerCollective } from './collective.js';
import { register as registerClusters } from './clusters.js';
import { register as registerDemo } from './demo.js';

export function registerCommands(program: Command): void {
  registerCollective(program);
  registerClusters(program);
  registerDemo(program);
}
