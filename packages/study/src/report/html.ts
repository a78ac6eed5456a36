/**
 * report.html: report.md rendered with marked, charts inlined as SVG and a small stylesheet: one self-contained
 * file (no script, no external reference) that opens anywhere.
 */
import { Marked } from 'marked';

const STYLE = `
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #202124; line-height: 1.5; }
h1 { font-size: 1.7em; border-bottom: 2px solid #202124; padding-bottom: .3em; }
h2 { margin-top: 2.2em; border-bottom: 1px solid #dadce0; padding-bottom: .2em; }
table { border-collapse: collapse; margin: 1em 0; font-size: .88em; display: block; overflow-x: auto; }
th, td { border: 1px solid #dadce0; padding: .3em .6em; vertical-align: top; }
th { background: #f1f3f4; }
tr:nth-child(even) td { background: #fafafa; }
blockquote { border-left: 4px solid #1a73e8; background: #e8f0fe; margin: 1em 0; padding: .5em 1em; }
figure.chart { margin: 1.2em 0; }
figure.chart svg { max-width: 100%; height: auto; }
code { background: #f1f3f4; padding: 0 .25em; border-radius: 3px; }
em { color: #5f6368; }
`;

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Renders the markdown and replaces each `![title](charts/id.svg)` image with the chart's inline SVG. */
export function reportHtml(title: string, markdown: string, charts: Map<string, string>): string {
  const marked = new Marked({ gfm: true });
  let body = marked.parse(markdown, { async: false }) as string;
  body = body.replace(/<img src="charts\/([a-z0-9-]+)\.svg" alt="([^"]*)"[^>]*>/g, (whole, id: string) => {
    const svg = charts.get(id);
    return svg ? `<figure class="chart">${svg}</figure>` : whole;
  });
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
${body}
</body>
</html>
`;
}
