/**
 * Charts as SVG, drawn from the data with Observable Plot rendered server-side through linkedom (a DOM shim): no
 * browser, no canvas, the same library the viewer's Mosaic charts build on. Each chart is one standalone SVG (the
 * colour legend is drawn as SVG too), so report.md can link it and report.html can inline it.
 */
import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';
import type { ChartBlock } from './model.js';

const WIDTH = 760;
const HEIGHT = 320;
const LEGEND_ROW = 18;

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A row of colour swatches with labels, wrapped to the chart width. */
function legend(domain: readonly string[], range: readonly string[], width: number): { svg: string; height: number } {
  let x = 0;
  let y = 0;
  const items: string[] = [];
  domain.forEach((label, i) => {
    const w = 18 + label.length * 6.2 + 14;
    if (x + w > width && x > 0) {
      x = 0;
      y += LEGEND_ROW;
    }
    items.push(
      `<rect x="${x}" y="${y + 3}" width="12" height="12" fill="${range[i % range.length]}"/>` +
        `<text x="${x + 17}" y="${y + 13}" font-size="11" font-family="system-ui, sans-serif" fill="currentColor">${escapeXml(label)}</text>`,
    );
    x += w;
  });
  return { svg: items.join(''), height: y + LEGEND_ROW + 6 };
}

function percentFormat(d: number): string {
  return `${Math.round(d * 1000) / 10}%`;
}

/** Draws one chart block as a standalone SVG document fragment (with xmlns). */
export function renderChart(block: ChartBlock): string {
  const { document } = parseHTML('<!doctype html><html><body></body></html>');
  const facet = block.facet ? { fx: block.facet } : {};
  const marks: Plot.Markish[] = [];
  if (block.yBand) {
    marks.push(Plot.rect([block.yBand], { y1: 'from', y2: 'to', fill: '#9aa0a6', fillOpacity: 0.15 }));
    marks.push(Plot.text([block.yBand], { y: 'to', text: 'label', frameAnchor: 'left', dx: 4, dy: 6, fill: '#5f6368', fontSize: 10 }));
  }
  if (block.type === 'line') {
    marks.push(Plot.ruleY([0], { stroke: '#bbb' }));
    marks.push(Plot.line(block.data, { x: block.x, y: block.y, stroke: block.series, z: block.series, ...facet, strokeWidth: 1.8 }));
    marks.push(Plot.dot(block.data, { x: block.x, y: block.y, fill: block.series, ...facet, r: 2.5 }));
  } else {
    marks.push(Plot.barY(block.data, { x: block.x, y: block.y, fill: block.series, ...facet }));
    marks.push(Plot.ruleY([0]));
  }
  for (const rule of block.xRules ?? []) {
    const data = [{ ...rule, ...(block.facet && rule.facet !== undefined ? { [block.facet]: rule.facet } : {}) }];
    const fx = block.facet && rule.facet !== undefined ? { fx: block.facet } : {};
    marks.push(Plot.ruleX(data, { x: 'x', stroke: '#c5221f', strokeDasharray: '4,3', ...fx }));
    marks.push(Plot.text(data, { x: 'x', text: 'label', frameAnchor: 'top', textAnchor: 'start', dx: 3, dy: 4, fill: '#c5221f', fontSize: 10, ...fx }));
  }
  if (block.marks?.length) {
    const data = block.marks.map((m) => ({ ...m, ...(block.facet && m.facet !== undefined ? { [block.facet]: m.facet } : {}) }));
    const fx = block.facet ? { fx: block.facet } : {};
    marks.push(Plot.dot(data, { x: 'x', y: 'y', r: 5, stroke: 'black', fill: 'none', ...fx }));
    if (block.marks.some((m) => m.label)) marks.push(Plot.text(data, { x: 'x', y: 'y', text: 'label', dy: -10, fontSize: 10, ...fx }));
  }
  // Bars coloured by their own x value: the legend names them, so the axis labels would only repeat it.
  const xIsLegend = block.type === 'bar' && block.series === block.x;
  const plot = Plot.plot({
    document: document as unknown as NonNullable<Plot.PlotOptions["document"]>,
    width: WIDTH,
    height: HEIGHT,
    marginLeft: 56,
    marginBottom: block.xType === 'band' && !xIsLegend ? 70 : 40,
    marginRight: 20,
    style: { fontSize: '11px', background: 'white' },
    x:
      xIsLegend
        ? { axis: null }
        : block.xType === 'band'
        ? { label: block.xLabel, tickRotate: -20 }
        : { label: block.xLabel, type: block.xType === 'log' ? 'log' : 'linear', ...(block.xType === 'log' ? { tickFormat: (d: number) => d.toLocaleString('en-US') } : {}) },
    y: { label: block.yLabel, grid: true, ...(block.yPercent ? { tickFormat: percentFormat } : {}) },
    fx: block.facet ? { label: null } : undefined,
    color: { legend: false, type: 'categorical' },
    marks,
  }) as unknown as { outerHTML: string; scale(name: string): { domain: string[]; range: string[] } | undefined };
  const color = block.series ? plot.scale('color') : undefined;
  const key = color ? legend(color.domain.map(String), color.range, WIDTH) : { svg: '', height: 0 };
  const inner = plot.outerHTML.replace(/^<svg /, `<svg y="${key.height}" `);
  const height = HEIGHT + key.height;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-label="${escapeXml(block.title)}">` +
    `<title>${escapeXml(block.title)}</title><rect width="100%" height="100%" fill="white"/><g>${key.svg}</g>${inner}</svg>`
  );
}
