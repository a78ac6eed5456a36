/**
 * `linkcap chips`: the accelerators of the catalog with their key figures, sources and marks;
 * `linkcap chips show <id>`: every figure of one chip with its source;
 * `linkcap chips derive <base> --name <id> …`: a hypothetical variant ("what if this link were capped at X?")
 * written into the user catalog file, so every other command accepts `--cluster <id>`.
 */
import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import {
  classifyChip,
  computeMetric,
  DEFAULT_CATALOG_FILES,
  DERIVE_LIMITS,
  deriveChip,
  findChip,
  findClusterSpec,
  formatGrouped,
  isSymbolicLink,
  LinkcapInputError,
  loadCatalog,
  resolveClusterId,
  writeCatalogEntries,
  type Catalog,
  type ChipSpec,
  type Figure,
} from '@linkcap/core';
import type { Command } from 'commander';
import { addCatalogOption } from '../util/cluster-option.js';
import { InputError, UsageError } from '../util/errors.js';
import { printJson, renderTable } from '../util/output.js';
import { parseNumber, parseWholeNumber } from '../util/values.js';

interface ListOptions {
  json?: boolean;
  catalog?: string[];
}

interface DeriveFlags {
  name?: string;
  scaleUp?: string;
  bf16?: string;
  fp8?: string;
  memBw?: string;
  nics?: string;
  nicGbps?: string;
  file?: string;
  dryRun?: boolean;
  force?: boolean;
  json?: boolean;
  catalog?: string[];
}

const LEGEND =
  'Marks: * unconfirmed (only secondary sources; shared/reference/hardware.md marks it), † linkcap assumption (see `linkcap chips show ID`), ? unknown, – none.\n' +
  'Rates are dense. Scale-up GB/s is bidirectional per GPU (half flows each way: 900 = 450 per direction); NIC Gb/s is per direction.';

/** "989", "400*", "?" (unknown), "–" (absent). */
function cell(figure: Figure | undefined, suffix = ''): string {
  if (figure === undefined) return '–';
  if (figure.value === null) return `?${figure.unconfirmed ? '*' : ''}`;
  const marks = `${figure.unconfirmed ? '*' : ''}${figure.source === 'assumption' ? '†' : ''}`;
  return `${formatGrouped(figure.value, 3)}${suffix}${marks}`;
}

function lowPrecision(chip: ChipSpec): string {
  if (chip.fp8Tflops) return cell(chip.fp8Tflops);
  if (chip.int8Tops) return `${cell(chip.int8Tops)} INT8`;
  return '–';
}

function scaleUp(chip: ChipSpec): string {
  if (chip.scaleUp.topology === 'none') return 'none';
  return cell(chip.scaleUp.bidirectionalGBps);
}

function chipRow(chip: ChipSpec): string[] {
  return [
    `${chip.id}${chip.hypothetical ? ' (hyp.)' : ''}`,
    cell(chip.bf16Tflops),
    lowPrecision(chip),
    cell(chip.memoryGB),
    cell(chip.memoryTBps),
    scaleUp(chip),
    cell(chip.scaleUp.links),
    chip.scaleUp.topology,
    cell(chip.scaleOutGbps),
    cell(chip.tdpW),
    cell(chip.logicDieAreaMm2),
    chip.name,
  ];
}

function sourcesCited(catalog: Catalog, chips: ChipSpec[]): string[] {
  const keys = new Set<string>();
  const visit = (value: unknown) => {
    if (value && typeof value === 'object') {
      if ('value' in value && typeof (value as Figure).source === 'string') keys.add((value as Figure).source);
      else Object.values(value).forEach(visit);
    }
  };
  chips.forEach(visit);
  return [...keys]
    .filter((key) => catalog.sources.has(key))
    .sort()
    .map((key) => `  [${key}] ${catalog.sources.get(key)!.title}`);
}

function listChips(options: ListOptions): void {
  const catalog = loadCatalog({ files: options.catalog });
  const chips = [...catalog.chips.values()];
  if (options.json) {
    printJson({ chips, sources: Object.fromEntries(catalog.sources) });
    return;
  }
  const table = renderTable(
    [
      { header: 'id', align: 'left' },
      { header: 'BF16 TFLOP/s' },
      { header: 'FP8 TFLOP/s' },
      { header: 'mem GB' },
      { header: 'mem TB/s' },
      { header: 'scale-up GB/s bidir' },
      { header: 'links' },
      { header: 'topology', align: 'left' },
      { header: 'NIC Gb/s' },
      { header: 'TDP W' },
      { header: 'die mm²' },
      { header: 'name', align: 'left' },
    ],
    chips.map(chipRow),
  );
  const out = [table, '', LEGEND];
  const derived = chips.filter((chip) => chip.hypothetical || chip.derivedFrom);
  if (derived.length > 0) {
    out.push('', 'Variants (hypothetical or overriding a built-in):');
    for (const chip of derived) out.push(`  ${chip.id}${chip.derivedFrom ? ` derived from ${chip.derivedFrom}` : ''} (${catalog.origins.get(`chips.${chip.id}`) ?? 'catalog'})`);
  }
  out.push('', 'Sources (every figure cites one; `linkcap chips show ID` lists them per figure):', ...sourcesCited(catalog, chips));
  out.push('', 'Details: linkcap chips show ID.  What if a link were capped? linkcap chips derive h100 --scale-up 400 --name my-h800');
  process.stdout.write(`${out.join('\n')}\n`);
}

interface FieldLine {
  label: string;
  unit: string;
  figure: Figure | undefined;
}

function chipFields(chip: ChipSpec): FieldLine[] {
  return [
    { label: 'BF16 (dense)', unit: 'TFLOP/s', figure: chip.bf16Tflops },
    { label: 'FP8 (dense)', unit: 'TFLOP/s', figure: chip.fp8Tflops },
    { label: 'INT8 (dense)', unit: 'TOPS', figure: chip.int8Tops },
    { label: 'memory', unit: `GB${chip.memoryType ? ` ${chip.memoryType}` : ''}`, figure: chip.memoryGB },
    { label: 'memory bandwidth', unit: 'TB/s', figure: chip.memoryTBps },
    { label: 'HBM stacks', unit: '', figure: chip.hbmStacks },
    { label: 'scale-up links', unit: '', figure: chip.scaleUp.links },
    { label: 'scale-up bandwidth', unit: 'GB/s bidirectional per GPU', figure: chip.scaleUp.bidirectionalGBps },
    { label: 'PCIe', unit: 'GB/s bidirectional', figure: chip.pcieBidirGBps },
    { label: 'scale-out NIC', unit: 'Gb/s per direction per GPU', figure: chip.scaleOutGbps },
    { label: 'TDP', unit: 'W', figure: chip.tdpW },
    { label: 'logic die area', unit: 'mm²', figure: chip.logicDieAreaMm2 },
    { label: 'launch year', unit: '', figure: chip.launchYear },
  ];
}

function showChip(ref: string, options: ListOptions): void {
  const catalog = loadCatalog({ files: options.catalog });
  const chip = findChip(catalog, ref);
  if (!chip) throw new LinkcapInputError('chip', `unknown chip "${ref}"; known: ${[...catalog.chips.keys()].join(', ')}`);
  const metrics = ['tpp', 'performanceDensity', 'ioBidirGBps', 'dramBandwidthGBps'] as const;
  const computed = metrics.map((id) => computeMetric(id, chip, catalog.defaults));
  const node = chip.defaultCluster && findClusterSpec(catalog, chip.defaultCluster) ? resolveClusterId(chip.defaultCluster, catalog) : undefined;
  if (options.json) {
    printJson({ chip, metrics: computed, origin: catalog.origins.get(`chips.${chip.id}`), nodePreset: node ? { id: node.id, params: node.params } : null });
    return;
  }
  const lines = [`${chip.name} (${chip.id})`];
  if (chip.aliases?.length) lines.push(`  aliases: ${chip.aliases.join(', ')}`);
  lines.push(`  vendor ${chip.vendor}, architecture ${chip.architecture}; from ${catalog.origins.get(`chips.${chip.id}`) ?? 'catalog'}`);
  if (chip.hypothetical) lines.push(`  HYPOTHETICAL variant${chip.derivedFrom ? ` derived from ${chip.derivedFrom}` : ''}`);
  else if (chip.derivedFrom) lines.push(`  overrides / derives from ${chip.derivedFrom}`);
  lines.push(`  scale-up: ${chip.scaleUp.technology}, topology ${chip.scaleUp.topology}${chip.scaleUp.note ? ` (${chip.scaleUp.note})` : ''}`, '');
  const rows = chipFields(chip)
    .filter((field) => field.figure !== undefined)
    .map((field) => {
      const f = field.figure!;
      const flags = [f.unconfirmed ? 'UNCONFIRMED' : '', f.source === 'assumption' ? 'ASSUMPTION' : ''].filter(Boolean).join(' ');
      return [field.label, f.value === null ? 'unknown' : String(f.value), field.unit, f.source, flags, f.note ?? ''];
    });
  lines.push(
    renderTable(
      [
        { header: 'figure', align: 'left' },
        { header: 'value' },
        { header: 'unit', align: 'left' },
        { header: 'source', align: 'left' },
        { header: 'mark', align: 'left' },
        { header: 'note', align: 'left' },
      ],
      rows,
    ),
  );
  lines.push('', 'Export-control metrics:', ...computed.map((m) => `  ${m.arithmetic}`));
  const verdicts = classifyChip(chip, catalog).verdicts;
  lines.push('', 'Export-control verdicts (linkcap controls --chip ' + chip.id + '):', ...verdicts.map((v) => `  ${v.shortName}: ${v.explanation}`));
  if (node) {
    lines.push(
      '',
      `Node preset ${node.id}: ${node.params.gpusPerDomain} GPUs per domain, scale-up ${node.params.scaleUpGBps} GB/s and scale-out ${node.params.scaleOutGBps} GB/s achievable per GPU per direction`,
    );
  }
  if (chip.notes?.length) {
    lines.push('', 'Notes:');
    for (const note of chip.notes) lines.push(`  ${note}`); // a loop: a spread of a huge list overflows the stack
  }
  lines.push('', 'Sources:', ...sourcesCited(catalog, [chip]));
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** A figure of `chips derive`, with the limits deriveChip enforces (DERIVE_LIMITS). */
function figure(text: string | undefined, flag: string, field: keyof typeof DERIVE_LIMITS): number | undefined {
  if (text === undefined) return undefined;
  const limit = DERIVE_LIMITS[field];
  if ('integer' in limit) return parseWholeNumber(text, flag, { min: 1, max: limit.max });
  return parseNumber(text, flag, { min: 0, minExclusive: true, max: limit.max, unit: limit.unit });
}

/** The user catalog file derive writes: --file, else the first existing default file, else ./linkcap.catalog.yaml. */
function targetFile(flag: string | undefined): { path: string; autoLoaded: boolean } {
  const cwd = process.cwd();
  if (flag) {
    const path = resolve(cwd, flag);
    return { path, autoLoaded: DEFAULT_CATALOG_FILES.some((name) => resolve(cwd, name) === path) };
  }
  const existing = DEFAULT_CATALOG_FILES.map((name) => resolve(cwd, name)).find((path) => existsSync(path));
  return { path: existing ?? resolve(cwd, DEFAULT_CATALOG_FILES[0]), autoLoaded: true };
}

async function derive(base: string, flags: DeriveFlags): Promise<void> {
  if (flags.name === undefined) throw new UsageError('--name is required: the id of the new chip and node preset, e.g. --name my-h800');
  const options = {
    name: flags.name,
    scaleUpBidirGBps: figure(flags.scaleUp, '--scale-up', 'scaleUpBidirGBps'),
    bf16Tflops: figure(flags.bf16, '--bf16', 'bf16Tflops'),
    fp8Tflops: figure(flags.fp8, '--fp8', 'fp8Tflops'),
    memoryTBps: figure(flags.memBw, '--mem-bw', 'memoryTBps'),
    nicsPerGpu: figure(flags.nics, '--nics', 'nicsPerGpu'),
    nicGbps: figure(flags.nicGbps, '--nic-gbps', 'nicGbps'),
  };
  const target = targetFile(flags.file);
  const files = [...(flags.catalog ?? [])];
  if (!target.autoLoaded && existsSync(target.path)) files.push(target.path);
  const catalog = loadCatalog({ files });
  const id = flags.name.trim().toLowerCase();
  const existing = findChip(catalog, id) ?? findClusterSpec(catalog, id);
  if (existing?.hypothetical && !flags.force) {
    const where = catalog.origins.get(`chips.${existing.id}`) ?? catalog.origins.get(`clusters.${existing.id}`) ?? 'a catalog file';
    throw new InputError(`--name: "${id}" already exists (in ${where}); pass --force to replace it, or choose another name`);
  }
  const variant = deriveChip(catalog, base, options);
  const baseVerdicts = classifyChip(variant.base.chip, catalog).verdicts;
  const newVerdicts = classifyChip(variant.chip, variant.catalog).verdicts;
  let written: { created: boolean; target: string } | undefined;
  // Locked read-merge-write: entries other runs add meanwhile are kept; a concurrent run with the same name loses.
  if (!flags.dryRun) written = await writeCatalogEntries(target.path, variant.entries, { replace: flags.force ?? false });
  const relativePath = relative(process.cwd(), target.path) || target.path;
  const shown = written && isSymbolicLink(target.path) ? `${relativePath} (a link to ${written.target})` : relativePath;
  if (flags.json) {
    printJson({
      id: variant.id,
      base: variant.base.chip.id,
      changes: variant.changes,
      chip: variant.chip,
      cluster: variant.cluster ? { id: variant.cluster.id, params: variant.cluster.params, baseParams: variant.base.cluster?.params } : null,
      controls: newVerdicts.map((v, i) => ({ rule: v.rule, base: baseVerdicts[i].verdict, variant: v.verdict, explanation: v.explanation })),
      file: flags.dryRun ? null : target.path,
      entries: variant.entries,
    });
    return;
  }
  const lines = [`${variant.id}: hypothetical variant of ${variant.base.chip.id} (${variant.base.chip.name})`, ...variant.changes.map((c) => `  ${c}`)];
  if (variant.cluster && variant.base.cluster) {
    lines.push(
      '',
      `Node preset ${variant.id} (from ${variant.base.cluster.id}): scale-up ${variant.cluster.params.scaleUpGBps} GB/s, scale-out ${variant.cluster.params.scaleOutGBps} GB/s achievable per GPU per direction`,
    );
  } else {
    lines.push('', `No node preset: ${variant.base.chip.id} has none to copy; write a cluster with chip: ${variant.id} (docs/catalog.md).`);
  }
  lines.push('', `Export controls (${variant.base.chip.id} → ${variant.id}):`);
  newVerdicts.forEach((v, i) => {
    const before = baseVerdicts[i].verdict;
    const change = before === v.verdict ? `${v.verdict} (unchanged)` : `${before} → ${v.verdict}`;
    lines.push(`  ${v.shortName}: ${change}; ${v.explanation}`);
  });
  lines.push('');
  if (flags.dryRun) lines.push(`Dry run: nothing written (would write ${shown}).`);
  else {
    lines.push(`${written?.created ? 'Created' : 'Updated'} ${shown}.`);
    const use = variant.cluster ? `linkcap collective all-reduce --cluster ${variant.id} --gpus 16 --bytes 1GiB` : `linkcap controls --chip ${variant.id}`;
    lines.push(
      target.autoLoaded
        ? `Every command in this directory now knows ${variant.id}, e.g. ${use}`
        : `Pass --catalog ${relativePath} (or set LINKCAP_CATALOG) to use it, e.g. ${use} --catalog ${relativePath}`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

export function register(program: Command): void {
  const chips = program
    .command('chips')
    .description('list accelerators with their key figures, sources and unconfirmed marks; show one; derive hypothetical variants')
    .option('--json', 'every chip with all figures, sources and notes');
  addCatalogOption(chips);
  chips.action((options: ListOptions) => listChips(options));

  const show = chips
    .command('show')
    .description('every figure of one chip with its source, its export-control metrics and verdicts')
    .argument('<id>', 'chip id or alias (h100, h800-sxm, mi300x, …)')
    .option('--json', 'machine-readable');
  addCatalogOption(show);
  show.action((id: string, _options: ListOptions, command: Command) => showChip(id, command.optsWithGlobals() as ListOptions));

  const deriveCommand = chips
    .command('derive')
    .description('make a hypothetical variant of a chip (and of its node preset) and save it in the user catalog file')
    .argument('<base>', 'chip to start from (id or alias, e.g. h100)')
    .option('--name <id>', 'id of the new chip and node preset (required), e.g. my-h800')
    .option('--scale-up <GB/s>', 'scale-up bandwidth per GPU, bidirectional GB/s, > 0 and ≤ 20,000 (H800: 400 against H100 900)')
    .option('--bf16 <TFLOP/s>', 'dense BF16 rate, > 0 and ≤ 100,000')
    .option('--fp8 <TFLOP/s>', 'dense FP8 rate, > 0 and ≤ 200,000')
    .option('--mem-bw <TB/s>', 'memory bandwidth, > 0 and ≤ 1,000')
    .option('--nics <n>', 'NICs per GPU in the node preset, 1 to 64')
    .option('--nic-gbps <Gb/s>', 'NIC line rate per direction in the node preset, > 0 and ≤ 100,000')
    .option('--file <path>', 'user catalog file to write (default ./linkcap.catalog.yaml, read automatically by every command); written through symlinks, never replacing a read-only file')
    .option('--force', 'replace a variant with the same --name')
    .option('--dry-run', 'print what would change without writing')
    .option('--json', 'machine-readable');
  addCatalogOption(deriveCommand);
  deriveCommand.action((base: string, _options: DeriveFlags, command: Command) => derive(base, command.optsWithGlobals() as DeriveFlags));
}
