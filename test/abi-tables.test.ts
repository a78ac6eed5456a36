/**
 * The tables the native engine shares with the TypeScript (field lists, codes) are defined once, in
 * packages/core/src, and native/scripts/generate-abi-headers.mjs writes their C++ headers at build time. This
 * checks the three ways that can go wrong: the build's headers are older than the TypeScript (not regenerated),
 * the compiled addon holds other tables than the TypeScript (a stale or foreign build), and two TypeScript lists
 * that must agree (a field list and the const enum of its offsets) do not.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadNativeBinding } from '@linkcap/core';
import { describe, expect, it } from 'vitest';
import { abiName, loadSources, renderFrom, renderHeaders, TRAINING_CODE_LISTS } from '../native/scripts/generate-abi-headers.mjs';
import { CLUSTER_FIELDS } from '../packages/core/src/model/cluster-params.js';
import { ALGORITHMS, OPS, PROTOCOLS, STATUS_MESSAGES } from '../packages/core/src/model/enums.js';
import { CHIP_FIELDS, LAYOUT_FIELDS, OUTPUT_FIELDS, TRAINING_STATUS_MESSAGES, WORKLOAD_FIELDS } from '../packages/core/src/training/fields.js';
import { COLLECTIVE_METRICS, TRAINING_DERIVED_METRICS } from '../packages/core/src/sweep/metrics.js';

const GENERATED_DIR = resolve(fileURLToPath(import.meta.url), '../../native/build/generated');

/** Names of a TypeScript enum object in code order. */
function enumNames(object: unknown): string[] {
  return Object.entries(object as Record<string, unknown>)
    .filter(([name, value]) => typeof value === 'number' && Number.isNaN(Number(name)))
    .sort((a, b) => (a[1] as number) - (b[1] as number))
    .map(([name]) => name);
}

describe('generated ABI headers', () => {
  it('the build holds the headers the current TypeScript generates', async () => {
    const { headers } = await renderHeaders();
    expect(Object.keys(headers).sort()).toEqual([
      'abi_tables.hpp',
      'cluster_params.hpp',
      'enums.hpp',
      'sweep_codes.hpp',
      'table_codes.hpp',
      'training_fields.hpp',
      'training_problem.hpp',
      'tuner_constants.hpp',
    ]);
    for (const [file, text] of Object.entries(headers)) {
      expect(readFileSync(join(GENERATED_DIR, file), 'utf8'), `${file} is out of date: run npm run build`).toBe(text);
      expect(text).toMatch(/^\/\/ GENERATED from packages\/core\/src\/.+: do not edit/);
    }
  });

  it('the compiled addon exports the TypeScript lists, name for name', async () => {
    // The const enums as the TypeScript modules define them (bundled by esbuild, which keeps const enums as objects).
    const { modules } = await loadSources();
    const { enums, layout, sweep: codes } = modules;
    const fields = modules.training;
    const tables = loadNativeBinding().abiTables;
    expect(tables).toEqual({
      clusterFields: [...CLUSTER_FIELDS],
      ops: enumNames(enums.OpCode),
      algorithms: enumNames(enums.AlgoCode),
      protocols: enumNames(enums.ProtoCode),
      pointStatuses: enumNames(enums.PointStatus),
      workloadFields: [...WORKLOAD_FIELDS],
      chipFields: [...CHIP_FIELDS],
      layoutFields: [...LAYOUT_FIELDS],
      outputFields: [...OUTPUT_FIELDS],
      trainingStatuses: enumNames(fields.TrainingStatus),
      // Code lists of layout fields (RECOMPUTE_MODES, PRECISIONS, …), as the TypeScript spells them.
      ...Object.fromEntries(
        Object.keys(TRAINING_CODE_LISTS)
          .filter((list) => fields[list] !== undefined)
          .map((list) => [abiName(list), [...(fields[list] as string[])]]),
      ),
      layoutProblems: enumNames(layout.Problem),
      planKinds: enumNames(codes.PlanKind),
      axisTargets: enumNames(codes.Target),
      columnSources: enumNames(codes.ColumnSource),
      columnTypes: enumNames(codes.ColumnType),
      filterOps: enumNames(codes.FilterOp),
      reduceKinds: enumNames(codes.ReduceKind),
      collectiveMetrics: COLLECTIVE_METRICS.map((m) => m.name),
      trainingDerivedMetrics: [...TRAINING_DERIVED_METRICS],
      tableStorages: enumNames(codes.ColumnType),
      tableValueKinds: enumNames(codes.ValueKind),
      tableFormats: enumNames(codes.TableFormatCode),
    });
    // Every spec reduction kind names a native code.
    expect(Object.values(codes.REDUCE_KINDS as Record<string, number>).sort((a, b) => a - b)).toEqual(tables.reduceKinds.map((_, code) => code));
    // The code enums and the user-facing lists index the same codes.
    expect(tables.ops).toHaveLength(OPS.length);
    expect(tables.algorithms).toHaveLength(ALGORITHMS.length);
    expect(tables.protocols).toHaveLength(PROTOCOLS.length);
    expect(tables.pointStatuses).toHaveLength(STATUS_MESSAGES.length);
    expect(tables.trainingStatuses).toHaveLength(TRAINING_STATUS_MESSAGES.length);
  });

  it('refuses a field added to a list but not to its offsets (or the other way round)', async () => {
    const { modules } = await loadSources();
    expect(() => renderFrom(modules)).not.toThrow();
    const training = modules.training as Record<string, unknown>;
    const longerList = { ...modules, training: { ...training, WORKLOAD_FIELDS: [...WORKLOAD_FIELDS, 'newField'] } };
    expect(() => renderFrom(longerList)).toThrow(`W has ${WORKLOAD_FIELDS.length} members, its list has ${WORKLOAD_FIELDS.length + 1}`);
    const longerEnum = { ...modules, training: { ...training, L: { ...(training.L as object), newField: LAYOUT_FIELDS.length } } };
    expect(() => renderFrom(longerEnum)).toThrow(/L has \d+ members, its list has \d+/);
    const swapped = [...CHIP_FIELDS];
    [swapped[0], swapped[1]] = [swapped[1], swapped[0]];
    expect(() => renderFrom({ ...modules, training: { ...training, CHIP_FIELDS: swapped } })).toThrow(/C\.peakBf16Flops = 0, but the field list has peakFp8Flops/);
    const enumsModule = modules.enums as Record<string, unknown>;
    expect(() => renderFrom({ ...modules, enums: { ...enumsModule, OPS: [...OPS, 'gather'] } })).toThrow(`OpCode has ${OPS.length} members, its list has ${OPS.length + 1}`);
  });
});
