#!/usr/bin/env node
// Generates the C++ headers of the tables the engine shares with the TypeScript (field lists, enums, codes)
// from their one definition in packages/core/src. The TypeScript modules are bundled with esbuild (tsup's own
// compiler) and evaluated, so the generator reads the very values the TypeScript uses, not a parse of the text.
//
//   node scripts/generate-abi-headers.mjs <out-dir> [--depfile <file>]
//
// Writes <out-dir>/<header> for every header below, rewriting a file only when its text changes (so an
// unchanged table recompiles nothing). CMakeLists.txt runs this as a build step (the include directory is
// <build>/generated); --depfile lists every TypeScript file read, so editing one regenerates the headers.
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

#include <array>
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

// Member names by code (the TypeScript's OpCode, AlgoCode, ProtoCode, PointStatus), for the addon's abiTables.
inline constexpr std::array<const char*, kOpCount> kOpNames = {${ops.map(quote).join(', ')}};
inline constexpr std::array<const char*, kAlgorithmCount> kAlgoNames = {${algos.map(quote).join(', ')}};
inline constexpr std::array<const char*, kProtocolCount> kProtoNames = {${protos.map(quote).join(', ')}};
inline constexpr std::array<const char*, kPointStatusCount> kPointStatusNames = {${statuses.map(quote).join(', ')}};

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
  return `${banner([SOURCES.training], 'The packed rows of the training-step model: the offset of each field inside its row of float64, the\n// field names, the status codes. Append, never reorder (docs/model/training.md documents every field).')}

#include <array>
#include <cstddef>

namespace linkcap::training {

${lists
  .map(([ns, kind, names, what]) => `// ${what}\n${offsetNamespace(ns, names)}\ninline constexpr std::size_t k${kind}FieldCount = ${names.length};`)
  .join('\n\n')}

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
${nameArray('kTrainingStatusNames', 'kTrainingStatusCount', statuses)}

}  // namespace linkcap::training
`;
}

// The list every table the addon exports as abiTables (name → member names in code order), so a test can put the
// compiled tables beside the TypeScript ones.
function renderAbiTables() {
  const tables = [
    ['clusterFields', 'linkcap::kClusterFieldNames'],
    ['ops', 'linkcap::kOpNames'],
    ['algorithms', 'linkcap::kAlgoNames'],
    ['protocols', 'linkcap::kProtoNames'],
    ['pointStatuses', 'linkcap::kPointStatusNames'],
    ['workloadFields', 'linkcap::training::kWorkloadFieldNames'],
    ['chipFields', 'linkcap::training::kChipFieldNames'],
    ['layoutFields', 'linkcap::training::kLayoutFieldNames'],
    ['outputFields', 'linkcap::training::kOutputFieldNames'],
    ['trainingStatuses', 'linkcap::training::kTrainingStatusNames'],
  ];
  return `${banner(Object.values(SOURCES), 'Every generated name table, for the addon\'s abiTables export (addon.cpp).')}

#include <cstddef>

#include "cluster_params.hpp"
#include "enums.hpp"
#include "training_fields.hpp"

namespace linkcap::abi {

struct NameTable {
  const char* name;
  const char* const* names;
  std::size_t count;
};

inline constexpr NameTable kNameTables[] = {
${tables.map(([name, array]) => `    {${quote(name)}, ${array}.data(), ${array}.size()},`).join('\n')}
};

}  // namespace linkcap::abi
`;
}

const RENDERERS = {
  'enums.hpp': renderEnums,
  'cluster_params.hpp': renderClusterParams,
  'training_fields.hpp': renderTrainingFields,
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
