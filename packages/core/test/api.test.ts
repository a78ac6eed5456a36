/** The typed API: validation messages, candidates table, engine selection and the loader's error. */
import { describe, expect, it } from 'vitest';
import { collectiveCandidates, predictCollective, predictCollectiveSizes } from '../src/api/collective.js';
import { getEngine } from '../src/engine/engine.js';
import { loadNativeBinding, NativeLoadError } from '../src/engine/loader.js';
import { allocateInputColumns, allocateOutputColumns } from '../src/model/columns.js';
import { packClusters } from '../src/model/cluster-params.js';
import { SWITCH_NODE } from './fixtures.js';

const cluster = { id: 'test-node', params: SWITCH_NODE };

describe('predictCollective validation', () => {
  it.each([
    [{ bytes: Number.NaN }, /^bytes: NaN: must be a finite number of bytes > 0/],
    [{ bytes: -1 }, /^bytes: -1: must be/],
    [{ bytes: 0 }, /^bytes: 0: must be/],
    [{ gpus: 12 }, /^gpus: 12: must be ≤ 8 \(one scale-up domain\) or a multiple of the domain size 8 on test-node/],
    [{ gpus: 1 }, /^gpus: 1: must be a whole number from 2/],
    [{ gpus: 2.5 }, /^gpus: 2.5: must be a whole number/],
    [{ op: 'all-shuffle' }, /^op: "all-shuffle": must be one of all-reduce, /],
    [{ algorithm: 'butterfly' }, /^algorithm: "butterfly": must be one of auto, best, ring/],
    [{ protocol: 'LL64' }, /^protocol: "LL64": must be one of auto, LL, LL128, Simple/],
    [{ cluster: { params: { ...SWITCH_NODE, scaleUpGBps: 0 } } }, /^cluster.scaleUpGBps: 0: must be > 0/],
    [{ cluster: { params: { ...SWITCH_NODE, oversubscription: 0.5 } } }, /^cluster.oversubscription: 0.5: must be ≥ 1/],
    [{ cluster: { params: { ...SWITCH_NODE, gpusPerDomain: 7.5 } } }, /^cluster.gpusPerDomain: 7.5: must be a whole number ≥ 1/],
  ])('rejects %o with a message naming the field', (patch, message) => {
    const request = { op: 'all-reduce' as const, bytes: 2 ** 20, gpus: 8, cluster, ...patch };
    expect(() => predictCollective(request as never)).toThrow(message);
  });

  it('a forced algorithm that cannot run says why', () => {
    expect(() => predictCollective({ op: 'all-gather', bytes: 1e6, gpus: 8, cluster, algorithm: 'tree' })).toThrow(
      /no eligible algorithm\/protocol for all-gather on 8 GPUs of test-node \(tree\/LL: NCCL runs the double binary tree for all-reduce only/,
    );
  });

  it('the maximum size of a named cluster is enforced', () => {
    expect(() => predictCollective({ op: 'all-reduce', bytes: 1e6, gpus: 4096, cluster: { id: 'small', params: SWITCH_NODE, maxGpus: 2048 } })).toThrow(
      /gpus: 4096: the cluster on small has 2048 GPUs/,
    );
  });
});

describe('collectiveCandidates', () => {
  it('lists all 24 pairs, marks exactly one auto choice, and it is the fastest eligible NCCL pair', () => {
    const rows = collectiveCandidates({ op: 'all-reduce', bytes: 4 * 2 ** 20, gpus: 16, cluster, engine: 'reference' });
    expect(rows).toHaveLength(24);
    const chosen = rows.filter((r) => r.chosen);
    expect(chosen).toHaveLength(1);
    const ncclEligible = rows.filter((r) => r.eligible && r.algorithm !== 'rhd' && r.algorithm !== 'hier');
    expect(chosen[0].timeS).toBe(Math.min(...ncclEligible.map((r) => r.timeS)));
    for (const row of rows) expect(row.eligible).toBe(row.reason === null);
    expect(rows.filter((r) => r.best)).toHaveLength(1);
  });
});

describe('engines', () => {
  it('the reference engine and predictCollectiveSizes agree with single predictions', () => {
    const sizes = [8, 1024, 2 ** 20, 2 ** 30];
    const swept = predictCollectiveSizes({ op: 'reduce-scatter', gpus: 64, cluster, engine: 'reference' }, sizes);
    sizes.forEach((bytes, i) => {
      expect(swept[i].timeS).toBe(predictCollective({ op: 'reduce-scatter', bytes, gpus: 64, cluster, engine: 'reference' }).timeS);
    });
  });

  it('batch validation names the column and index', () => {
    const inputs = allocateInputColumns(4);
    const outputs = allocateOutputColumns(4);
    inputs.bytes.fill(1024);
    inputs.gpus.fill(8);
    inputs.bytes[2] = Number.NaN;
    const packed = packClusters([SWITCH_NODE]);
    expect(() => getEngine('reference').evaluate(packed, inputs, outputs)).toThrow(
      /^inputs.bytes\[2\] = NaN: must be a finite number of bytes > 0 and ≤ 2\^53$/,
    );
    // The points before the bad one are evaluated; it and the later ones read "not evaluated".
    expect([...outputs.status]).toEqual([0, 0, 3, 3]);
    expect(Number.isNaN(outputs.timeS[3])).toBe(true);
    inputs.bytes[2] = 2 ** 53 + 2;
    expect(() => getEngine('reference').evaluate(packed, inputs, outputs)).toThrow(/^inputs.bytes\[2\] = 9007199254740994: must be/);
    inputs.bytes[2] = 2 ** 53;
    inputs.cluster[3] = 1;
    expect(() => getEngine('reference').evaluate(packed, inputs, outputs)).toThrow(/^inputs.cluster\[3\] = 1: must be < 1/);
    inputs.cluster[3] = 0;
    expect(() => getEngine('reference').evaluate(packed, { ...inputs, gpus: new Float64Array(4) as never }, outputs)).toThrow(
      /^inputs.gpus: must be a Uint32Array \(got Float64Array\)/,
    );
    expect(() => getEngine('reference').evaluate(packed, inputs, { ...outputs, timeS: new Float64Array(3) })).toThrow(
      /^outputs.timeS: has length 3, expected 4/,
    );
    expect(() => getEngine('reference').evaluate(packed, inputs, outputs, { threads: -1 })).toThrow(/^threads: -1: must be a whole number/);
  });

  it('the loader throws one error listing every path tried and how to build', () => {
    let error: unknown;
    try {
      loadNativeBinding(['/nonexistent/one.node', '/nonexistent/two.node']);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(NativeLoadError);
    const message = (error as Error).message;
    expect(message).toContain('/nonexistent/one.node: not built');
    expect(message).toContain('/nonexistent/two.node: not built');
    expect(message).toContain('npm run build');
  });
});
