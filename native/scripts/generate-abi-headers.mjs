#!/usr/bin/env node
// Generates the C++ headers of the tables the engine shares with the TypeScript (field lists, enums, codes)
// from their one definition in packages/core/src. The TypeScript modules are bundled with esbuild (tsup's own
// compiler) and evaluated, so the generator reads the very values the TypeScript uses, not a parse of the text.
//
//   node scripts/generate-abi-headers.mjs <out-dir> [--stamp <file>] [--depfile <file>]
//
// Writes <out-dir>/<header> for every header below, rewriting a file only when its text changes (so an
// unchanged table recompiles nothing). CMakeLists.txt runs this as a build step (the include directory is
// <build>/generated): --stamp names the file the step always writes (its output), --depfile lists every
// TypeScript file read (Make syntax), so editing one of them regenerates the headers.
// The modules must stay free of side effects and of imports outside packages/core/src: they are evaluated here.
// Also importable: renderHeaders() returns { fileName: text } (test/abi-tables.test.ts compares the build's
// headers with it).
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const NATIVE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const REPO_DIR = resolve(NATIVE_DIR, '..');
const SCRIPT = 'native/scripts/generate-abi-headers.mjs';

// The TypeScript modules that define shared tables, by the name the renderers below use.
export const SOURCES = {
  enums: 'packages/core/src/model/enums.ts',
  cluster: 'packages/core/src/model/cluster-params.ts',
  training: 'packages/core/src/training/fields.ts',
  layout: 'packages/core/src/training/layout.ts',
  sweep: 'packages/core/src/sweep/native-codes.ts',
  metrics: 'packages/core/src/sweep/metrics.ts',
  tuner: 'packages/core/src/model/tuner-constants.ts',
};

// ---- loading ------------------------------------------------------------------------------------------------

/** Bundles and evaluates SOURCES; returns the modules and the files esbuild read (for the depfile). */
export async function loadSources() {
  const { build } = await import('esbuild');
  const entry = Object.entries(SOURCES)
    .map(([name, file]) => `export * as ${name} from ${JSON.stringify(resolve(REPO_DIR, file))};`)
    .join('\n');
  const result = await build({
    stdin: { contents: entry, resolveDir: REPO_DIR, loader: 'ts', sourcefile: 'abi-tables-entry.ts' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    packages: 'external',
    absWorkingDir: REPO_DIR,
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0].text;
  const modules = await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
  const inputs = Object.keys(result.metafile.inputs)
    .map((input) => resolve(REPO_DIR, input))
    .filter((input) => existsSync(input));
  return { modules, inputs };
}

// ---- checks -------------------------------------------------------------------------------------------------

function fail(message) {
  throw new Error(`generate-abi-headers: ${message}`);
}

/** Members of a TypeScript enum object (esbuild keeps `const enum`s as objects) in value order: [name, value]. */
function enumMembers(object, where) {
  if (!object || typeof object !== 'object') fail(`${where} is not an enum`);
  const members = Object.entries(object).filter(([name, value]) => typeof value === 'number' && Number.isNaN(Number(name)));
  return members.sort((a, b) => a[1] - b[1]);
}

/** The enum's values must be 0 … n-1 (a dense code), n = `count` when given. */
function denseMembers(object, where, count) {
  const members = enumMembers(object, where);
  members.forEach(([name, value], index) => {
    if (value !== index) fail(`${where}.${name} = ${value}: codes must be 0 … n-1 in order (expected ${index})`);
  });
  if (count !== undefined && members.length !== count) fail(`${where} has ${members.length} members, its list has ${count}`);
  return members.map(([name]) => name);
}

/** A field list and the const enum of its offsets must agree name for name (`W.layers === WORKLOAD_FIELDS.indexOf('layers')`). */
function fieldList(list, offsets, where) {
  const names = [...list];
  if (offsets !== undefined) {
    const members = denseMembers(offsets, where, names.length);
    members.forEach((name, index) => {
      if (name !== names[index]) fail(`${where}.${name} = ${index}, but the field list has ${names[index]} there`);
    });
  }
  if (new Set(names).size !== names.length) fail(`${where}: a field name repeats`);
  return names;
}

// ---- C++ text -----------------------------------------------------------------------------------------------

function banner(sources, what) {
  return [
    `// GENERATED from ${sources.join(', ')} by ${SCRIPT}: do not edit. Change the TypeScript and rebuild.`,
    `// ${what}`,
    '#pragma once',
  ].join('\n');
}

const quote = (s) => JSON.stringify(s);

function nameArray(cxxName, countName, names) {
  return `inline constexpr std::array<const char*, ${countName}> ${cxxName} = {\n${names.map((n) => `    ${quote(n)},`).join('\n')}\n};`;
}

function enumClass(name, type, names, values = names.map((_, i) => i)) {
  return `enum class ${name} : ${type} {\n${names.map((n, i) => `  ${n} = ${values[i]},`).join('\n')}\n};`;
}

function offsetNamespace(name, names) {
  return `namespace ${name} {\nenum : std::size_t {\n${names.map((n, i) => `  ${n} = ${i},`).join('\n')}\n};\n}  // namespace ${name}`;
}

// ---- the headers --------------------------------------------------------------------------------------------

function renderEnums({ enums }) {
  const ops = denseMembers(enums.OpCode, 'OpCode', enums.OPS.length);
  const algos = denseMembers(enums.AlgoCode, 'AlgoCode', enums.ALGORITHMS.length);
  const protos = denseMembers(enums.ProtoCode, 'ProtoCode', enums.PROTOCOLS.length);
  const statuses = denseMembers(enums.PointStatus, 'PointStatus', enums.STATUS_MESSAGES.length);
  if (enums.NCCL_ALGORITHM.length !== algos.length) fail(`NCCL_ALGORITHM has ${enums.NCCL_ALGORITHM.length} entries, AlgoCode ${algos.length}`);
  for (const [name, value] of [['AUTO', enums.AUTO], ['AUTO_ALL', enums.AUTO_ALL]]) {
    if (!Number.isInteger(value) || value < algos.length || value > 255) fail(`${name} = ${value}: must be a byte no algorithm uses`);
  }
  return `${banner([SOURCES.enums], 'Numeric codes of the collective model. Part of the binary interface: append, never reorder.')}

#include <cstdint>

namespace linkcap {

${enumClass('Op', 'std::uint8_t', ops)}
inline constexpr unsigned kOpCount = ${ops.length};

${enumClass('Algo', 'std::uint8_t', algos)}
inline constexpr unsigned kAlgorithmCount = ${algos.length};

${enumClass('Proto', 'std::uint8_t', protos)}
inline constexpr unsigned kProtocolCount = ${protos.length};

// Column value "let the tuner choose" (AUTO): for algorithms, among NCCL's own repertoire (kNcclAlgorithm).
inline constexpr std::uint8_t kAuto = ${enums.AUTO};
// Algorithm column value "choose among every modelled algorithm" (AUTO_ALL), including those NCCL lacks.
inline constexpr std::uint8_t kAutoAll = ${enums.AUTO_ALL};

// 1 for algorithms NCCL runs (considered by kAuto), indexed by Algo (NCCL_ALGORITHM).
inline constexpr std::uint8_t kNcclAlgorithm[kAlgorithmCount] = {${enums.NCCL_ALGORITHM.join(', ')}};

// Per-point status in batch outputs; outputs are NaN (and algo/proto kAuto) where it is not Ok.
${enumClass('PointStatus', 'std::uint8_t', statuses)}
inline constexpr unsigned kPointStatusCount = ${statuses.length};

}  // namespace linkcap
`;
}

function renderClusterParams({ cluster }) {
  const fields = fieldList(cluster.CLUSTER_FIELDS, undefined, 'CLUSTER_FIELDS');
  if (cluster.CLUSTER_FIELD_COUNT !== fields.length) fail('CLUSTER_FIELD_COUNT differs from CLUSTER_FIELDS.length');
  return `${banner([SOURCES.cluster], 'The numeric cluster description: one fixed-layout row of float64 per cluster, in CLUSTER_FIELDS order\n// (the TypeScript interface ClusterParams documents each field and its unit).')}

#include <array>
#include <cstddef>

namespace linkcap {

inline constexpr std::size_t kClusterFieldCount = ${fields.length};

struct ClusterParams {
${fields.map((f) => `  double ${f};`).join('\n')}
};

// Field names in row order, for error messages; the spelling of the TypeScript interface.
${nameArray('kClusterFieldNames', 'kClusterFieldCount', fields)}

static_assert(sizeof(ClusterParams) == kClusterFieldCount * sizeof(double),
              "ClusterParams must hold exactly kClusterFieldCount doubles");

// Reads one packed row (kClusterFieldCount doubles) in CLUSTER_FIELDS order. Does not validate.
inline ClusterParams unpack_cluster(const double* row) {
  ClusterParams c;
${fields.map((f, i) => `  c.${f} = row[${i}];`).join('\n')}
  return c;
}

}  // namespace linkcap
`;
}

// Lists of a layout field's code names (code = index) that become C++ namespaces of constants: 'mla_up_proj' →
// MlaUpProj. A list the module does not (yet) export is skipped.
export const TRAINING_CODE_LISTS = { RECOMPUTE_MODES: 'RecomputeMode', PRECISIONS: 'Precision', ATTENTION_KERNELS: 'AttentionKernel' };
const pascal = (name) => name.split(/[_\-\s]+/).map((w) => w[0].toUpperCase() + w.slice(1)).join('');

function trainingCodeLists(training) {
  return Object.entries(TRAINING_CODE_LISTS)
    .filter(([list]) => training[list] !== undefined)
    .map(([list, ns]) => {
      const names = training[list].map(pascal);
      if (new Set(names).size !== names.length) fail(`${list}: two names spell the same C++ name`);
      return [list, ns, names, [...training[list]]];
    });
}

function renderTrainingFields({ training }) {
  const t = training;
  const lists = [
    ['W', 'Workload', fieldList(t.WORKLOAD_FIELDS, t.W, 'W'), 'WorkloadParams: a decoder-only transformer, dense or MoE (WORKLOAD_FIELDS).'],
    ['C', 'Chip', fieldList(t.CHIP_FIELDS, t.C, 'C'), 'ChipParams: rates, memory and the calibrated efficiencies (CHIP_FIELDS).'],
    ['L', 'Layout', fieldList(t.LAYOUT_FIELDS, t.L, 'L'), 'LayoutParams: row indices, the parallel layout, the schedule and the overlaps (LAYOUT_FIELDS).'],
    ['O', 'Output', fieldList(t.OUTPUT_FIELDS, t.O, 'O'), 'The output row of one configuration (OUTPUT_FIELDS).'],
  ];
  const statuses = denseMembers(t.TrainingStatus, 'TrainingStatus', t.TRAINING_STATUS_MESSAGES.length);
  const modules = enumMembers(t.RecomputeModuleBit, 'RecomputeModuleBit');
  modules.forEach(([name, bit], i) => {
    if (bit !== 2 ** i) fail(`RecomputeModuleBit.${name} = ${bit}: must be bit ${i} (${2 ** i})`);
  });
  if (modules.length !== t.RECOMPUTE_MODULES.length) fail('RecomputeModuleBit and RECOMPUTE_MODULES differ in length');
  const codeLists = trainingCodeLists(t);
  return `${banner([SOURCES.training], 'The packed rows of the training-step model: the offset of each field inside its row of float64, the\n// field names, the status codes. Append, never reorder (docs/model/training.md documents every field).')}

#include <array>
#include <cstddef>

namespace linkcap::training {

${lists
  .map(([ns, kind, names, what]) => `// ${what}\n${offsetNamespace(ns, names)}\ninline constexpr std::size_t k${kind}FieldCount = ${names.length};`)
  .join('\n\n')}

${codeLists.map(([list, ns, names]) => `// Codes of a layout field, by their names in ${list}.\nnamespace ${ns} {\nenum : unsigned { ${names.map((n, i) => `${n} = ${i}`).join(', ')} };\n}  // namespace ${ns}`).join('\n')}

// Bits of L::recomputeModules (RecomputeModuleBit).
namespace RecomputeModule {
enum : unsigned { ${modules.map(([n, v]) => `${n} = ${v}`).join(', ')} };
}  // namespace RecomputeModule
inline constexpr std::size_t kRecomputeModuleCount = ${modules.length};

// Per-configuration status written to O::status. Append only.
${enumClass('TrainingStatus', 'unsigned', statuses)}
inline constexpr std::size_t kTrainingStatusCount = ${statuses.length};

// Field names in row order, for validation messages; the spelling of the *_FIELDS lists.
${lists.map(([, kind, names]) => nameArray(`k${kind}FieldNames`, `k${kind}FieldCount`, names)).join('\n')}

}  // namespace linkcap::training
`;
}

function renderTrainingProblem({ layout }) {
  const problems = denseMembers(layout.Problem, 'Problem');
  if (problems[0] !== 'None') fail('Problem 0 must be None (a valid layout)');
  return `${banner([SOURCES.layout], 'Layout rule codes (0: valid). Part of the interface: append only; problem_status maps them to a status.')}

namespace linkcap::training {

${enumClass('Problem', 'unsigned', problems)}
inline constexpr unsigned kProblemCount = ${problems.length};

}  // namespace linkcap::training
`;
}

function renderSweepCodes({ sweep, metrics, training }) {
  const collective = metrics.COLLECTIVE_METRICS;
  collective.forEach((m, i) => {
    if (m.id !== i) fail(`COLLECTIVE_METRICS[${i}] (${m.name}) has id ${m.id}: ids must be 0 … n-1 in order`);
  });
  const outputCount = training.OUTPUT_FIELDS.length;
  const derived = metrics.TRAINING_DERIVED_METRICS.map((name, i) => {
    const metric = metrics.TRAINING_METRICS.find((m) => m.name === name);
    if (!metric || metric.id !== outputCount + i) fail(`training metric ${name} must have id ${outputCount + i}`);
    return name;
  });
  const reduceKinds = denseMembers(sweep.ReduceKind, 'ReduceKind');
  const reduceCodes = new Set(Object.values(sweep.REDUCE_KINDS));
  reduceKinds.forEach((name, code) => {
    if (!reduceCodes.has(code)) fail(`ReduceKind.${name} has no name in REDUCE_KINDS`);
  });
  const filterOps = denseMembers(sweep.FilterOp, 'FilterOp');
  return `${banner([SOURCES.sweep, SOURCES.metrics], "The codes of a sweep plan (sweep_plan.hpp documents the plan). Part of the interface: append only,\n// and bump addon.cpp's kSweepAbiVersion when a meaning changes.")}

#include <cstdint>

namespace linkcap::sweep {

${enumClass('Kind', 'std::uint8_t', denseMembers(sweep.PlanKind, 'PlanKind'))}

// What an axis value sets (Target in native-codes.ts documents each).
${enumClass('Target', 'std::int32_t', denseMembers(sweep.Target, 'Target'))}

// Columns of a row chunk and of reduction tables.
${enumClass('ColumnSource', 'std::int32_t', denseMembers(sweep.ColumnSource, 'ColumnSource'))}

${enumClass('ColumnType', 'std::int32_t', denseMembers(sweep.ColumnType, 'ColumnType'))}

// The \`where:\` program: reverse Polish notation over numbers. Each instruction is (op, arg).
${enumClass('FilterOp', 'std::int32_t', filterOps)}
inline constexpr int kFilterOpCount = ${filterOps.length};

// Reductions computed while streaming (sweep_reduce.hpp).
${enumClass('ReduceKind', 'std::int32_t', reduceKinds)}
inline constexpr int kReduceKindCount = ${reduceKinds.length};

// Metric ids. Collective: the fields of a priced point (COLLECTIVE_METRICS). Training: the output row fields
// (training_fields.hpp O, status excluded in practice), then the derived ones from kDerived on.
namespace collective_metric {
enum : int { ${collective.map((m) => `${m.name} = ${m.id}`).join(', ')} };
inline constexpr int kCount = ${collective.length};
}  // namespace collective_metric
namespace training_metric {
inline constexpr int kDerived = ${outputCount};  // == kOutputFieldCount (OUTPUT_FIELDS.length)
enum : int { ${derived.map((name, i) => `${name} = kDerived${i ? ` + ${i}` : ''}`).join(', ')} };
inline constexpr int kCount = kDerived + ${derived.length};
}  // namespace training_metric

}  // namespace linkcap::sweep
`;
}

function renderTableCodes({ sweep }) {
  return `${banner([SOURCES.sweep], "The codes of the result-file writers (table_writer.hpp). Bump addon.cpp's tableWriterVersion when one changes.")}

#include <cstdint>

namespace linkcap::table {

// What the caller's buffer holds (the values of sweep::ColumnType).
${enumClass('Storage', 'std::uint8_t', denseMembers(sweep.ColumnType, 'ColumnType'))}
// What the file stores.
${enumClass('ValueKind', 'std::uint8_t', denseMembers(sweep.ValueKind, 'ValueKind'))}

${enumClass('Format', 'std::uint8_t', denseMembers(sweep.TableFormatCode, 'TableFormatCode'))}

}  // namespace linkcap::table
`;
}

// RING_BASE_US → kRingBaseUs; the acronyms keep the C++ spelling (kLLCapTwoDomainsGBps, kTreeLL128OneDomain).
const ACRONYMS = { LL: 'LL', LL128: 'LL128', GBPS: 'GBps' };
function constantName(tsName) {
  return `k${tsName
    .split('_')
    .map((word) => ACRONYMS[word] ?? word[0] + word.slice(1).toLowerCase())
    .join('')}`;
}

/** A double as a C++ literal: JavaScript's shortest round-trip spelling, which C++ parses back to the same double. */
function doubleLiteral(value) {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(`${value} is not a finite number`);
  const text = String(value);
  return /[.e]/.test(text) ? text : `${text}.0`;
}

// Constants used as array bounds (integers in C++).
const UNSIGNED_CONSTANTS = new Set(['TREE_CORRECTION_ENTRIES']);

function renderTunerConstants({ tuner }) {
  const lines = [];
  for (const [name, value] of Object.entries(tuner)) {
    const cxx = constantName(name);
    if (UNSIGNED_CONSTANTS.has(name)) {
      if (!Number.isInteger(value) || value < 0) fail(`${name} = ${value}: must be a whole number`);
      lines.push(`inline constexpr unsigned ${cxx} = ${value};`);
    } else if (typeof value === 'number') {
      lines.push(`inline constexpr double ${cxx} = ${doubleLiteral(value)};`);
    } else if (Array.isArray(value) && value.every((v) => typeof v === 'number')) {
      lines.push(`inline constexpr double ${cxx}[${value.length}] = {${value.map(doubleLiteral).join(', ')}};`);
    } else if (Array.isArray(value) && value.every((row) => Array.isArray(row) && row.length === value[0].length)) {
      const rows = value.map((row) => `    {${row.map(doubleLiteral).join(', ')}},`);
      lines.push(`inline constexpr double ${cxx}[${value.length}][${value[0].length}] = {\n${rows.join('\n')}\n};`);
    } else {
      fail(`tuner constant ${name}: only numbers, lists of numbers and tables of numbers are supported`);
    }
  }
  const entries = tuner.TREE_CORRECTION_ENTRIES;
  if (tuner.TREE_CORRECTION.some((row) => row.length !== entries)) fail('TREE_CORRECTION rows must have TREE_CORRECTION_ENTRIES entries');
  return `${banner([SOURCES.tuner], "Latency and protocol constants of the collective model, pinned to NCCL 2.19–2.21's tuner (the TypeScript\n// documents each, and docs/model/collectives.md). Index order everywhere: [LL, LL128, Simple]. Each double is\n// JavaScript's shortest spelling of the TypeScript's value, so both sides hold the identical double.")}

namespace linkcap::tuner {

${lines.join('\n')}

// 2^kTreeCorrectionEntries: sizes / 64 from here on are past kTreeCorrection.
inline constexpr double kTreeCorrectionEnd = ${doubleLiteral(2 ** entries)};

}  // namespace linkcap::tuner
`;
}

// Every table the addon exports as abiTables (name → member names in code order), so a test can put the
// compiled tables beside the TypeScript ones. Each enum member is checked against its compiled value here.
function abiTableList(m) {
  const members = (object, where) => denseMembers(object, where);
  return [
    { name: 'clusterFields', array: 'linkcap::kClusterFieldNames' },
    { name: 'workloadFields', array: 'linkcap::training::kWorkloadFieldNames' },
    { name: 'chipFields', array: 'linkcap::training::kChipFieldNames' },
    { name: 'layoutFields', array: 'linkcap::training::kLayoutFieldNames' },
    { name: 'outputFields', array: 'linkcap::training::kOutputFieldNames' },
    { name: 'ops', cxx: 'linkcap::Op', names: members(m.enums.OpCode, 'OpCode') },
    { name: 'algorithms', cxx: 'linkcap::Algo', names: members(m.enums.AlgoCode, 'AlgoCode') },
    { name: 'protocols', cxx: 'linkcap::Proto', names: members(m.enums.ProtoCode, 'ProtoCode') },
    { name: 'pointStatuses', cxx: 'linkcap::PointStatus', names: members(m.enums.PointStatus, 'PointStatus') },
    { name: 'trainingStatuses', cxx: 'linkcap::training::TrainingStatus', names: members(m.training.TrainingStatus, 'TrainingStatus') },
    // Exported as the TypeScript spells them ('selective'), checked as the C++ members (Selective).
    ...trainingCodeLists(m.training).map(([list, ns, members, names]) => ({ name: abiName(list), ns: `linkcap::training::${ns}`, members, names })),
    { name: 'layoutProblems', cxx: 'linkcap::training::Problem', names: members(m.layout.Problem, 'Problem') },
    { name: 'planKinds', cxx: 'linkcap::sweep::Kind', names: members(m.sweep.PlanKind, 'PlanKind') },
    { name: 'axisTargets', cxx: 'linkcap::sweep::Target', names: members(m.sweep.Target, 'Target') },
    { name: 'columnSources', cxx: 'linkcap::sweep::ColumnSource', names: members(m.sweep.ColumnSource, 'ColumnSource') },
    { name: 'columnTypes', cxx: 'linkcap::sweep::ColumnType', names: members(m.sweep.ColumnType, 'ColumnType') },
    { name: 'filterOps', cxx: 'linkcap::sweep::FilterOp', names: members(m.sweep.FilterOp, 'FilterOp') },
    { name: 'reduceKinds', cxx: 'linkcap::sweep::ReduceKind', names: members(m.sweep.ReduceKind, 'ReduceKind') },
    { name: 'collectiveMetrics', ns: 'linkcap::sweep::collective_metric', names: m.metrics.COLLECTIVE_METRICS.map((x) => x.name) },
    { name: 'trainingDerivedMetrics', ns: 'linkcap::sweep::training_metric', names: [...m.metrics.TRAINING_DERIVED_METRICS], first: 'kDerived' },
    { name: 'tableStorages', cxx: 'linkcap::table::Storage', names: members(m.sweep.ColumnType, 'ColumnType') },
    { name: 'tableValueKinds', cxx: 'linkcap::table::ValueKind', names: members(m.sweep.ValueKind, 'ValueKind') },
    { name: 'tableFormats', cxx: 'linkcap::table::Format', names: members(m.sweep.TableFormatCode, 'TableFormatCode') },
  ];
}

/** RECOMPUTE_MODES → recomputeModes, the name of its abiTables entry. */
export function abiName(list) {
  const words = list.toLowerCase().split('_');
  return words[0] + words.slice(1).map((w) => w[0].toUpperCase() + w.slice(1)).join('');
}

function renderAbiTables(modules) {
  const tables = abiTableList(modules);
  const arrays = [];
  const checks = [];
  for (const t of tables) {
    if (!t.names) continue;
    t.array = `k_${t.name}`;
    arrays.push(`inline constexpr std::array<const char*, ${t.names.length}> ${t.array} = {${t.names.map(quote).join(', ')}};`);
    (t.members ?? t.names).forEach((member, code) => {
      if (t.cxx) checks.push(`static_assert(static_cast<long long>(${t.cxx}::${member}) == ${code});`);
      else checks.push(`static_assert(${t.ns}::${member} == ${t.first ? `${t.ns}::${t.first} + ` : ''}${code});`);
    });
  }
  return `${banner(Object.values(SOURCES), "Every generated table's member names in code order, for the addon's abiTables export (addon.cpp).")}

#include <array>
#include <cstddef>

#include "cluster_params.hpp"
#include "enums.hpp"
#include "sweep_codes.hpp"
#include "table_codes.hpp"
#include "training_fields.hpp"
#include "training_problem.hpp"

namespace linkcap::abi {

${arrays.join('\n')}

// Each name is the compiled member with that code.
${checks.join('\n')}

struct NameTable {
  const char* name;
  const char* const* names;
  std::size_t count;
};

inline constexpr NameTable kNameTables[] = {
${tables.map((t) => `    {${quote(t.name)}, ${t.array}.data(), ${t.array}.size()},`).join('\n')}
};

}  // namespace linkcap::abi
`;
}

const RENDERERS = {
  'enums.hpp': renderEnums,
  'cluster_params.hpp': renderClusterParams,
  'training_fields.hpp': renderTrainingFields,
  'training_problem.hpp': renderTrainingProblem,
  'sweep_codes.hpp': renderSweepCodes,
  'table_codes.hpp': renderTableCodes,
  'tuner_constants.hpp': renderTunerConstants,
  'abi_tables.hpp': renderAbiTables,
};

/** { fileName: text } for every generated header, from loaded modules (throws when two lists disagree). */
export function renderFrom(modules) {
  const headers = {};
  for (const [file, render] of Object.entries(RENDERERS)) headers[file] = render(modules);
  return headers;
}

/** { fileName: text } for every generated header, and the TypeScript files they were read from. */
export async function renderHeaders() {
  const { modules, inputs } = await loadSources();
  return { headers: renderFrom(modules), inputs };
}

// ---- command line -------------------------------------------------------------------------------------------

function writeIfChanged(path, text) {
  let old = null;
  try {
    old = readFileSync(path, 'utf8');
  } catch {
    // absent: written below
  }
  if (old === text) return false;
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
  return true;
}

async function main(argv) {
  const outDir = argv[0];
  if (!outDir || outDir.startsWith('--')) {
    console.error('usage: node scripts/generate-abi-headers.mjs <out-dir> [--depfile <file>] [--stamp <file>]');
    process.exit(2);
  }
  const option = (name) => {
    const at = argv.indexOf(name);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const { headers, inputs } = await renderHeaders();
  mkdirSync(outDir, { recursive: true });
  const changed = Object.entries(headers).filter(([file, text]) => writeIfChanged(join(outDir, file), text));
  if (changed.length > 0) console.log(`generate-abi-headers: wrote ${changed.map(([f]) => f).join(', ')} in ${relative(process.cwd(), outDir) || '.'}`);
  const stamp = option('--stamp');
  if (stamp) writeFileSync(stamp, `${Object.keys(headers).join('\n')}\n`);
  const depfile = option('--depfile');
  if (depfile) {
    // Make syntax: the stamp (the custom command's output) depends on every TypeScript file read and this script.
    const escape = (p) => p.replace(/ /g, '\\ ');
    const target = stamp ?? join(outDir, 'abi_tables.hpp');
    writeFileSync(depfile, `${escape(resolve(target))}: ${[...inputs, fileURLToPath(import.meta.url)].map(escape).join(' ')}\n`);
  }
}

if (process.argv[1] && pathToFileURL(resolve(process.argv[1])).href === import.meta.url) {
  main(process.argv.slice(2)).catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
