/** The one-screen terminal summary: each section's headline and each claim's verdict in a line, and where the report is. */
import { formatValue } from './format.js';
import type { Section } from './model.js';

function clip(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

const MARK: Record<string, string> = { supported: 'yes ', 'partly supported': 'part', 'not supported': 'no  ', 'not decided': '?   ' };

export function summaryText(title: string, sections: Section[], reportDir: string, quick: boolean, width = 110): string {
  const out: string[] = [`${title}${quick ? ' (quick study)' : ''}`, ''];
  sections.forEach((section, i) => {
    const h = section.headlines[0];
    const range = h && h.sensitivity.values.length > 1 ? ` [${formatValue(h.sensitivity.min, h.format)} … ${formatValue(h.sensitivity.max, h.format)}]` : '';
    out.push(clip(`${i + 1}. ${section.shortTitle}${h ? ` — ${h.label}: ${formatValue(h.sensitivity.base, h.format)}${range}` : ''}`, width));
    for (const b of section.blocks) if (b.kind === 'verdict') out.push(clip(`   ${MARK[b.verdict.verdict]} ${b.verdict.short}`, width));
  });
  out.push('');
  out.push('yes/part/no/? = supported / partly / not supported / not decided; [a … b] = range over profile and η variants.');
  if (quick) out.push('Quick study (reduced grid): `linkcap study export-controls` runs the full grid.');
  out.push(`Report: ${reportDir}/report.html (and report.md)`);
  out.push(`Data:   ${reportDir}/sweeps/  (linkcap view ${reportDir})`);
  return `${out.join('\n')}\n`;
}
