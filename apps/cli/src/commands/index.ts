/** The list of commands; add a new command file and register it here. */
import type { Command } from 'commander';
import { register as registerCollective } from './collective.js';
import { register as registerClusters } from './clusters.js';
import { register as registerDemo } from './demo.js';
import { register as registerChips } from './chips.js';
import { register as registerControls } from './controls.js';
import { register as registerTrain } from './train.js';
import { register as registerCompare } from './compare.js';
import { register as registerModels } from './models.js';
import { register as registerStudy } from './study.js';
import { register as registerSweep } from './sweep.js';
import { register as registerMerge } from './merge.js';
import { register as registerView } from './view.js';
import { register as registerCalibrate } from './calibrate.js';

export function registerCommands(program: Command): void {
  registerCollective(program);
  registerClusters(program);
  registerDemo(program);
  registerChips(program);
  registerControls(program);
  registerTrain(program);
  registerCompare(program);
  registerModels(program);
  registerStudy(program);
  registerSweep(program);
  registerMerge(program);
  registerView(program);
  registerCalibrate(program);
}
