/** `linkcap clusters`: the cluster presets (and user clusters) with their key figures and sources. */
import { listClusters, loadCatalog, TOPOLOGIES, type ResolvedCluster } from '@linkcap/core';
import type { Command } from 'commander';
import { addCatalogOption } from '../util/cluster-option.js';
import { formatNumber, printJson, renderTable } from '../util/output.js';

interface ClustersOptions {
  json?: boolean;
  catalog?: string[];
}

/** Sources behind the two bandwidths the model leans on most (every field's are in --json). */
function keySources(cluster: ResolvedCluster): string {
  const { scaleUpGBps, scaleOutGBps } = cluster.provenance;
  return [...new Set([...scaleUpGBps.sources, ...scaleOutGBps.sources])].join(',');
}

function row(cluster: ResolvedCluster): string[] {
  const p = cluster.params;
  return [
    cluster.id,
    cluster.chip.id,
    String(p.gpusPerDomain),
    TOPOLOGIES[p.scaleUpTopology] ?? String(p.scaleUpTopology),
    formatNumber(p.scaleUpGBps, 1),
    p.inSwitchReduction ? 'yes' : 'no',
    formatNumber(p.scaleOutGBps, 1),
    cluster.maxGpus === undefined ? '-' : String(cluster.maxGpus),
    keySources(cluster),
    cluster.name,
  ];
}

function run(options: ClustersOptions): void {
  const clusters = listClusters(loadCatalog({ files: options.catalog }));
  if (options.json) {
    printJson(clusters);
    return;
  }
  const table = renderTable(
    [
      { header: 'id', align: 'left' },
      { header: 'chip', align: 'left' },
      { header: 'GPUs/domain' },
      { header: 'scale-up', align: 'left' },
      { header: 'scale-up GB/s' },
      { header: 'NVLS' },
      { header: 'scale-out GB/s' },
      { header: 'max GPUs' },
      { header: 'sources', align: 'left' },
      { header: 'name', align: 'left' },
    ],
    clusters.map(row),
  );
  process.stdout.write(`${table}\n\n`);
  process.stdout.write(
    'Bandwidths are achievable per GPU per direction in decimal GB/s (line rate × efficiency), as the model uses them.\n' +
      'sources: keys of the bandwidth figures (`linkcap chips` lists them); every parameter with its formula and\n' +
      'sources: `linkcap clusters --json`; the catalog: docs/catalog.md.\n',
  );
  const notes = clusters.flatMap((cluster) => cluster.notes.map((note) => `  ${cluster.id}: ${note}`));
  if (notes.length > 0) process.stdout.write(`\nNotes:\n${notes.join('\n')}\n`);
}

export function register(program: Command): void {
  const command = program
    .command('clusters')
    .description('list cluster presets with their key figures (scale-up and scale-out bandwidth, domain size) and sources')
    .option('--json', 'every resolved parameter, sources and notes');
  addCatalogOption(command);
  command.action(run);
}
