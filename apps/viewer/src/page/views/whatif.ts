/**
 * What-if: pick a cluster and a model, drag the scale-up bandwidth, the NIC rate, the GPU count and the layout,
 * and read the collective and training predictions, computed in this page by the TypeScript model. Each figure
 * is shown beside the preset's own (the cluster as built) so the cost of a cap reads as a ratio. Clicking a row
 * of the table copies the row's matching columns (cluster, op, bytes, gpus, …) into the panel.
 */
import { h, select } from '../dom.js';
import type { WhatIfState } from '../state.js';
import {
  clusterPresets,
  evaluateWhatIf,
  gpuChoices,
  modelPresets,
  presetRates,
  WHATIF_OPS,
  type WhatIfInputs,
  type WhatIfResult,
} from '../whatif-model.js';
import { formatValue, panel, type View, type ViewContext } from './context.js';

const BYTE_CHOICES = Array.from({ length: 25 }, (_, i) => 2 ** (i + 10)); // 1 KiB … 16 GiB

function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${Number(value.toPrecision(4))} ${units[unit]}`;
}

function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return String(seconds);
  if (seconds < 1e-3) return `${(seconds * 1e6).toPrecision(4)} µs`;
  if (seconds < 1) return `${(seconds * 1e3).toPrecision(4)} ms`;
  return `${seconds.toPrecision(4)} s`;
}

/** The inputs from the URL state, completed with the dataset's or the catalog's defaults. */
export function initialInputs(saved: Partial<WhatIfState>, datasetValues: (column: string) => (string | number)[] | null): WhatIfInputs {
  const clusters = clusterPresets();
  const fromData = (datasetValues('cluster') ?? []).map(String).find((id) => clusters.some((c) => c.id === id));
  const clusterId = saved.cluster && clusters.some((c) => c.id === saved.cluster) ? saved.cluster : (fromData ?? 'hgx-h800');
  const cluster = clusters.find((c) => c.id === clusterId) ?? clusters[0];
  const rates = presetRates(cluster);
  const models = modelPresets();
  const model = saved.model && models.some((m) => m.id === saved.model) ? saved.model : (models.find((m) => m.id === 'llama3-70b') ?? models[0]).id;
  const op = saved.op && (WHATIF_OPS as readonly string[]).includes(saved.op) ? (saved.op as WhatIfInputs['op']) : 'all-reduce';
  return {
    cluster: cluster.id,
    model,
    op,
    bytes: saved.bytes ?? 2 ** 30,
    gpus: saved.gpus ?? Math.max(cluster.params.gpusPerDomain * 128, 8),
    scaleUpBidirGBps: saved.scaleUpBidirGBps ?? rates.scaleUpBidirGBps,
    nicGbps: saved.nicGbps ?? rates.nicGbps,
    tp: saved.tp ?? Math.min(8, cluster.params.gpusPerDomain),
    pp: saved.pp ?? 4,
  };
}

class WhatIfView implements View {
  readonly id = 'whatif';
  readonly element: HTMLElement;
  private readonly inputsBox = h('div', { class: 'whatif-inputs' });
  private readonly outputBox = h('div', { class: 'whatif-out', 'aria-live': 'polite' });
  private inputs: WhatIfInputs;
  private readonly onRow = (event: Event) => this.takeRow((event as CustomEvent<Record<string, unknown>>).detail);

  constructor(private readonly ctx: ViewContext) {
    this.inputs = initialInputs(ctx.state.whatif, (column) => ctx.dataset.stats.get(column)?.values ?? null);
    const body = h('div', { class: 'whatif-grid' }, this.inputsBox, this.outputBox);
    this.element = panel('whatif', 'What if', [h('span', { class: 'hint' }, 'TypeScript model in this page · click a table row to load it')], body, { wide: true }).element;
    this.drawInputs();
    this.update();
    window.addEventListener('linkcap:row', this.onRow);
  }

  private set(patch: Partial<WhatIfInputs>, redraw = false) {
    this.inputs = { ...this.inputs, ...patch };
    Object.assign(this.ctx.state.whatif, this.inputs);
    this.ctx.saveState();
    if (redraw) this.drawInputs();
    this.update();
  }

  private takeRow(row: Record<string, unknown>) {
    const patch: Partial<WhatIfInputs> = {};
    const clusters = clusterPresets();
    if (typeof row.cluster === 'string' && clusters.some((c) => c.id === row.cluster)) {
      const cluster = clusters.find((c) => c.id === row.cluster)!;
      patch.cluster = cluster.id;
      Object.assign(patch, presetRates(cluster));
    }
    if (typeof row.model === 'string' && modelPresets().some((m) => m.id === row.model)) patch.model = row.model;
    if (typeof row.op === 'string' && (WHATIF_OPS as readonly string[]).includes(row.op)) patch.op = row.op as WhatIfInputs['op'];
    for (const key of ['bytes', 'gpus', 'scaleUpBidirGBps', 'nicGbps', 'tp', 'pp'] as const) {
      if (typeof row[key] === 'number' && Number.isFinite(row[key]) && (row[key] as number) > 0) patch[key] = row[key] as number;
    }
    this.set(patch, true);
  }

  private slider(label: string, key: 'scaleUpBidirGBps' | 'nicGbps', min: number, max: number, step: number, unit: string): HTMLElement {
    const output = h('output', {}, `${this.inputs[key]} ${unit}`);
    const input = h('input', { type: 'range', min, max, step, value: this.inputs[key], 'data-control': key, 'aria-label': label });
    input.addEventListener('input', () => {
      output.textContent = `${input.value} ${unit}`;
      this.set({ [key]: Number(input.value) });
    });
    return h('label', {}, h('span', {}, label), input, output);
  }

  private drawInputs() {
    const clusters = clusterPresets();
    const cluster = clusters.find((c) => c.id === this.inputs.cluster) ?? clusters[0];
    const domain = cluster.params.gpusPerDomain;
    const gpus = gpuChoices(domain);
    if (!gpus.includes(this.inputs.gpus)) gpus.push(this.inputs.gpus), gpus.sort((a, b) => a - b);
    const gpuIndex = gpus.indexOf(this.inputs.gpus);
    const gpuOutput = h('output', {}, String(this.inputs.gpus));
    const gpuSlider = h('input', { type: 'range', min: 0, max: gpus.length - 1, step: 1, value: gpuIndex, 'data-control': 'gpus', 'aria-label': 'GPUs' });
    gpuSlider.addEventListener('input', () => {
      const value = gpus[Number(gpuSlider.value)];
      gpuOutput.textContent = String(value);
      this.set({ gpus: value });
    });
    const divisors = [1, 2, 4, 8, 16, 32, 64, 72].filter((t) => t <= domain && domain % t === 0);
    const rates = presetRates(cluster);
    this.inputsBox.replaceChildren(
      h(
        'label',
        {},
        h('span', {}, 'cluster'),
        select(
          clusters.map((c) => ({ value: c.id, label: `${c.id}` })),
          cluster.id,
          (id) => {
            const next = clusters.find((c) => c.id === id)!;
            this.set({ cluster: id, ...presetRates(next), tp: Math.min(this.inputs.tp, next.params.gpusPerDomain) }, true);
          },
          { 'data-control': 'cluster' },
        ),
        h('output', {}, `${domain}/domain`),
      ),
      h('label', {}, h('span', {}, 'model'), select(modelPresets().map((m) => ({ value: m.id })), this.inputs.model, (model) => this.set({ model }), { 'data-control': 'model' }), h('output', {})),
      h('label', {}, h('span', {}, 'collective'), select(WHATIF_OPS.map((op) => ({ value: op })), this.inputs.op, (op) => this.set({ op: op as WhatIfInputs['op'] }), { 'data-control': 'op' }), h('output', {})),
      h(
        'label',
        {},
        h('span', {}, 'message size'),
        select(BYTE_CHOICES.map((b) => ({ value: String(b), label: formatBytes(b) })), String(this.inputs.bytes), (b) => this.set({ bytes: Number(b) }), { 'data-control': 'bytes' }),
        h('output', {}),
      ),
      this.slider(`scale-up (preset ${rates.scaleUpBidirGBps})`, 'scaleUpBidirGBps', 50, 1800, 10, 'GB/s bidir'),
      this.slider(`NIC (preset ${rates.nicGbps})`, 'nicGbps', 25, 1600, 25, 'Gb/s'),
      h('label', {}, h('span', {}, 'GPUs'), gpuSlider, gpuOutput),
      h('label', {}, h('span', {}, 'tensor parallel'), select(divisors.map((t) => ({ value: String(t) })), String(this.inputs.tp), (t) => this.set({ tp: Number(t) }), { 'data-control': 'tp' }), h('output', {})),
      h(
        'label',
        {},
        h('span', {}, 'pipeline parallel'),
        select([1, 2, 4, 8, 16, 32].map((p) => ({ value: String(p) })), String(this.inputs.pp), (p) => this.set({ pp: Number(p) }), { 'data-control': 'pp' }),
        h('output', {}),
      ),
    );
  }

  private figure(name: string, label: string, value: number, text: string, base?: number): HTMLElement[] {
    const ratio = base !== undefined && Number.isFinite(base) && base !== 0 && Number.isFinite(value) ? value / base : null;
    return [
      h('dt', {}, label),
      h('dd', { 'data-output': name, 'data-value': String(value) }, text, ratio !== null && Math.abs(ratio - 1) > 1e-9 ? h('span', { class: 'ratio' }, `  (× ${formatValue(ratio)} of the preset)`) : null),
    ];
  }

  private update() {
    const result = evaluateWhatIf(this.inputs);
    const cluster = clusterPresets().find((c) => c.id === this.inputs.cluster)!;
    const rates = presetRates(cluster);
    const baseline: WhatIfResult = evaluateWhatIf({ ...this.inputs, ...rates });
    const parts: HTMLElement[] = [h('h3', {}, `${this.inputs.op}, ${formatBytes(this.inputs.bytes)} on ${this.inputs.gpus} GPUs`)];
    const c = result.collective;
    const bc = baseline.collective;
    if ('error' in c) parts.push(h('p', { class: 'error', 'data-output': 'collective-error' }, c.error));
    else {
      const b = 'error' in bc ? undefined : bc;
      parts.push(
        h(
          'dl',
          {},
          ...this.figure('collective-time', 'time', c.timeS, formatSeconds(c.timeS), b?.timeS),
          ...this.figure('collective-busbw', 'bus bandwidth', c.busbwGBps, `${formatValue(c.busbwGBps)} GB/s`, b?.busbwGBps),
          h('dt', {}, 'algorithm'),
          h('dd', { 'data-output': 'collective-algorithm' }, `${c.algorithm} / ${c.protocol}`),
        ),
      );
    }
    parts.push(h('h3', {}, `${this.inputs.model}, TP ${this.inputs.tp} × PP ${this.inputs.pp}`));
    const t = result.training;
    const bt = baseline.training;
    if ('error' in t) parts.push(h('p', { class: 'error', 'data-output': 'training-error' }, t.error));
    else {
      const b = 'error' in bt ? undefined : bt;
      parts.push(
        h(
          'dl',
          {},
          ...this.figure('training-step', 'step time', t.stepS, formatSeconds(t.stepS), b?.stepS),
          ...this.figure('training-mfu', 'MFU', t.mfu, `${(t.mfu * 100).toFixed(1)} %`, b?.mfu),
          ...this.figure('training-tokens', 'tokens/s', t.tokensPerS, formatValue(Math.round(t.tokensPerS)), b?.tokensPerS),
          h('dt', {}, 'layout'),
          h('dd', { 'data-output': 'training-layout' }, `TP ${t.layout.tp} · PP ${t.layout.pp} · DP ${t.layout.dp} · microbatch ${t.layout.microbatch}`),
          h('dt', {}, 'memory per GPU'),
          h('dd', { 'data-output': 'training-memory' }, `${formatBytes(t.memory.totalBytes)} of ${formatBytes(t.memory.usableBytes)} usable · ${t.status}`),
        ),
      );
    }
    parts.push(
      h(
        'p',
        { class: 'hint' },
        `Cluster as priced: scale-up ${formatValue(result.cluster.params.scaleUpGBps)} GB/s per direction achievable, scale-out ${formatValue(result.cluster.params.scaleOutGBps)} GB/s per GPU per direction.`,
      ),
    );
    this.outputBox.replaceChildren(...parts);
    this.ctx.rendered(this.id);
  }

  destroy() {
    window.removeEventListener('linkcap:row', this.onRow);
  }
}

export function createWhatIfView(ctx: ViewContext): View {
  return new WhatIfView(ctx);
}
