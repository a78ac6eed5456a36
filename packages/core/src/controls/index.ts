/**
 * Export-control classifier: the rules of the catalog (rules.json) evaluated per chip, with TPP, performance
 * density and the other metrics shown with their arithmetic, and what-if lines. docs/catalog.md explains rules.
 */
export {
  classifyChip,
  classifyChipRule,
  type ChipClassification,
  type ClassifyOptions,
  type RuleVerdict,
  type Truth,
} from './classify.js';
export { computeMetric, formatFigure, markSuffix, METRIC_IDS, METRIC_ALIASES, SHOWN_METRICS, type MetricId, type MetricValue } from './metrics.js';
export {
  classifyCatalog,
  evaluateWhatIf,
  selectChips,
  selectRules,
  whatIfRule,
  WHAT_IF_RULE_ID,
  type WhatIfReport,
  type WhatIfRow,
  type WhatIfThresholds,
} from './what-if.js';
export { classificationMarkdown } from './markdown.js';
