/** The hardware catalog: built-in data, cluster resolution, user files, validation errors and derived chips. */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { predictCollective } from '../src/api/collective.js';
import {
  builtinCatalog,
  CatalogError,
  deriveChip,
  findChip,
  listClusters,
  loadCatalog,
  resolveCluster,
  validateCatalogDocument,
  writeCatalogEntries,
  type Catalog,
  type ChipSpec,
  type Figure,
} from '../src/catalog/index.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'linkcap-catalog-'));
}

/** A catalog from the built-ins plus one YAML/JSON text, loaded as a user file would be. */
function withFile(text: string, name = 'extra.yaml'): Catalog {
  const dir = tempDir();
  writeFileSync(join(dir, name), text);
  return loadCatalog({ cwd: dir, files: [name], env: {} });
}

function loadError(text: string, name = 'bad.yaml'): string {
  try {
    withFile(text, name);
  } catch (error) {
    expect(error).toBeInstanceOf(CatalogError);
    return (error as Error).message;
  }
  throw new Error('expected the file to be rejected');
}

const HARDWARE_MD_CHIPS = [
  'a100-sxm', 'a800-sxm', 'h100-sxm', 'h100-pcie', 'h800-sxm', 'h800-pcie', 'h20', 'l20', 'h200-sxm', 'b200', 'gb200',
  'mi250x', 'mi300x', 'mi325x', 'ascend-910b', 'ascend-910c', 'gaudi2', 'gaudi3', 'tpu-v5p',
];

const FIGURE_FIELDS = ['bf16Tflops', 'memoryGB', 'memoryTBps', 'pcieBidirGBps', 'scaleOutGbps', 'tdpW', 'logicDieAreaMm2', 'launchYear'] as const;

describe('built-in chips', () => {
  const catalog = builtinCatalog();

  it('hold every chip of hardware.md', () => {
    expect([...catalog.chips.keys()]).toEqual(HARDWARE_MD_CHIPS);
  });

  it('give every figure with a known source key (or "assumption" with a note)', () => {
    const keys = new Set([...catalog.sources.keys(), 'assumption']);
    for (const chip of catalog.chips.values()) {
      const figures: [string, Figure | undefined][] = [
        ...FIGURE_FIELDS.map((f) => [f, chip[f]] as [string, Figure | undefined]),
        ['scaleUp.bidirectionalGBps', chip.scaleUp.bidirectionalGBps],
      ];
      for (const [field, figure] of figures) {
        if (field === 'scaleUp.bidirectionalGBps' && chip.scaleUp.topology === 'none') continue;
        expect(figure, `${chip.id}.${field}`).toBeDefined();
        expect(keys.has(figure!.source), `${chip.id}.${field} source ${figure!.source}`).toBe(true);
        if (figure!.source === 'assumption') expect(figure!.note, `${chip.id}.${field} needs a note`).toBeTruthy();
      }
      expect(chip.fp8Tflops ?? chip.int8Tops ?? chip.id === 'ascend-910c', `${chip.id} low-precision rate`).toBeTruthy();
    }
  });

  it('keep the numbers of hardware.md', () => {
    const h100 = catalog.chips.get('h100-sxm')!;
    expect([h100.bf16Tflops.value, h100.fp8Tflops?.value, h100.memoryGB.value, h100.memoryTBps.value]).toEqual([989, 1979, 80, 3.35]);
    expect([h100.scaleUp.links?.value, h100.scaleUp.bidirectionalGBps?.value, h100.tdpW?.value, h100.logicDieAreaMm2?.value]).toEqual([18, 900, 700, 814]);
    const h800 = catalog.chips.get('h800-sxm')!;
    expect([h800.scaleUp.links?.value, h800.scaleUp.bidirectionalGBps?.value, h800.fp8Tflops?.value]).toEqual([8, 400, 1979]);
    expect(catalog.chips.get('a800-sxm')!.scaleUp.bidirectionalGBps?.value).toBe(400);
    expect(catalog.chips.get('h20')!.fp8Tflops?.value).toBe(296);
    expect(catalog.chips.get('l20')!.scaleUp.topology).toBe('none');
    expect(catalog.chips.get('b200')!.scaleUp.bidirectionalGBps?.value).toBe(1800);
    expect(catalog.chips.get('mi300x')!.scaleUp.bidirectionalGBps?.value).toBe(896);
    expect(catalog.chips.get('ascend-910b')!.scaleUp.bidirectionalGBps?.value).toBe(392);
    expect(catalog.chips.get('gaudi3')!.bf16Tflops.value).toBe(1835);
  });

  it('mark exactly the figures hardware.md marks (unconfirmed)', () => {
    const marked: string[] = [];
    for (const chip of catalog.chips.values()) {
      const visit = (value: unknown, path: string) => {
        if (value && typeof value === 'object') {
          if ('unconfirmed' in value && (value as Figure).unconfirmed) marked.push(path);
          else for (const [key, child] of Object.entries(value)) visit(child, `${path}.${key}`);
        }
      };
      visit(chip, chip.id);
    }
    expect(marked.sort()).toEqual(
      [
        'h800-pcie.scaleUp.bidirectionalGBps', 'h800-pcie.tdpW', 'h20.scaleOutGbps', 'b200.logicDieAreaMm2',
        'gb200.scaleOutGbps', 'gb200.logicDieAreaMm2', 'mi250x.scaleOutGbps', 'mi300x.scaleOutGbps', 'mi300x.logicDieAreaMm2',
        'mi325x.scaleOutGbps', 'mi325x.logicDieAreaMm2', 'ascend-910b.logicDieAreaMm2', 'ascend-910c.tdpW',
        'ascend-910c.logicDieAreaMm2', 'gaudi2.logicDieAreaMm2', 'gaudi3.scaleOutGbps', 'gaudi3.logicDieAreaMm2', 'tpu-v5p.logicDieAreaMm2',
      ].sort(),
    );
  });

  it('find chips by alias, case-insensitively', () => {
    expect(findChip(catalog, 'H100')?.id).toBe('h100-sxm');
    expect(findChip(catalog, 'a800')?.id).toBe('a800-sxm');
    expect(findChip(catalog, 'nope')).toBeUndefined();
  });

  it('are frozen, so callers cannot change the shared data', () => {
    const chip = catalog.chips.get('h100-sxm') as ChipSpec;
    expect(() => {
      (chip.bf16Tflops as { value: number }).value = 1;
    }).toThrow();
  });

  it('are browser-safe: only load-file.ts and cluster-ref.ts import node: modules', () => {
    const dir = new URL('../src/catalog/', import.meta.url);
    for (const file of readdirSync(dir)) {
      const text = readFileSync(new URL(file, dir), 'utf8');
      if (file === 'load-file.ts' || file === 'cluster-ref.ts') continue;
      expect(text, file).not.toMatch(/from 'node:/);
    }
  });
});

describe('cluster presets resolve into ClusterParams', () => {
  const catalog = builtinCatalog();
  const params = (id: string) => resolveCluster(id, catalog).params;

  it('has every preset of the issue', () => {
    expect([...catalog.clusters.keys()]).toEqual([
      'dgx-h100', 'hgx-h800', 'dgx-a100', 'a800-node', 'h20-node', 'hgx-h200', 'hgx-b200', 'gb200-nvl72', 'mi300x-node',
      'ascend-910b-node', 'deepseek-v3-h800', 'tencent-hcc-h800-2023', 'tencent-hcc-previous',
    ]);
    expect(listClusters(catalog)).toHaveLength(13);
  });

  it('H100: 900/2 × 20.6/25 = 370.8 GB/s NVLink, 400G × 0.96 = 48 GB/s NIC, NVLS 0.75, 32 domains per leaf', () => {
    expect(params('dgx-h100')).toEqual({
      gpusPerDomain: 8,
      scaleUpTopology: 0,
      scaleUpGBps: 370.8,
      scaleUpHopUs: 0.6,
      inSwitchReduction: 1,
      nvlsEfficiency: 0.75,
      llCapGBps: 141,
      scaleOutGBps: 48,
      scaleOutHopUs: 2.7,
      tierHopUs: 0.45,
      leafDomains: 32,
      oversubscription: 1,
      inNetworkReduction: 0,
      inNetworkEfficiency: 0.9,
      callLatencyUs: 0,
      cudaGraph: 0,
    });
    expect(resolveCluster('dgx-h100', catalog).provenance.scaleUpGBps.formula).toContain('900 GB/s bidirectional / 2 = 450 per direction × efficiency 0.824 = 370.8');
  });

  it.each([
    ['hgx-h800', 164.8, 48, 1, 141],
    ['dgx-a100', 240, 24, 0, 87.7],
    ['a800-node', 160, 24, 0, 87.7],
    ['h20-node', 370.8, 48, 1, 141],
    ['hgx-h200', 370.8, 48, 1, 141],
    ['hgx-b200', 721.8, 48, 1, 282],
    ['gb200-nvl72', 721.8, 48, 1, 282],
    ['mi300x-node', 358.4, 48, 0, 87.7],
    ['ascend-910b-node', 156.8, 24, 0, 87.7],
    ['deepseek-v3-h800', 164.8, 48, 1, 141],
    ['tencent-hcc-h800-2023', 164.8, 48, 1, 141],
    ['tencent-hcc-previous', 160, 24, 0, 87.7],
  ])('%s: scale-up %f, scale-out %f GB/s per direction, NVLS %i, LL cap %f', (id, up, out, nvls, ll) => {
    const p = params(id);
    expect(p.scaleUpGBps).toBeCloseTo(up, 9);
    expect(p.scaleOutGBps).toBeCloseTo(out, 9);
    expect(p.inSwitchReduction).toBe(nvls);
    expect(p.llCapGBps).toBe(ll);
  });

  it('Blackwell NVLS efficiency is 0.75 × 0.74/0.85 ≈ 0.653; NVL72 is one 72-GPU domain', () => {
    expect(params('hgx-b200').nvlsEfficiency).toBe(0.653);
    expect(params('gb200-nvl72').gpusPerDomain).toBe(72);
  });

  it('MI300X and Ascend 910B are meshes; RoCE adds the ISCA’25 latency differences', () => {
    expect(params('mi300x-node').scaleUpTopology).toBe(1);
    const ascend = params('ascend-910b-node');
    expect(ascend.scaleUpTopology).toBe(1);
    // The tuner's 2.7 µs IB hop plus RoCE's 3.6 − 2.8 µs more one-way latency on one leaf.
    expect(ascend.scaleOutHopUs).toBeCloseTo(2.7 + (3.6 - 2.8), 9);
    expect(ascend.tierHopUs).toBe(1);
    expect(params('tencent-hcc-h800-2023').scaleOutHopUs).toBe(3.5);
  });

  it('named clusters carry their size; node presets do not', () => {
    expect(resolveCluster('deepseek-v3-h800', catalog).maxGpus).toBe(2048);
    expect(resolveCluster('dgx-h100', catalog).maxGpus).toBeUndefined();
    expect(resolveCluster('dgx-a100', catalog).params.leafDomains).toBe(20);
  });

  it('notes show assumptions and unconfirmed figures', () => {
    const mi300x = resolveCluster('mi300x-node', catalog).notes.join('\n');
    expect(mi300x).toMatch(/scaleUp.efficiency 0.8 is an assumption/);
    expect(mi300x).toMatch(/nicGbps 400 is unconfirmed/);
    expect(resolveCluster('tencent-hcc-previous', catalog).notes.join('\n')).toMatch(/A800 is assumed|A800/);
    expect(resolveCluster('dgx-h100', catalog).notes).toEqual([]);
    expect(resolveCluster('mi300x-node', catalog).provenance.scaleUpGBps.assumption).toBe(true);
  });

  it('finds presets by alias and case, and chips by their node preset', () => {
    expect(resolveCluster('HGX-H100', catalog).id).toBe('dgx-h100');
    expect(resolveCluster('hgx-a800', catalog).id).toBe('a800-node');
    const viaChip = resolveCluster('h800', catalog);
    expect(viaChip.id).toBe('hgx-h800');
    expect(viaChip.notes[0]).toMatch(/chip h800-sxm; using its node preset hgx-h800/);
  });

  it('rejects unknown ids with the closest known ids', () => {
    expect(() => resolveCluster('dgx-h10', catalog)).toThrow(/unknown cluster "dgx-h10".*closest known ids: .*dgx-h100/);
    expect(() => resolveCluster('l20', catalog)).toThrow(/chip l20 has no node preset/);
  });
});

describe('user catalog files', () => {
  const userFile = `
chips:
  h100-sxm:
    derivedFrom: h100-sxm
    memoryTBps: 3.9
  my-chip:
    name: My accelerator
    vendor: Me
    architecture: other
    bf16Tflops: 500
    memoryGB: 64
    memoryTBps: 2
    scaleUp: { technology: custom, topology: ring, bidirectionalGBps: 200 }
clusters:
  my-node:
    name: My node
    chip: my-chip
    gpusPerDomain: 4
    scaleUp: {}
    scaleOut: { fabric: roce, nicsPerGpu: 2, nicGbps: 100, railOptimized: false, leafRadix: 32 }
`;

  it('add chips and clusters in human units, with plain numbers, and override built-ins by id', () => {
    const catalog = withFile(userFile);
    expect(catalog.chips.get('h100-sxm')!.memoryTBps).toEqual({ value: 3.9, source: 'user' });
    expect(catalog.chips.get('h100-sxm')!.bf16Tflops.value).toBe(989); // inherited
    expect(catalog.origins.get('chips.my-chip')).toMatch(/extra\.yaml$/);
    const node = resolveCluster('my-node', catalog);
    expect(node.params.scaleUpTopology).toBe(2);
    expect(node.params.scaleUpGBps).toBeCloseTo(100 * 0.8, 9);
    expect(node.params.scaleOutGBps).toBeCloseTo((2 * 100 * 0.96) / 8, 9);
    // Not rail-optimized: 32-port leaf → 16 downlinks / (4 GPUs × 2 NICs) = 2 domains per leaf.
    expect(node.params.leafDomains).toBe(2);
    expect(node.notes.join('\n')).toMatch(/scaleUp.efficiency 0.8 is an assumption/);
  });

  it('are read from ./linkcap.catalog.yaml, then $LINKCAP_CATALOG, then --catalog files; later ids win', () => {
    const dir = tempDir();
    const chip = (tflops: number) => `chips:\n  h100-sxm:\n    derivedFrom: h100-sxm\n    bf16Tflops: ${tflops}\n`;
    writeFileSync(join(dir, 'linkcap.catalog.yaml'), chip(1));
    writeFileSync(join(dir, 'env-a.json'), JSON.stringify({ chips: { 'h100-sxm': { derivedFrom: 'h100-sxm', bf16Tflops: 2 } } }));
    writeFileSync(join(dir, 'env-b.yaml'), chip(3));
    writeFileSync(join(dir, 'cli.yml'), chip(4));
    const bf16 = (c: Catalog) => c.chips.get('h100-sxm')!.bf16Tflops.value;
    expect(bf16(loadCatalog({ cwd: dir, env: {} }))).toBe(1);
    expect(bf16(loadCatalog({ cwd: dir, env: { LINKCAP_CATALOG: 'env-a.json:env-b.yaml' } }))).toBe(3);
    expect(bf16(loadCatalog({ cwd: dir, env: { LINKCAP_CATALOG: 'env-a.json' }, files: ['cli.yml'] }))).toBe(4);
    expect(bf16(loadCatalog({ cwd: tempDir(), env: {} }))).toBe(989);
  });

  it('--cluster accepts a file holding one cluster (bare or as a catalog document)', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'rack.yaml'), 'chip: h800\ngpusPerDomain: 8\nscaleUp: { topology: switch }\nscaleOut: { fabric: infiniband, nicsPerGpu: 2, nicGbps: 400 }\n');
    const bare = resolveCluster('rack.yaml', builtinCatalog(), dir);
    expect(bare.id).toBe('rack');
    expect(bare.name).toBe('rack');
    expect(bare.chip.id).toBe('h800-sxm');
    expect(bare.params.scaleOutGBps).toBeCloseTo(96, 9);
    writeFileSync(join(dir, 'doc.json'), JSON.stringify({ clusters: { mine: { name: 'Mine', chip: 'a100', gpusPerDomain: 8, scaleUp: {}, scaleOut: { fabric: 'infiniband', nicsPerGpu: 1, nicGbps: 200 } } } }));
    expect(resolveCluster('./doc.json', builtinCatalog(), dir).params.scaleUpGBps).toBe(240);
    expect(() => resolveCluster('./missing.yaml', builtinCatalog(), dir)).toThrow(/does not exist/);
  });

  it('catalog documents require a name for each cluster (bare --cluster files default it to the id)', () => {
    expect(loadError('clusters:\n  x:\n    chip: h100\n    gpusPerDomain: 8\n    scaleUp: {}\n    scaleOut: { fabric: infiniband, nicsPerGpu: 1, nicGbps: 400 }\n')).toMatch(/clusters\.x\.name: is required/);
  });
});

describe('bad catalog files: errors name the file and the field', () => {
  const node = (scaleOut: string, extra = '') =>
    `clusters:\n  my-node:\n    name: N\n    chip: h100\n    gpusPerDomain: 8\n    scaleUp: {}\n    scaleOut: ${scaleOut}\n${extra}`;

  it('negative values', () => {
    const message = loadError(node('{ fabric: infiniband, nicsPerGpu: 1, nicGbps: -5 }'));
    expect(message).toMatch(/bad\.yaml: clusters\.my-node\.scaleOut\.nicGbps = -5: must be > 0$/);
  });

  it('wrong types', () => {
    expect(loadError(node('{ fabric: infiniband, nicsPerGpu: 1, nicGbps: fast }'))).toMatch(/clusters\.my-node\.scaleOut\.nicGbps = "fast": must be a number \(must be > 0\)/);
    expect(loadError(node('{ fabric: infiniband, nicsPerGpu: 1, nicGbps: 400, railOptimized: maybe }'))).toMatch(/scaleOut\.railOptimized = "maybe": must be true or false/);
    expect(loadError('chips: [1, 2]\n')).toMatch(/chips = a list: must be an object keyed by id/);
    expect(loadError(node('{ fabric: infiniband, nicsPerGpu: 1, nicGbps: 400 }').replace('gpusPerDomain: 8', 'gpusPerDomain: 7.5'))).toMatch(
      /clusters\.my-node\.gpusPerDomain = 7.5: must be a whole number ≥ 1/,
    );
  });

  it('out-of-range fractions', () => {
    expect(loadError(node('{ fabric: infiniband, nicsPerGpu: 1, nicGbps: 400, efficiency: 1.5 }'))).toMatch(/scaleOut\.efficiency = 1.5: must be in \(0, 1\]/);
  });

  it('unknown chip references, with the closest known ids', () => {
    expect(loadError(node('{ fabric: infiniband, nicsPerGpu: 1, nicGbps: 400 }').replace('chip: h100', 'chip: h900'))).toMatch(
      /clusters\.my-node\.chip = "h900": unknown chip; closest known ids: .*h\d00/,
    );
  });

  it('unknown fields, with a hint', () => {
    expect(loadError(node('{ fabric: infiniband, nicsPerGpu: 1, nicGBps: 400 }'))).toMatch(/clusters\.my-node\.scaleOut\.nicGBps: unknown field \(did you mean nicGbps\?\); allowed: fabric/);
    expect(loadError('gpus:\n  x: 1\n')).toMatch(/\(document\)\.gpus: unknown field/);
  });

  it('missing required fields and unknown fabrics without latencies', () => {
    expect(loadError(node('{ fabric: infiniband, nicGbps: 400 }'))).toMatch(/clusters\.my-node\.scaleOut\.nicsPerGpu: is required \(must be > 0\)/);
    expect(loadError(node('{ fabric: slingshot, nicsPerGpu: 1, nicGbps: 200 }'))).toMatch(
      /clusters\.my-node\.scaleOut\.hopLatencyUs: is required \(fabric "slingshot" has no defaults \(known: infiniband, roce\)/,
    );
  });

  it('a chip without a scale-up figure cannot make a cluster unless the cluster gives one', () => {
    const l20 = (scaleUp: string) => `clusters:\n  box:\n    name: B\n    chip: l20\n    gpusPerDomain: 8\n    scaleUp: ${scaleUp}\n    scaleOut: { fabric: roce, nicsPerGpu: 1, nicGbps: 200 }\n`;
    expect(loadError(l20('{}'))).toMatch(/clusters\.box\.scaleUp\.topology: is required \(chip l20 has scale-up topology "none"/);
    expect(resolveCluster('box', withFile(l20('{ topology: ring, bidirectionalGBps: 64 }'))).params.scaleUpGBps).toBeCloseTo(25.6, 9);
  });

  it('unknown source keys, derivation cycles and unknown bases', () => {
    expect(loadError('chips:\n  x:\n    derivedFrom: h100\n    bf16Tflops: { value: 1, source: WIKI }\n')).toMatch(/chips\.x\.bf16Tflops\.source = "WIKI": unknown source key/);
    expect(loadError('chips:\n  a:\n    derivedFrom: b\n  b:\n    derivedFrom: a\n')).toMatch(/derivation cycle/);
    expect(loadError('chips:\n  a:\n    derivedFrom: h900\n')).toMatch(/chips\.a\.derivedFrom = "h900": unknown chip; closest known ids/);
  });

  it('syntax errors name the file', () => {
    expect(loadError('chips: {\n', 'broken.yaml')).toMatch(/broken\.yaml: \(document\): not valid YAML/);
    expect(loadError('{"chips": ', 'broken.json')).toMatch(/broken\.json: \(document\): not valid JSON/);
  });

  it('the built-in rule of sources: every built-in number must cite one', () => {
    expect(() => validateCatalogDocument({ chips: { x: { bf16Tflops: 5 } } }, 'builtin-test', { requireSources: true })).toThrow(
      /chips\.x\.bf16Tflops = 5: must be \{value, source\}/,
    );
  });

  it('several problems are listed together', () => {
    const message = loadError(node('{ fabric: infiniband, nicsPerGpu: 0, nicGbps: -5 }'));
    expect(message).toMatch(/2 problems/);
    expect(message).toMatch(/nicsPerGpu = 0: must be > 0/);
    expect(message).toMatch(/nicGbps = -5: must be > 0/);
  });
});

describe('derived chips', () => {
  it('`derive h100 --scale-up 400` reproduces the H800 node (same ClusterParams as hgx-h800)', () => {
    const catalog = builtinCatalog();
    const variant = deriveChip(catalog, 'h100', { name: 'my-h800', scaleUpBidirGBps: 400 });
    expect(variant.chip.hypothetical).toBe(true);
    expect(variant.chip.derivedFrom).toBe('h100-sxm');
    expect(variant.chip.scaleUp.links?.value).toBe(8);
    expect(variant.chip.bf16Tflops.value).toBe(989);
    expect(variant.chip.aliases).toBeUndefined();
    expect(variant.cluster?.params).toEqual(resolveCluster('hgx-h800', catalog).params);
    expect(variant.changes[0]).toBe('scale-up 900 → 400 GB/s bidirectional per GPU (achievable 370.8 → 164.8 GB/s per direction)');
    expect(variant.cluster?.notes[0]).toMatch(/hypothetical chip my-h800, derived from h100-sxm/);
    // The input catalog is unchanged.
    expect(catalog.chips.has('my-h800')).toBe(false);
  });

  it('feeds the collective engine: the derived chip changes predictions', () => {
    const catalog = builtinCatalog();
    const variant = deriveChip(catalog, 'h100', { name: 'my-h800', scaleUpBidirGBps: 400 });
    const request = { op: 'all-reduce' as const, bytes: 2 ** 30, gpus: 8, engine: 'reference' as const };
    const h100 = predictCollective({ ...request, cluster: resolveCluster('dgx-h100', catalog) });
    const mine = predictCollective({ ...request, cluster: variant.cluster! });
    const h800 = predictCollective({ ...request, cluster: resolveCluster('hgx-h800', catalog) });
    expect(mine.timeS).toBeGreaterThan(h100.timeS * 1.5);
    expect(mine.timeS).toBeCloseTo(h800.timeS, 12);
  });

  it('changes compute, memory and NICs; non-dividing link counts become unknown', () => {
    const variant = deriveChip(builtinCatalog(), 'h100-sxm', { name: 'fat', scaleUpBidirGBps: 420, fp8Tflops: 500, memoryTBps: 2, nicsPerGpu: 2, nicGbps: 200 });
    expect(variant.chip.scaleUp.links).toBeUndefined();
    expect(variant.chip.fp8Tflops?.value).toBe(500);
    expect(variant.cluster!.params.scaleOutGBps).toBeCloseTo(48, 9);
    expect(variant.changes.join('\n')).toMatch(/scale-out 1 × 400 → 2 × 200 Gb\/s per GPU/);
    expect(variant.changes.join('\n')).toMatch(/memory bandwidth 3.35 → 2 TB\/s/);
  });

  it('rejects bad names and values naming the option', () => {
    const catalog = builtinCatalog();
    expect(() => deriveChip(catalog, 'h100', { name: 'h800', scaleUpBidirGBps: 400 })).toThrow(/^name: "h800" is already chip h800-sxm/);
    expect(() => deriveChip(catalog, 'h100', { name: 'dgx-a100' })).toThrow(/already cluster dgx-a100/);
    expect(() => deriveChip(catalog, 'h100', { name: 'bad name' })).toThrow(/^name: /);
    expect(() => deriveChip(catalog, 'h100', { name: 'x', scaleUpBidirGBps: -1 })).toThrow(/^scaleUpBidirGBps: -1: must be a number > 0/);
    expect(() => deriveChip(catalog, 'h999', { name: 'x' })).toThrow(/unknown chip "h999"/);
    expect(() => deriveChip(catalog, 'l20', { name: 'x', nicsPerGpu: 2 })).toThrow(/no node preset/);
  });

  it('writes into a user catalog file atomically; loadCatalog then resolves --cluster my-h800', async () => {
    const dir = tempDir();
    const file = join(dir, 'linkcap.catalog.yaml');
    writeFileSync(file, '# my own notes\nchips: {}\n');
    const variant = deriveChip(loadCatalog({ cwd: dir, env: {} }), 'h100', { name: 'my-h800', scaleUpBidirGBps: 400 });
    expect(await writeCatalogEntries(file, variant.entries)).toEqual({ created: false, target: file });
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/# my own notes/);
    expect(text).toMatch(/bidirectionalGBps: \{ value: 400, source: user/);
    expect(readdirSync(dir)).toEqual(['linkcap.catalog.yaml']);
    const catalog = loadCatalog({ cwd: dir, env: {} });
    expect(resolveCluster('my-h800', catalog).params.scaleUpGBps).toBe(164.8);
    // Deriving again with the same name is refused unless replace is asked for, then replaces the variant.
    const again = deriveChip(catalog, 'h100', { name: 'my-h800', scaleUpBidirGBps: 600 });
    await expect(writeCatalogEntries(file, again.entries)).rejects.toThrow(/^chips\.my-h800: already in .*linkcap\.catalog\.yaml; choose another name/);
    expect(readFileSync(file, 'utf8')).toBe(text);
    await writeCatalogEntries(file, again.entries, { replace: true });
    expect(resolveCluster('my-h800', loadCatalog({ cwd: dir, env: {} })).params.scaleUpGBps).toBeCloseTo(247.2, 9);
  });

  it('writes JSON files too, and creates missing ones', async () => {
    const dir = tempDir();
    const file = join(dir, 'variants.json');
    const variant = deriveChip(builtinCatalog(), 'a100', { name: 'a100-capped', scaleUpBidirGBps: 400 });
    expect(await writeCatalogEntries(file, variant.entries)).toEqual({ created: true, target: file });
    expect(existsSync(file)).toBe(true);
    const catalog = loadCatalog({ cwd: dir, env: {}, files: ['variants.json'] });
    expect(resolveCluster('a100-capped', catalog).params).toEqual(resolveCluster('a800-node', catalog).params);
  });
});
