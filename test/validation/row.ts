/** The shape of a computed validation row (collective-validation.mjs and training-validation.mjs produce these). */
export interface ValidationRow {
  id: string;
  setup: string;
  source: string;
  asserted: boolean;
  inBand: boolean;
  model: number;
  measured: number;
  ratio: number;
  tolerance: { relative?: number; factor?: number };
  /** Training rows: the paper the row comes from, and whether the configuration fits in memory. */
  group?: string;
  feasible?: boolean;
  role?: string;
}
