/**
 * report.md: the whole study as markdown. Charts are linked as charts/<id>.svg (report.html inlines them).
 */
import { formatValue, withRange } from './format.js';
import type { Block, Headline, Section, Verdict } from './model.js';

export interface ReportFront {
  title: string;
  generated: string;
  assumptions: string;
  /** Sections' verdicts in one table at the top. */
  verdicts: { section: string; verdict: Verdict }[];
  files: string;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function markdownTable(columns: { header: string; align?: 'left' | 'right' }[], rows: string[][]): string {
  const head = `| ${columns.map((c) => escapeCell(c.header)).join(' | ')} |`;
  const rule = `|${columns.map((c) => (c.align === 'left' ? ':---' : '---:')).join('|')}|`;
  return [head, rule, ...rows.map((row) => `| ${row.map(escapeCell).join(' | ')} |`)].join('\n');
}

/**
 * One row per headline, one column per variant label. Headlines of one section may come from sweeps with different
 * variants (a profile the engine could not price there, or a case with its own base profile): each fills the
 * columns it has ("—" elsewhere), and a headline whose base profile differs says so.
 */
function headlineTable(headlines: Headline[]): string {
  if (headlines.length === 0) return '';
  const labels: string[] = [];
  for (const h of headlines) for (const v of h.sensitivity.values) if (!labels.includes(v.label)) labels.push(v.label);
  const sectionBase = headlines[0].sensitivity.values[0]?.variant.profile;
  const columns = [{ header: 'headline number', align: 'left' as const }, ...labels.map((header) => ({ header }))];
  const rows = headlines.map((h) => {
    const base = h.sensitivity.values[0]?.variant.profile;
    const label = base !== undefined && base !== sectionBase ? `${h.label} (base: profile ${base})` : h.label;
    return [label, ...labels.map((l) => {
      const v = h.sensitivity.values.find((x) => x.label === l);
      return v ? formatValue(v.value, h.format) : '—';
    })];
  });
  return markdownTable(columns, rows);
}

export function verdictMarkdown(v: Verdict): string {
  return [`> **Claim:** ${v.claim} — ${v.source}`, '>', `> **Verdict: ${v.verdict}** — ${v.because}`, '>', `> ${v.error}`].join('\n');
}

function block(b: Block): string {
  switch (b.kind) {
    case 'text':
      return b.markdown;
    case 'table':
      return `**${b.title}**\n\n${markdownTable(b.columns, b.rows)}${b.note ? `\n\n_${b.note}_` : ''}`;
    case 'chart':
      return `![${b.title}](charts/${b.id}.svg)\n\n_${b.caption}_`;
    case 'verdict':
      return verdictMarkdown(b.verdict);
  }
}

export function sectionMarkdown(section: Section, index: number): string {
  const parts = [`## ${index}. ${section.title}`, `_${section.question}_`];
  if (section.headlines.length > 0) {
    parts.push(
      `**Headline numbers and their sensitivity** (the base case first; the other columns change the implementation profile, the GEMM efficiency η (±band around each chip's calibrated value), or both):\n\n${headlineTable(section.headlines)}`,
    );
    parts.push(section.headlines.map((h) => `- ${h.label}: ${withRange(h.sensitivity, h.format)}`).join('\n'));
  }
  parts.push(...section.blocks.map(block));
  if (section.limits.length > 0) parts.push(`**What this section cannot say**\n\n${section.limits.map((l) => `- ${l}`).join('\n')}`);
  return parts.join('\n\n');
}

export function reportMarkdown(front: ReportFront, sections: Section[], unsupported: string): string {
  const verdictRows = front.verdicts.map(({ section, verdict }) => [section, verdict.claim, `**${verdict.verdict}**`, verdict.because]);
  return [
    `# ${front.title}`,
    front.generated,
    `## The claims and what the model says\n\n${markdownTable(
      [{ header: 'section', align: 'left' }, { header: 'claim', align: 'left' }, { header: 'verdict', align: 'left' }, { header: 'because', align: 'left' }],
      verdictRows,
    )}`,
    front.assumptions,
    ...sections.map((s, i) => sectionMarkdown(s, i + 1)),
    unsupported,
    front.files,
  ].join('\n\n') + '\n';
}
