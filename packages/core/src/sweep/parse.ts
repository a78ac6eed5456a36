/**
 * Reading a sweep spec: YAML or JSON text → the spec object, checked against the published JSON Schema
 * (packages/core/schema/sweep.schema.json, which editors use for completion). Every error names the file, the
 * line, the path in the spec and what was expected, e.g.
 *   h800.yaml:7: axes.bytes: "8B..8GB x1": the factor must be > 1
 * Later stages (axis resolution, `where`, reductions) report through the same `SpecSource.fail`.
 */
import type { ErrorObject, default as AjvClass } from 'ajv';
import type { Document, LineCounter as LineCounterClass } from 'yaml';
import { lazyRequire } from '../files/lazy-require.js';
import schema from '../../schema/sweep.schema.json';

// Loaded on first use: importing @linkcap/core must not pay for a YAML parser and a schema compiler.
const yaml = lazyRequire<typeof import('yaml')>('yaml');
const ajv = lazyRequire<{ default: typeof AjvClass }>('ajv');
import type { SweepSpec } from './spec.js';

export type SpecPath = (string | number)[];

export interface SpecIssue {
  path: string;
  line?: number;
  message: string;
}

/** An invalid spec: every issue with its line and path. */
export class SweepSpecError extends RangeError {
  constructor(
    readonly file: string,
    readonly issues: SpecIssue[],
  ) {
    super(issues.map((issue) => `${file}${issue.line ? `:${issue.line}` : ''}: ${issue.path || '(spec)'}: ${issue.message}`).join('\n'));
    this.name = 'SweepSpecError';
  }
}

/** The parsed text, able to say on which line a path of the spec is written. */
export class SpecSource {
  constructor(
    readonly file: string,
    private readonly document?: Document,
    private readonly lines?: LineCounterClass,
  ) {}

  line(path: SpecPath): number | undefined {
    if (!this.document || !this.lines) return undefined;
    // The deepest node that exists along the path.
    for (let depth = path.length; depth >= 0; depth -= 1) {
      const node = this.document.getIn(path.slice(0, depth), true) as { range?: [number, number, number] } | undefined;
      const start = node && typeof node === 'object' && 'range' in node ? node.range?.[0] : undefined;
      if (start !== undefined) return this.lines.linePos(start).line;
      // A map key has no node of its own in getIn; fall back to the parent.
    }
    return undefined;
  }

  issue(path: SpecPath, message: string): SpecIssue {
    return { path: formatPath(path), line: this.line(path), message };
  }

  fail(path: SpecPath, message: string): never {
    throw new SweepSpecError(this.file, [this.issue(path, message)]);
  }
}

export function formatPath(path: SpecPath): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`)).join('');
}

let validator: ReturnType<AjvClass['compile']> | undefined;

function compiled() {
  if (!validator) {
    const Ajv = ajv().default;
    validator = new Ajv({ allErrors: true, strict: false }).compile(schema);
  }
  return validator;
}

/** JSON pointer "/axes/bytes/0" → ["axes", "bytes", 0]. */
function pointerPath(pointer: string): SpecPath {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

/** One readable message per failing location: the most specific error, `oneOf` branches folded. */
function describeErrors(errors: ErrorObject[], source: SpecSource): SpecIssue[] {
  const byPath = new Map<string, ErrorObject[]>();
  for (const error of errors) {
    let path = error.instancePath;
    if (error.keyword === 'additionalProperties') path += `/${(error.params as { additionalProperty: string }).additionalProperty}`;
    const list = byPath.get(path) ?? [];
    list.push(error);
    byPath.set(path, list);
  }
  // Errors at a path whose children also failed are summaries (oneOf/anyOf): keep the children's.
  const paths = [...byPath.keys()];
  const issues: SpecIssue[] = [];
  for (const path of paths) {
    const list = byPath.get(path)!;
    const specific = list.filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'anyOf');
    const deeper = paths.some((other) => other !== path && other.startsWith(`${path}/`));
    if (specific.length === 0 && deeper) continue;
    const chosen = specific.length > 0 ? specific : list;
    const messages = [...new Set(chosen.map((e) => explain(e)))];
    issues.push(source.issue(pointerPath(path), messages.join('; or ')));
  }
  return issues;
}

function explain(error: ErrorObject): string {
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties':
      return `unknown field "${String(p.additionalProperty)}"`;
    case 'enum':
      return `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify(p.allowedValue)}`;
    case 'required':
      return `missing required field "${String(p.missingProperty)}"`;
    case 'type':
      return `must be ${String(p.type).replace(/,/g, ' or ')}`;
    case 'oneOf':
      return 'does not match any allowed form (see the JSON Schema in @linkcap/core/schema/sweep.schema.json)';
    default:
      return error.message ?? error.keyword;
  }
}

/**
 * Parses and schema-checks a spec. `file` names the spec in messages (and, for `.json`, picks JSON; YAML
 * otherwise, which also reads JSON).
 */
export function parseSweepSpec(text: string, file = 'sweep spec'): { spec: SweepSpec; source: SpecSource } {
  const { LineCounter, parseDocument, isMap } = yaml();
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: true });
  const source = new SpecSource(file, document, lines);
  if (document.errors.length > 0) {
    throw new SweepSpecError(
      file,
      document.errors.map((error) => ({
        path: '(document)',
        line: error.linePos?.[0]?.line,
        message: `not valid YAML/JSON: ${error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`,
      })),
    );
  }
  const data = document.toJS({ maxAliasCount: 100 }) as unknown;
  if (!isMap(document.contents) && !(data !== null && typeof data === 'object' && !Array.isArray(data))) {
    throw new SweepSpecError(file, [{ path: '(document)', line: 1, message: 'must be a mapping with kind, axes, …' }]);
  }
  return { spec: checkSweepSpec(data, source), source };
}

/** Schema-checks a spec object (from code); errors name paths (and lines when `source` knows them). */
export function checkSweepSpec(data: unknown, source = new SpecSource('sweep spec')): SweepSpec {
  const validate = compiled();
  if (!validate(data)) throw new SweepSpecError(source.file, describeErrors(validate.errors ?? [], source));
  return data as SweepSpec;
}

/** The JSON Schema of sweep specs (also shipped as @linkcap/core/schema/sweep.schema.json). */
export const SWEEP_SPEC_SCHEMA: object = schema;
