/** `linkcap models`: the model presets of the training model, with linkcap's parameter counts and sources. */
import { countParameters, listModels, MODEL_SOURCES } from '@linkcap/core';
import type { Command } from 'commander';
import { printJson, renderTable } from '../util/output.js';
import { humanCount } from './train-shared.js';

function run(options: { json?: boolean }): void {
  const models = listModels().map((model) => {
    const counts = countParameters(model.row);
    return { id: model.id, name: model.name, source: model.source, spec: model.spec, totalParams: counts.total, activeParams: counts.active };
  });
  if (options.json) {
    printJson({ sources: MODEL_SOURCES, models });
    return;
  }
  const table = renderTable(
    [
      { header: 'id', align: 'left' },
      { header: 'params' },
      { header: 'active' },
      { header: 'layers' },
      { header: 'hidden' },
      { header: 'heads/kv' },
      { header: 'seq' },
      { header: 'MoE', align: 'left' },
      { header: 'source', align: 'left' },
    ],
    models.map((m) => [
      m.id,
      humanCount(m.totalParams),
      humanCount(m.activeParams),
      String(m.spec.layers),
      String(m.spec.hidden),
      m.spec.mla ? `${m.spec.heads} (MLA)` : `${m.spec.heads}/${m.spec.kvHeads ?? m.spec.heads}`,
      String(m.spec.seqLen),
      m.spec.moe ? `${m.spec.moe.experts}+${m.spec.moe.sharedExperts ?? 0} experts, top-${m.spec.moe.topK}` : '-',
      m.source ?? '-',
    ]),
  );
  process.stdout.write(`${table}\n\nParameter counts are linkcap's own (docs/model/training.md); sources: \`linkcap models --json\`.\n`);
  process.stdout.write('Your own model: a YAML/JSON file with the same fields (layers, hidden, ffn, heads, kvHeads, vocab, seqLen, moe: …) passed to --model.\n');
}

export function register(program: Command): void {
  program.command('models').description('list the model presets of the training model').option('--json', 'every field and source').action(run);
}
