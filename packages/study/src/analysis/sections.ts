/** The sections of the export-control study, in report order. */
import type { Section } from '../report/model.js';
import type { StudyContext } from './context.js';
import { analyseCost } from './cost.js';
import { analyseFewerChips } from './fewer-chips.js';
import { analyseH800VsH100 } from './h800-vs-h100.js';
import { analyseLinkCapLine } from './link-cap-line.js';
import { analyseTencent } from './tencent.js';
import { analyseWorkarounds } from './workarounds.js';

export function analyseSections(ctx: StudyContext): Section[] {
  return [analyseH800VsH100(ctx), analyseWorkarounds(ctx), analyseTencent(ctx), analyseFewerChips(ctx), analyseLinkCapLine(ctx), analyseCost(ctx)];
}
