/**
 * Shared by `linkcap train` and `linkcap compare`: the implementation profile (--profile) and the framework
 * costs it sets (--grad-precision, --launch-overhead-us, --kernels, --attention; --cuda-graph also removes the launch cost),
 * each flag overriding the profile's default. docs/model/training.md, "Implementation profiles".
 */
import { ATTENTION_KERNELS, PROFILE_IDS, PROFILES, type FrameworkInput, type ProfileId } from '@linkcap/core';
import type { Command } from 'commander';
import { parseChoice, parseNumber } from '../util/values.js';

export interface FrameworkOptions {
  profile?: string;
  gradPrecision?: string;
  launchOverheadUs?: string;
  kernels?: string;
  attention?: string;
  cudaGraph?: boolean;
}

export function profileFromOptions(options: FrameworkOptions): ProfileId | undefined {
  return options.profile === undefined ? undefined : parseChoice<ProfileId>('--profile', options.profile, PROFILE_IDS);
}

export function frameworkFromOptions(options: FrameworkOptions): FrameworkInput {
  const framework: FrameworkInput = {};
  if (options.gradPrecision !== undefined) {
    framework.gradientBytes = parseChoice('--grad-precision', options.gradPrecision, ['bf16', 'fp32'] as const) === 'fp32' ? 4 : 2;
  }
  if (options.launchOverheadUs !== undefined) {
    framework.launchOverheadUs = parseNumber(options.launchOverheadUs, '--launch-overhead-us', { min: 0, max: 10_000, unit: 'µs' });
  }
  if (options.kernels !== undefined) framework.fusedKernels = parseChoice('--kernels', options.kernels, ['fused', 'eager'] as const) === 'fused';
  if (options.attention !== undefined) framework.attentionKernel = parseChoice('--attention', options.attention, ATTENTION_KERNELS);
  if (options.cudaGraph) framework.cudaGraph = true;
  return framework;
}

/** Registers --profile and the framework-cost flags. */
export function addFrameworkOptions(command: Command): Command {
  const list = PROFILE_IDS.map((id) => `${id}${id === 'megatron-core' ? ' (default)' : ''}`).join(', ');
  return command
    .option('--profile <id>', `implementation profile: overlap fractions, ZeRO stages, gradient precision, launch cost: ${list}`)
    .option('--grad-precision <p>', 'gradient buffers and reduction: fp32 or bf16 (default: the profile’s)')
    .option('--launch-overhead-us <µs>', 'host time per kernel launch (default: the profile’s; 0 = CUDA graphs)')
    .option('--kernels <k>', 'norms, rotary and SwiGLU as fused kernels or eager PyTorch ops: fused or eager (default: the profile’s)')
    .option('--attention <kernel>', 'fused-attention kernel: cudnn (Transformer Engine / FlashAttention-3 class) or fa2 (FlashAttention-2, PyTorch SDPA) (default: the profile’s)');
}

/** "megatron-core (Megatron-Core …)" for the text output. */
export function describeProfile(id: ProfileId): string {
  return `${id}: ${PROFILES[id].description}`;
}
