/**
 * `where:` constraints → the engine's filter program (reverse Polish notation, native/src/core/sweep_filter.hpp).
 * Parsing is jsep's (a small, well-kept JavaScript expression parser); this file only checks the names and
 * turns the tree into instructions. A string literal compared with a string axis becomes that axis's code.
 */
import type jsepType from 'jsep';
import { lazyRequire } from '../files/lazy-require.js';
import { FilterOp } from './native-codes.js';

type jsep = typeof jsepType;
// eslint-disable-next-line @typescript-eslint/no-namespace
declare namespace jsep {
  type Expression = jsepType.Expression;
  type Identifier = jsepType.Identifier;
  type Literal = jsepType.Literal;
  type UnaryExpression = jsepType.UnaryExpression;
  type BinaryExpression = jsepType.BinaryExpression;
  type MemberExpression = jsepType.MemberExpression;
}
const loadJsep = lazyRequire<jsep | { default: jsep }>('jsep');


const BINARY: Record<string, FilterOp> = {
  '+': FilterOp.Add,
  '-': FilterOp.Sub,
  '*': FilterOp.Mul,
  '/': FilterOp.Div,
  '%': FilterOp.Mod,
  '<': FilterOp.Lt,
  '<=': FilterOp.Le,
  '>': FilterOp.Gt,
  '>=': FilterOp.Ge,
  '==': FilterOp.Eq,
  '===': FilterOp.Eq,
  '!=': FilterOp.Ne,
  '!==': FilterOp.Ne,
  '&&': FilterOp.And,
  '||': FilterOp.Or,
};

/** A name usable in `where`: an axis (value, or code for strings with `labels`) or a layout field. */
export interface FilterVariable {
  op: FilterOp.Axis | FilterOp.LayoutField | FilterOp.WorkloadField | FilterOp.ChipField | FilterOp.ClusterField;
  arg: number;
  /** For string axes: label → code. */
  labels?: readonly string[];
}

type Node = jsep.Expression;

/** Compiles one expression; throws Error with a message naming the problem (the caller adds the path). */
export function compileWhere(text: string, variables: ReadonlyMap<string, FilterVariable>): number[] {
  let tree: Node;
  try {
    const loaded = loadJsep();
    const parse = (typeof loaded === 'function' ? loaded : loaded.default) as jsep;
    tree = parse(text);
  } catch (error) {
    throw new Error(`cannot parse "${text}": ${(error as Error).message}`);
  }
  const out: number[] = [];
  const emit = (op: FilterOp, arg = 0) => out.push(op, arg);

  // A dotted name (`chip.gemmEfficiency`, `model.layers`) parses as a member expression: its name, or undefined.
  const dottedName = (node: Node): string | undefined => {
    if (node.type === 'Identifier') return (node as jsep.Identifier).name;
    if (node.type !== 'MemberExpression') return undefined;
    const m = node as jsep.MemberExpression;
    const object = dottedName(m.object);
    if (m.computed || object === undefined || m.property.type !== 'Identifier') return undefined;
    return `${object}.${(m.property as jsep.Identifier).name}`;
  };
  const variableOf = (node: Node): FilterVariable | undefined => {
    const name = dottedName(node);
    return name === undefined ? undefined : variables.get(name);
  };

  const walk = (node: Node, stringContext?: FilterVariable): void => {
    switch (node.type) {
      case 'Literal': {
        const value = (node as jsep.Literal).value;
        if (typeof value === 'number') return void emit(FilterOp.Const, value);
        if (typeof value === 'boolean') return void emit(FilterOp.Const, value ? 1 : 0);
        if (typeof value === 'string') {
          if (!stringContext?.labels) throw new Error(`"${value}": a string can only be compared with a string axis (==, !=)`);
          const code = stringContext.labels.indexOf(value);
          if (code < 0) throw new Error(`"${value}" is not a value of that axis (${stringContext.labels.join(', ')})`);
          return void emit(FilterOp.Const, code);
        }
        throw new Error(`unsupported literal ${String(value)}`);
      }
      case 'Identifier':
      case 'MemberExpression': {
        const name = dottedName(node);
        if (name === undefined) throw new Error('unsupported expression: only names, dotted names (model.layers) and numbers');
        if (name === 'true' || name === 'false') return void emit(FilterOp.Const, name === 'true' ? 1 : 0);
        const variable = variables.get(name);
        if (!variable) {
          const plain = [...variables.keys()].filter((k) => !k.includes('.'));
          const prefixes = [...new Set([...variables.keys()].filter((k) => k.includes('.')).map((k) => `${k.split('.')[0]}.<field>`))];
          throw new Error(`unknown name "${name}"; usable here: ${[...plain, ...prefixes].join(', ')}`);
        }
        return void emit(variable.op, variable.arg);
      }
      case 'UnaryExpression': {
        const u = node as jsep.UnaryExpression;
        walk(u.argument);
        if (u.operator === '-') return void emit(FilterOp.Neg);
        if (u.operator === '!') return void emit(FilterOp.Not);
        if (u.operator === '+') return;
        throw new Error(`unsupported operator ${u.operator}`);
      }
      case 'BinaryExpression': {
        const b = node as jsep.BinaryExpression;
        const op = BINARY[b.operator];
        if (op === undefined) throw new Error(`unsupported operator ${b.operator}`);
        const equality = op === FilterOp.Eq || op === FilterOp.Ne;
        const leftVar = variableOf(b.left);
        const rightVar = variableOf(b.right);
        walk(b.left, equality ? rightVar : undefined);
        walk(b.right, equality ? leftVar : undefined);
        return void emit(op);
      }
      default:
        throw new Error(`unsupported expression (${node.type}); use numbers, names, + - * / %, comparisons, && || ! and parentheses`);
    }
  };
  walk(tree);
  return out;
}

/** Several constraints AND-ed into one program. */
export function compileWhereList(texts: readonly string[], variables: ReadonlyMap<string, FilterVariable>, onError: (index: number, message: string) => never): Float64Array {
  const program: number[] = [];
  texts.forEach((text, i) => {
    let part: number[];
    try {
      part = compileWhere(text, variables);
    } catch (error) {
      onError(i, (error as Error).message);
    }
    program.push(...part!);
    if (i > 0) program.push(FilterOp.And, 0);
  });
  return Float64Array.from(program);
}
