/**
 * What a report section is made of, independent of the output format: markdown text, tables, charts (data plus
 * what to draw; report/charts.ts draws them with Observable Plot) and verdicts on the claims. report/markdown.ts,
 * report/html.ts and report/summary.ts render the same sections.
 */
import type { Sensitivity } from '../analysis/variants.js';

export type VerdictKind = 'supported' | 'partly supported' | 'not supported' | 'not decided';

export interface Verdict {
  /** The claim as it was made, quoted. */
  claim: string;
  source: string;
  verdict: VerdictKind;
  /** Why, with the numbers (markdown). */
  because: string;
  /** The claim and its key number in a few words, for the terminal summary. */
  short: string;
  /** The model's measured error that bears on it (markdown). */
  error: string;
}

export interface Headline {
  id: string;
  label: string;
  format: 'percent' | 'times' | 'days' | 'number' | 'count' | 'share' | 'gbps' | 'usd';
  sensitivity: Sensitivity;
}

export interface TableBlock {
  kind: 'table';
  title: string;
  columns: { header: string; align?: 'left' | 'right' }[];
  rows: string[][];
  note?: string;
}

export interface ChartSeriesPoint {
  [key: string]: string | number;
}

export interface ChartBlock {
  kind: 'chart';
  id: string;
  title: string;
  /** line: y over x per series; bar: stacked bars of y per x, coloured by series. */
  type: 'line' | 'bar';
  data: ChartSeriesPoint[];
  x: string;
  y: string;
  series?: string;
  /** Facet panels side by side by this field. */
  facet?: string;
  /** Dashed lines: points whose `dashField` is truthy. */
  dashBy?: string;
  xLabel: string;
  yLabel: string;
  xType?: 'linear' | 'log' | 'band';
  yPercent?: boolean;
  /** Vertical rules with a label (rule lines, thresholds). */
  xRules?: { x: number; label: string; facet?: string | number }[];
  /** Horizontal band (e.g. the claimed 10–30%). */
  yBand?: { from: number; to: number; label: string };
  /** Marked points (e.g. knees). */
  marks?: { x: number; y: number; label: string; facet?: string | number }[];
  caption: string;
}

export interface TextBlock {
  kind: 'text';
  markdown: string;
}

export interface VerdictBlock {
  kind: 'verdict';
  verdict: Verdict;
}

export type Block = TextBlock | TableBlock | ChartBlock | VerdictBlock;

export interface Section {
  id: string;
  title: string;
  /** A few words for the terminal summary. */
  shortTitle: string;
  question: string;
  headlines: Headline[];
  blocks: Block[];
  /** Where the data do not support a claim or the model cannot speak (markdown bullets). */
  limits: string[];
}
