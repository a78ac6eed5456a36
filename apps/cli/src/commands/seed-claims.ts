/**
 * The training part of `linkcap demo` (`npm start`): the seed claims of shared/reference/training.md priced by
 * the training model, with the implementation profile they assume named.
 *  - Reuters 2023-05-03: H800 (NVLink 400 GB/s) "will likely take 10% to 30% longer" than H100 on some AI tasks;
 *    smaller models suffer less. Per model: the classic Megatron layout carried unchanged, and each cluster's
 *    own best layout.
 *  - Tencent 2023-04-14: a 1-trillion-parameter model took 11 days on its previous cluster (A800-class, 1.6 Tb/s
 *    per server) and "would shorten to 4 days" on H800 with 3.2 Tb/s per server.
 * README.md quotes this output (test/seed-claims.test.ts keeps the two in step).
 */
import { compareClusters, PROFILES, predictTraining, type ProfileId, type ResolvedCluster } from '@linkcap/core';
import { formatNumber, renderTable } from '../util/output.js';
import { shortLayout } from './train-shared.js';

/** The profile the seed claims assume (the library's default). */
export const SEED_PROFILE: ProfileId = 'megatron-core';
/** The software of 2023, when the claims were made: blocking TP communication (no userbuffer overlap). */
export const SEED_PROFILE_2023: ProfileId = 'megatron-lm-2021';

const CASES = [
  { model: 'llama3-8b', gpus: 64, layout: { tp: 1, pp: 1 }, classic: 'TP1 (DP64)', globalBatch: 512 },
  { model: 'llama3-70b', gpus: 1024, layout: { tp: 8, pp: 4 }, classic: 'TP8 PP4', globalBatch: 512 },
  { model: 'gpt3-175b', gpus: 1024, layout: { tp: 8, pp: 8 }, classic: 'TP8 PP8', globalBatch: 1536 },
  { model: 'llama3-405b', gpus: 2048, layout: { tp: 8, pp: 16 }, classic: 'TP8 PP16', globalBatch: 1024 },
] as const;

function times(x: number): string {
  return Number.isFinite(x) ? `${formatNumber(x, 3)}×` : '-';
}

/** H100 vs H800 per model: the same classic layout, and each cluster's best. */
export function reutersTable(h100: ResolvedCluster, h800: ResolvedCluster): string {
  const rows = CASES.map(({ model, gpus, layout, classic, globalBatch }) => {
    const request = { model, gpus, profile: SEED_PROFILE, layout: { ...layout, globalBatch } };
    const fast = predictTraining({ ...request, cluster: h100 });
    const capped = predictTraining({ ...request, cluster: h800 });
    const old = { ...request, profile: SEED_PROFILE_2023 };
    const oldSlowdown = predictTraining({ ...old, cluster: h800 }).stepS / predictTraining({ ...old, cluster: h100 }).stepS;
    const tuned = compareClusters({ model, clusters: [h100, h800], gpus, globalBatch, profile: SEED_PROFILE });
    const [base, other] = tuned.clusters;
    return [
      model,
      String(gpus),
      classic,
      times(oldSlowdown),
      times(capped.stepS / fast.stepS),
      base.best ? shortLayout(base.best) : '-',
      other.best ? shortLayout(other.best) : '-',
      times(other.slowdownBest),
    ];
  });
  return renderTable(
    [
      { header: 'model', align: 'left' },
      { header: 'GPUs' },
      { header: 'classic layout', align: 'left' },
      { header: `H800/H100 ${SEED_PROFILE_2023}` },
      { header: `H800/H100 ${SEED_PROFILE}` },
      { header: `best on ${h100.id}`, align: 'left' },
      { header: `best on ${h800.id}`, align: 'left' },
      { header: 'H800/H100 best layouts' },
    ],
    rows,
  );
}

/** Tencent's 1T model on its A800-class 1.6 Tb/s cluster against the H800 3.2 Tb/s one, best layouts. */
export function tencentLine(previous: ResolvedCluster, h800: ResolvedCluster): string {
  const model = 'dense-1t';
  const gpus = 2048;
  const result = compareClusters({ model, clusters: [previous, h800], gpus, globalBatch: 2048, profile: SEED_PROFILE });
  const [old, next] = result.clusters;
  const speedup = old.best && next.best ? old.best.stepS / next.best.stepS : NaN;
  return (
    `Tencent (1T parameters, ${gpus} GPUs, best layouts): ${previous.id} ${old.best ? shortLayout(old.best) : 'no layout fits'} → ` +
    `${h800.id} ${next.best ? shortLayout(next.best) : 'no layout fits'}: ${formatNumber(speedup, 2)}× faster ` +
    `(Tencent: 11 days → 4 days = 2.75×)`
  );
}

export function seedClaimsText(h100: ResolvedCluster, h800: ResolvedCluster, previous: ResolvedCluster, tencentH800: ResolvedCluster): string {
  return [
    `Training step time, H800 against H100. Profile ${SEED_PROFILE} (the default): ${PROFILES[SEED_PROFILE].description}.`,
    `The ${SEED_PROFILE_2023} column prices the classic layout with 2023's blocking TP communication; the best layouts use ${SEED_PROFILE}.`,
    reutersTable(h100, h800),
    '(Reuters 2023-05-03: H800 "will likely take 10% to 30% longer" on some AI tasks; smaller models suffer less.)',
    '',
    tencentLine(previous, tencentH800),
  ].join('\n');
}
