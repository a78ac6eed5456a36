/**
 * `linkcap train` / `compare` with implementation profiles and the framework-cost flags: the output names the
 * profile and the overlaps it set, a flag overrides the profile, and a bad value is an input error (exit 1)
 * naming the flag and the allowed values.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/run-cli.js';

const TRAIN = ['train', '--model', 'llama3-70b', '--cluster', 'dgx-h100', '--gpus', '64', '--tp', '8'];

describe('linkcap train --profile', () => {
  it('defaults to megatron-core and shows the overlaps it sets', () => {
    const result = runCli(TRAIN);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/profile {5}megatron-core: overlap TP 0\.875, DP 1\.000, PP 0\.000/);
  });

  it('takes another profile, and flags override it', () => {
    const titan = runCli([...TRAIN, '--profile', 'torchtitan-fsdp2', '--json']);
    expect(titan.status).toBe(0);
    const p = JSON.parse(titan.stdout);
    expect(p.profile).toBe('torchtitan-fsdp2');
    expect(p.layout.zero).toBe(3);
    expect(p.framework).toEqual({ gradientBytes: 4, launchOverheadUs: 5, fusedKernels: false, attentionKernel: 'fa2' });
    const mine = JSON.parse(
      runCli([...TRAIN, '--profile', 'torchtitan-fsdp2', '--json', '--overlap-tp', '0.5', '--grad-precision', 'bf16', '--kernels', 'fused', '--attention', 'cudnn', '--cuda-graph'])
        .stdout,
    );
    expect(mine.overlap.tp).toBe(0.5);
    expect(mine.framework).toEqual({ gradientBytes: 2, launchOverheadUs: 0, fusedKernels: true, attentionKernel: 'cudnn' });
    expect(mine.stepS).toBeLessThan(p.stepS);
  });

  it('partial recompute and offload show in the layout line', () => {
    const result = runCli([...TRAIN, '--pp', '2', '--recompute', 'full', '--recompute-layers', '3', '--offload-layers', '2']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/recompute full \(3 layers per chunk\); 2 layers per chunk offloaded to host/);
    expect(result.stdout).toMatch(/exposed offload copies/);
  });

  it('refuses an unknown profile or a bad framework value with exit 1, naming the flag', () => {
    for (const [flag, value, words] of [
      ['--profile', 'fast', /--profile.*megatron-core, nemo, torchtitan-fsdp2, deepspeed-zero3/],
      ['--grad-precision', 'fp16', /--grad-precision.*bf16, fp32/],
      ['--kernels', 'jit', /--kernels.*fused, eager/],
      ['--attention', 'fa3', /--attention.*cudnn, fa2/],
      ['--launch-overhead-us', '-1', /--launch-overhead-us/],
      ['--recompute-layers', 'x', /--recompute-layers/],
    ] as const) {
      const result = runCli([...TRAIN, flag, value]);
      expect(result.status, `${flag} ${value}`).toBe(1);
      expect(result.stderr).toMatch(words);
    }
  });

  it('searches and comparisons say which profile they used', () => {
    const best = runCli(['train', '--model', 'llama3-8b', '--cluster', 'dgx-h100', '--gpus', '16', '--best', '--top', '1', '--profile', 'nemo']);
    expect(best.status).toBe(0);
    expect(best.stdout).toMatch(/profile nemo/);
    const compare = runCli(['compare', '--clusters', 'dgx-h100,hgx-h800', '--model', 'llama3-8b', '--gpus', '16', '--profile', 'ideal']);
    expect(compare.status).toBe(0);
    expect(compare.stdout).toMatch(/profile ideal/);
  });

  it("DeepSeek-V3's published layout: out of memory as Megatron-Core keeps activations, fits with the report's techniques", () => {
    const DSV3 = ['train', '--model', 'deepseek-v3', '--cluster', 'hgx-h800', '--gpus', '2048', '--pp', '16', '--ep', '64', '--zero', '1', '--precision', 'fp8', '--global-batch', '15360'];
    const plain = runCli([...DSV3, '--overlap-ep', '1']);
    expect(plain.stdout).toMatch(/feasible {4}NO: out of memory/);
    const own = runCli([...DSV3, '--profile', 'deepseek-v3']);
    expect(own.status).toBe(0);
    expect(own.stdout).toMatch(/recompute none \+ layernorm, mla_up_proj, moe_act; ZeRO-1; FP8; FP8 activation cache/);
    expect(own.stdout).toMatch(/feasible {4}yes/);
    // The same options by hand, and the profile's defaults switched off again.
    const byHand = runCli([...DSV3, '--overlap-ep', '1', '--recompute-modules', 'layernorm,mla_up_proj,moe_act', '--fp8-activation-cache', '--json']);
    expect(JSON.parse(byHand.stdout).layout).toMatchObject({ recomputeModules: ['layernorm', 'mla_up_proj', 'moe_act'], fp8ActivationCache: true });
    const off = JSON.parse(runCli([...DSV3, '--profile', 'deepseek-v3', '--recompute-modules', 'none', '--no-fp8-activation-cache', '--json']).stdout);
    expect(off.layout).toMatchObject({ recomputeModules: [], fp8ActivationCache: false });
  });

  it('--recompute-modules, --microbatch-group: bad values name the flag and what is allowed', () => {
    const bad = runCli([...TRAIN, '--recompute-modules', 'layernorm,attention']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/--recompute-modules.*layernorm, mla_up_proj, moe_act, mlp/);
    const group = runCli([...TRAIN, '--microbatch-group', '0']);
    expect(group.status).toBe(1);
    expect(group.stderr).toMatch(/--microbatch-group/);
    const full = runCli([...TRAIN, '--recompute', 'full', '--recompute-modules', 'layernorm']);
    expect(full.status).toBe(1);
    expect(full.stderr).toMatch(/recomputeModules: needs recompute none or selective/);
  });
});
