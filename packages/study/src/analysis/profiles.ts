/**
 * Overlap profiles: named sets of the five overlap fractions (the share of TP, DP, PP, EP and CP communication that
 * may hide behind its compute window; docs/model/training.md, Overlap). The specs sweep the fractions as axes and
 * keep only these combinations with `where`; the study names each result row's combination.
 */
import type { OverlapInput } from '@linkcap/core';
import type { Row } from '../results/table.js';

export const OVERLAP_PROFILES: Record<string, Required<Omit<OverlapInput, 'slowdown'>>> = {
  default: { tp: 0, dp: 1, pp: 0, ep: 0, cp: 1 },
  none: { tp: 0, dp: 0, pp: 0, ep: 0, cp: 0 },
  full: { tp: 1, dp: 1, pp: 1, ep: 1, cp: 1 },
  dualpipe: { tp: 0, dp: 1, pp: 1, ep: 1, cp: 1 },
};

const FRACTION_COLUMNS = { tp: 'tpOverlap', dp: 'dpOverlap', pp: 'ppOverlap', ep: 'epOverlap', cp: 'cpOverlap' } as const;

/** The profile a row's fractions form (missing fractions take the default's), or "custom". */
export function profileOf(row: Row): string {
  const fractions = Object.fromEntries(
    Object.entries(FRACTION_COLUMNS).map(([key, column]) => [key, typeof row[column] === 'number' ? (row[column] as number) : OVERLAP_PROFILES.default[key as keyof typeof FRACTION_COLUMNS]]),
  );
  for (const [name, profile] of Object.entries(OVERLAP_PROFILES)) {
    if ((Object.keys(FRACTION_COLUMNS) as (keyof typeof FRACTION_COLUMNS)[]).every((k) => profile[k] === fractions[k])) return name;
  }
  return 'custom';
}

/** The fractions of a row, for re-evaluating it. */
export function overlapOf(row: Row): Required<Omit<OverlapInput, 'slowdown'>> {
  const base = OVERLAP_PROFILES.default;
  const pick = (k: keyof typeof FRACTION_COLUMNS) => (typeof row[FRACTION_COLUMNS[k]] === 'number' ? (row[FRACTION_COLUMNS[k]] as number) : base[k]);
  return { tp: pick('tp'), dp: pick('dp'), pp: pick('pp'), ep: pick('ep'), cp: pick('cp') };
}

/** Adds the study's two variant columns to every row: `overlap` (the profile name) and `gemmEfficiency`. */
export function withVariant(rows: Row[]): Row[] {
  for (const row of rows) {
    row.overlap = profileOf(row);
    if (typeof row['chip.gemmEfficiency'] === 'number') row.gemmEfficiency = row['chip.gemmEfficiency'];
  }
  return rows;
}
