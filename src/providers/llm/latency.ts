/**
 * Latency models of the simulated transport. A sampler is a closure chosen once per
 * transport, so the hot path pays for one function call and no switch.
 */
import type { LatencyModel } from '../config.js';
import type { Random } from '../types.js';
import { normal } from '../random.js';

/** z of the 99th percentile of the standard normal: p99 = exp(mu + Z99 * sigma). */
const Z99 = 2.3263478740408408;

function finiteNonNegative(value: number, what: string): void {
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`latency model: ${what} must be a finite number >= 0, got ${value}`);
  }
}

/** Throws a RangeError that names the bad field when the model cannot be sampled. */
export function validateLatencyModel(model: LatencyModel): void {
  switch (model.model) {
    case 'none':
      return;
    case 'fixed':
      finiteNonNegative(model.ms, "'fixed' ms");
      return;
    case 'uniform':
      finiteNonNegative(model.minMs, "'uniform' minMs");
      finiteNonNegative(model.maxMs, "'uniform' maxMs");
      if (model.minMs > model.maxMs) {
        throw new RangeError(`latency model 'uniform': minMs (${model.minMs}) must be <= maxMs (${model.maxMs})`);
      }
      return;
    case 'normal':
      finiteNonNegative(model.meanMs, "'normal' meanMs");
      finiteNonNegative(model.stddevMs, "'normal' stddevMs");
      return;
    case 'lognormal':
      finiteNonNegative(model.p50Ms, "'lognormal' p50Ms");
      finiteNonNegative(model.p99Ms, "'lognormal' p99Ms");
      if (model.p50Ms <= 0) throw new RangeError(`latency model 'lognormal': p50Ms must be > 0, got ${model.p50Ms}`);
      if (model.p99Ms < model.p50Ms) {
        throw new RangeError(`latency model 'lognormal': p99Ms (${model.p99Ms}) must be >= p50Ms (${model.p50Ms})`);
      }
      return;
    default: {
      const unknown: never = model;
      throw new RangeError(`latency model: unknown model ${JSON.stringify((unknown as { model: unknown }).model)}`);
    }
  }
}

/** Returns a sampler of latencies in ms, never negative. 'none' and 'fixed' draw no random numbers. */
export function createLatencySampler(model: LatencyModel, rng: Random): () => number {
  validateLatencyModel(model);
  switch (model.model) {
    case 'none':
      return () => 0;
    case 'fixed': {
      const ms = model.ms;
      return () => ms;
    }
    case 'uniform': {
      const min = model.minMs;
      const span = model.maxMs - model.minMs;
      return () => min + rng.next() * span;
    }
    case 'normal': {
      const mean = model.meanMs;
      const sd = model.stddevMs;
      // Clamped rather than redrawn: redrawing would shift the mean and cost an unbounded loop.
      return () => Math.max(0, mean + sd * normal(rng));
    }
    case 'lognormal': {
      const mu = Math.log(model.p50Ms);
      const sigma = (Math.log(model.p99Ms) - mu) / Z99;
      return () => Math.exp(mu + sigma * normal(rng));
    }
  }
}

/** Short human text, e.g. "lognormal p50 10ms p99 80ms"; printed next to every result. */
export function describeLatency(model: LatencyModel): string {
  switch (model.model) {
    case 'none':
      return 'none';
    case 'fixed':
      return `fixed ${model.ms}ms`;
    case 'uniform':
      return `uniform ${model.minMs}-${model.maxMs}ms`;
    case 'normal':
      return `normal mean ${model.meanMs}ms sd ${model.stddevMs}ms`;
    case 'lognormal':
      return `lognormal p50 ${model.p50Ms}ms p99 ${model.p99Ms}ms`;
  }
}
