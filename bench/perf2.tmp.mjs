import { parseSweepSpec, sweep, listClusters, loadCatalog } from '@linkcap/core';
const clusters = listClusters(loadCatalog()).map((c) => c.id);
const text = `kind: collective
axes:
  cluster: [${clusters.join(', ')}]
  op: [all-reduce, all-gather, reduce-scatter, broadcast, reduce, all-to-all, send-recv]
  gpus: [8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192]
  bytes: 8B..8GiB x2
  rep: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39]
reduce:
  - { name: best, kind: argmin, metric: timeS, by: [cluster, op, gpus] }
output: { rows: none }
`;
void text;
const text2 = text.replace(/  rep:.*\n/, '').replace('bytes: 8B..8GiB x2', 'bytes: 8B..8GiB x1.001');
const { spec } = parseSweepSpec(text2);
const run = sweep(spec, { threads: Number(process.argv[2] ?? 0) });
const t = performance.now();
const r = await run.result();
const s = (performance.now() - t) / 1000;
console.log(r.points.evaluated, 'points', r.points.ok, 'ok', s.toFixed(2), 's', (r.points.evaluated / s / 1e6).toFixed(1), 'M/s');
