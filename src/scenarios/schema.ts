/**
 * The scenario file schema (zod). Every object is strict: an unknown key is an error that
 * lists the keys allowed there. Units are resolved here ("5ms" -> 5), so the runner and
 * providers only ever see numbers.
 */
import { z } from 'zod';
import { DEFAULT_PROVIDERS_CONFIG, type CacheConfig, type LatencyModel, type LLMProviderConfig, type RetryConfig } from '../providers/config.js';
import { parseBaseUrl } from '../providers/llm/base-url.js';
import type { ExecutorSpec } from '../results/types.js';
import { OP_NAMES, type BatchMode, type OpParams } from './types.js';
import { strictObject } from '../util/strict-object.js';
import { DURATION_HELP, parseDurationMs } from '../util/units.js';
import { durationJson, exactlyOneOfJson, latencyJson, positiveDurationJson, rateArrivalJson, workersJson } from './json-schema-hints.js';
import { parsePopularity, POPULARITY_HELP } from '../workload/distributions.js';
import { DEFAULT_SYNTHETIC, parseSyntheticSpec, type SyntheticSpec } from '../workload/synthetic.js';

const durationMs = z
  .union([z.string(), z.number()], { error: `expected ${DURATION_HELP}` })
  .transform((value, ctx) => {
    // A bare number is read as milliseconds (what --set a.timeout=500 most likely means).
    const ms = typeof value === 'number' ? value : parseDurationMs(value);
    if (ms === undefined || !Number.isFinite(ms) || ms < 0) {
      ctx.addIssue({ code: 'custom', message: `"${value}" is not ${DURATION_HELP}` });
      return z.NEVER;
    }
    return ms;
  })
  .meta(durationJson);

/** A duration that must be above zero (a zero timeout would fail every operation at once). */
const positiveDurationMs = durationMs.refine((ms) => ms > 0, { message: 'expected a duration above 0' }).meta(positiveDurationJson);

const positiveInt = z.number({ error: 'expected a whole number' }).int('expected a whole number').positive('expected a number > 0');
const nonNegativeInt = z.number({ error: 'expected a whole number' }).int('expected a whole number').min(0, 'expected a number >= 0');
/**
 * A whole number > 0 with an upper bound, for fields the runner allocates by (a list of
 * sessions, a worker per virtual user, a batch's slots, a pool's instances): a typo of a few
 * zeros must be bad input, not a crash out of memory halfway through a run.
 */
const boundedInt = (max: number, what: string) => positiveInt.max(max, `expected at most ${max.toLocaleString('en-US')} ${what}`);

const fraction = z.number({ error: 'expected a fraction between 0 and 1' }).min(0, 'expected a fraction between 0 and 1').max(1, 'expected a fraction between 0 and 1');

const LATENCY_HELP = 'none, a fixed duration like 5ms, uniform(2ms,8ms), normal(5ms,1ms) or lognormal(p50,p99) like lognormal(5ms,20ms)';

/** Parses the string forms of a latency model; returns an error message on failure. */
export function parseLatencyModel(text: string): LatencyModel | string {
  const s = text.trim();
  if (s === 'none' || s === '0' || s === '0ms') return { model: 'none' };
  const fixed = parseDurationMs(s);
  if (fixed !== undefined) return fixed === 0 ? { model: 'none' } : { model: 'fixed', ms: fixed };
  const m = /^(uniform|normal|lognormal)\s*\(\s*([^,]+?)\s*,\s*([^)]+?)\s*\)$/.exec(s);
  if (!m) return `"${text}" is not a latency model (allowed: ${LATENCY_HELP})`;
  const a = parseDurationMs(m[2] as string);
  const b = parseDurationMs(m[3] as string);
  if (a === undefined || b === undefined) return `"${text}": both arguments must be durations (allowed: ${LATENCY_HELP})`;
  switch (m[1]) {
    case 'uniform':
      return a <= b ? { model: 'uniform', minMs: a, maxMs: b } : `"${text}": uniform(min,max) needs min <= max`;
    case 'normal':
      return { model: 'normal', meanMs: a, stddevMs: b };
    default:
      return a > 0 && a < b ? { model: 'lognormal', p50Ms: a, p99Ms: b } : `"${text}": lognormal(p50,p99) needs 0 < p50 < p99`;
  }
}

const latency = z
  .union([z.string(), z.number()], { error: `expected a latency model: ${LATENCY_HELP}` })
  .transform((value, ctx) => {
    const parsed = parseLatencyModel(typeof value === 'number' ? `${value}ms` : value);
    if (typeof parsed === 'string') {
      ctx.addIssue({ code: 'custom', message: parsed });
      return z.NEVER;
    }
    return parsed;
  })
  .meta(latencyJson);

const d = DEFAULT_PROVIDERS_CONFIG;

/** A plugin module: a path to an ES module (relative to the scenario file; from --set, to the working directory). */
const pluginModule = z.string({ error: 'expected a path to a JavaScript module, e.g. ./my-llm.js' }).min(1, 'expected a path to a JavaScript module, e.g. ./my-llm.js');
const pluginOptions = z.record(z.string(), z.unknown(), { error: 'expected a mapping of settings for the plugin' });

const baseUrl = z.string({ error: 'expected an http(s) URL, e.g. http://127.0.0.1:8080/v1' }).superRefine((text, ctx) => {
  const parsed = parseBaseUrl(text);
  if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
});

const retriesSchema = z
  .union(
    [
      nonNegativeInt,
      strictObject({
        max: nonNegativeInt.default(0),
        backoff: durationMs.prefault(d.llm.retries.backoffMs),
        maxBackoff: durationMs.prefault(d.llm.retries.maxBackoffMs),
      }),
    ],
    { error: 'expected a number of retries, or { max, backoff, maxBackoff }' },
  )
  .transform((r): RetryConfig =>
    typeof r === 'number'
      ? { ...d.llm.retries, max: r }
      : { max: r.max, backoffMs: r.backoff, maxBackoffMs: Math.max(r.backoff, r.maxBackoff) },
  );

const cacheSchema = strictObject({
  max: boundedInt(1_000_000, 'entries').default(1_000),
  ttl: durationMs.prefault('5m'),
}).transform(({ ttl, ...rest }): CacheConfig => ({ ...rest, ttlMs: ttl }));

const llmSchema = strictObject({
  model: z.string().min(1).default(d.llm.model),
  latency: latency.prefault('none'),
  errorRate: fraction.default(d.llm.errorRate),
  timeoutRate: fraction.default(d.llm.timeoutRate),
  stallEvery: nonNegativeInt.default(d.llm.stallEvery),
  stallFor: durationMs.prefault(d.llm.stallForMs),
  slots: positiveInt.optional(),
  queueLimit: nonNegativeInt.optional(),
  prefill: durationMs.optional(),
  perToken: durationMs.optional(),
  toolRounds: nonNegativeInt.default(d.llm.toolRounds),
  completionTokens: boundedInt(1_000_000, 'tokens').default(d.llm.completionTokens),
  temperature: z.number().min(0).max(2).default(d.llm.temperature),
  maxTokens: boundedInt(1_000_000, 'tokens').default(d.llm.maxTokens),
  module: pluginModule.optional(),
  options: pluginOptions.optional(),
  baseUrl: baseUrl.optional(),
  apiKeyEnv: z
    .string({ error: 'expected the name of an environment variable' })
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected the name of an environment variable (letters, digits, "_"), not the key itself')
    .default(d.llm.apiKeyEnv),
  connections: positiveInt.default(d.llm.connections),
  stream: z.boolean({ error: 'expected true or false' }).default(d.llm.stream),
  timeout: durationMs.prefault(d.llm.timeoutMs),
  retries: retriesSchema.prefault(0),
  cache: cacheSchema.optional(),
  pool: strictObject({ size: boundedInt(1_000, 'instances') }).optional(),
})
  .superRefine((l, ctx) => {
    if (l.stream && l.baseUrl === undefined && l.module === undefined) {
      ctx.addIssue({ code: 'custom', path: ['stream'], message: 'streaming needs providers.llm.baseUrl (the simulated transport does not stream)' });
    }
    if (l.timeout <= 0) ctx.addIssue({ code: 'custom', path: ['timeout'], message: 'expected a duration > 0' });
    if (l.queueLimit !== undefined && l.slots === undefined) {
      ctx.addIssue({ code: 'custom', path: ['queueLimit'], message: 'a queue limit needs slots (with unlimited slots nothing ever waits)' });
    }
    const tokenBased = l.prefill !== undefined || l.perToken !== undefined;
    if (tokenBased && l.latency.model !== 'none') {
      ctx.addIssue({
        code: 'custom',
        path: [l.prefill !== undefined ? 'prefill' : 'perToken'],
        message: 'service time is either the latency model or token-based (prefill + perToken per completion token), not both: drop latency or prefill/perToken',
      });
    }
  })
  .transform(({ stallFor, timeout, prefill, perToken, ...rest }): LLMProviderConfig => ({
    ...rest,
    stallForMs: stallFor,
    timeoutMs: timeout,
    // Token-based service time: both halves present, the missing one 0.
    ...(prefill !== undefined || perToken !== undefined ? { prefillMs: prefill ?? 0, perTokenMs: perToken ?? 0 } : {}),
  }));

const memorySchema = strictObject({
  windowSize: positiveInt.default(d.memory.windowSize),
  idleTtl: durationMs.prefault(d.memory.idleTtlMs),
  maxSessions: positiveInt.default(d.memory.maxSessions),
  module: pluginModule.optional(),
  options: pluginOptions.optional(),
}).transform(({ idleTtl, ...rest }) => ({ ...rest, idleTtlMs: idleTtl }));

export const TOOL_CHOICES = ['calculator', 'search'] as const;

const agentSchema = strictObject({
  maxIterations: positiveInt.default(d.agent.maxIterations),
  tools: z.array(z.enum(TOOL_CHOICES, { error: `expected a tool name (allowed: ${TOOL_CHOICES.join(', ')})` })).default([...d.agent.tools] as Array<(typeof TOOL_CHOICES)[number]>),
  storeConversation: z.boolean().default(d.agent.storeConversation),
  module: pluginModule.optional(),
  options: pluginOptions.optional(),
});

const providersSchema = strictObject({
  llm: llmSchema.prefault({}),
  memory: memorySchema.prefault({}),
  agent: agentSchema.prefault({}),
});

/** One distribution of a synthetic workload; every key is parsed by workload/distributions.ts. */
const distributionText = z.union([z.string(), z.number()], { error: 'expected a distribution, e.g. lognormal(50,800)' });

const SYNTHETIC_HELP = `true (the defaults: ${Object.entries(DEFAULT_SYNTHETIC)
  .map(([k, v]) => `${k} ${v}`)
  .join(', ')}) or a mapping of some of those to distributions`;

/** `synthetic: true` is the defaults; a mapping overrides some of them. */
const syntheticSchema = z.preprocess(
  (v) => (v === true ? {} : v),
  strictObject(
    {
      promptTokens: distributionText.optional(),
      answerTokens: distributionText.optional(),
      turns: distributionText.optional(),
      thinkTime: distributionText.optional(),
      systemTokens: distributionText.optional(),
    },
    `expected ${SYNTHETIC_HELP}`,
  ),
).transform((raw, ctx): SyntheticSpec => {
  const spec = parseSyntheticSpec(raw);
  if ('field' in spec) {
    ctx.addIssue({ code: 'custom', path: [spec.field], message: spec.message });
    return z.NEVER;
  }
  return spec;
});

const popularity = z.string({ error: `expected ${POPULARITY_HELP}` }).transform((text, ctx) => {
  const p = parsePopularity(text);
  if (typeof p === 'string') {
    ctx.addIssue({ code: 'custom', message: p });
    return z.NEVER;
  }
  return p;
});

const paramsSchema = strictObject({
  prompt: z.string().default('Hello, how are you?'),
  sessions: boundedInt(1_000_000, 'sessions').default(100),
  content: z.string().default('Test message #{i}'),
  limit: positiveInt.default(10),
  batchSize: boundedInt(100_000, 'messages per batch').default(100),
  advance: durationMs.prefault(0),
  dataset: z.string({ error: 'expected a path to a conversations file (JSONL), e.g. ./conversations.jsonl' }).min(1, 'expected a path to a conversations file (JSONL)').optional(),
  order: z.enum(['sequential', 'shuffle'], { error: 'expected sequential or shuffle' }).default('sequential'),
  synthetic: syntheticSchema.optional(),
  popularity: popularity.prefault('even'),
  thinkTimeScale: z.number({ error: 'expected a factor >= 0 for think times (0 = none, 1 = as recorded)' }).min(0, 'expected a factor >= 0 (0 = no think time)').default(1),
}).transform(({ advance, synthetic, ...rest }): OpParams => ({ ...rest, advanceMs: advance, ...(synthetic !== undefined ? { synthetic } : {}) }));

/** Operations that can take their turns from a dataset or synthetic workload (workload/ops.ts). */
const WORKLOAD_OP_NAMES: readonly string[] = ['llm.call', 'agent.execute', 'mixed', 'memory.store', 'memory.store-batch', 'memory.retrieve'];

const EXECUTOR_TYPES = ['iterations', 'vus', 'rate'] as const;
const ARRIVALS = ['constant', 'poisson', 'trace'] as const;

const executorSchema = z
  .discriminatedUnion(
    'type',
    [
      strictObject({
        type: z.literal('iterations'),
        iterations: positiveInt,
        concurrency: boundedInt(100_000, 'operations at a time').default(1),
      }),
      strictObject({
        type: z.literal('vus'),
        vus: boundedInt(100_000, 'virtual users'),
        iterationsPerVu: positiveInt.optional(),
        duration: durationMs.optional(),
      }).meta(exactlyOneOfJson('iterationsPerVu', 'duration')),
      strictObject({
        type: z.literal('rate'),
        rate: z.number({ error: 'expected operations per second' }).positive('expected a rate > 0').optional(),
        duration: durationMs.optional(),
        maxInFlight: positiveInt.default(10_000),
        arrival: z.enum(ARRIVALS, { error: `expected an arrival pattern (allowed: ${ARRIVALS.join(', ')})` }).default('constant'),
        burst: z.number({ error: 'expected the coefficient of variation of the gaps (1 = Poisson)' }).min(0, 'expected a number >= 0 (1 = Poisson, more = burstier)').optional(),
        trace: z.string({ error: 'expected a path to an arrivals file (JSONL of {"timestamp": ms})' }).min(1, 'expected a path to an arrivals file').optional(),
        speed: z.number({ error: 'expected how many times faster to replay the trace, e.g. 2' }).positive('expected a speed > 0').optional(),
      }).meta(rateArrivalJson),
    ],
    { error: `expected an executor type (allowed: ${EXECUTOR_TYPES.join(', ')})` },
  )
  .superRefine((e, ctx) => {
    if (e.type === 'vus' && (e.iterationsPerVu === undefined) === (e.duration === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'a vus executor needs exactly one of iterationsPerVu or duration' });
    }
    if (e.type === 'rate') {
      const trace = e.arrival === 'trace';
      if (!trace && e.rate === undefined) ctx.addIssue({ code: 'custom', path: ['rate'], message: 'expected operations per second (a rate executor needs a rate, unless arrival: trace)' });
      if (!trace && e.duration === undefined) ctx.addIssue({ code: 'custom', path: ['duration'], message: `expected ${DURATION_HELP} (a rate executor needs a duration, unless arrival: trace)` });
      if (trace && e.trace === undefined) ctx.addIssue({ code: 'custom', path: ['trace'], message: 'arrival: trace needs trace: <path to a JSONL of {"timestamp": ms}>' });
      if (trace && e.rate !== undefined) ctx.addIssue({ code: 'custom', path: ['rate'], message: 'arrival: trace takes its rate from the trace (use speed to replay it faster)' });
      if (!trace && e.trace !== undefined) ctx.addIssue({ code: 'custom', path: ['trace'], message: 'a trace file needs arrival: trace' });
      if (!trace && e.speed !== undefined) ctx.addIssue({ code: 'custom', path: ['speed'], message: 'speed applies to arrival: trace only' });
      if (e.arrival !== 'poisson' && e.burst !== undefined) ctx.addIssue({ code: 'custom', path: ['burst'], message: 'burst applies to arrival: poisson only' });
    }
  })
  .transform((e): ExecutorSpec => {
    switch (e.type) {
      case 'iterations':
        return { kind: 'iterations', iterations: e.iterations, concurrency: e.concurrency };
      case 'vus':
        return {
          kind: 'vus',
          vus: e.vus,
          ...(e.iterationsPerVu !== undefined ? { iterationsPerVu: e.iterationsPerVu } : {}),
          ...(e.duration !== undefined ? { durationMs: e.duration } : {}),
        };
      case 'rate':
        // A trace's rate and duration are read from it before the run (workload/check.ts).
        return {
          kind: 'rate',
          rate: e.rate ?? 0,
          durationMs: e.duration ?? 0,
          maxInFlight: e.maxInFlight,
          ...(e.arrival === 'poisson' ? { arrival: 'poisson' as const, ...(e.burst !== undefined ? { burst: e.burst } : {}) } : {}),
          ...(e.arrival === 'trace' && e.trace !== undefined ? { arrival: 'trace' as const, trace: e.trace, speed: e.speed ?? 1 } : {}),
        };
    }
  });

const batch = z
  .union([z.literal('auto'), z.literal('off'), boundedInt(65_536, 'operations per batch')], { error: 'expected auto, off or a batch size from 1 to 65,536' })
  .default('auto') as z.ZodType<BatchMode, unknown>;

const NAME_RE = /^[a-z0-9][a-z0-9_-]*$/;
const name = z.string({ error: 'expected a name' }).regex(NAME_RE, 'expected lower-case letters, digits, "-" or "_"');

const goodputSchema = strictObject({
  latency: positiveDurationMs.optional(),
  ttft: positiveDurationMs.optional(),
})
  .refine((g) => g.latency !== undefined || g.ttft !== undefined, { message: 'goodput needs latency, ttft or both, e.g. { latency: 50ms, ttft: 200ms }' })
  .transform((g) => ({
    ...(g.latency !== undefined ? { latencyMs: g.latency } : {}),
    ...(g.ttft !== undefined ? { ttftMs: g.ttft } : {}),
  }));

const phaseSchema = strictObject({
  name,
  description: z.string().optional(),
  op: z.enum(OP_NAMES, { error: `expected an operation (allowed: ${OP_NAMES.join(', ')})` }),
  params: paramsSchema.prefault({}),
  executor: executorSchema,
  warmup: nonNegativeInt.default(0),
  timeout: positiveDurationMs.prefault(30_000),
  batch,
  progressEvery: positiveInt.optional(),
  interval: positiveDurationMs.prefault(10_000),
  goodput: goodputSchema.optional(),
})
  .superRefine((p, ctx) => {
    const { dataset, synthetic } = p.params;
    if (dataset !== undefined && synthetic !== undefined) ctx.addIssue({ code: 'custom', path: ['params', 'synthetic'], message: 'give a dataset or a synthetic workload, not both' });
    if ((dataset !== undefined || synthetic !== undefined) && !WORKLOAD_OP_NAMES.includes(p.op)) {
      ctx.addIssue({ code: 'custom', path: ['params', dataset !== undefined ? 'dataset' : 'synthetic'], message: `${p.op} does not take conversations (those that do: ${WORKLOAD_OP_NAMES.join(', ')})` });
    }
  })
  .transform(({ timeout, interval, ...rest }) => ({ ...rest, timeoutMs: timeout, intervalMs: interval }));

const targetSchema = strictObject({
  metric: z.string({ error: 'expected the matrix row name, e.g. "LLM call response"' }).min(1),
  expr: z.string({ error: 'expected an expression like "sequential p99 < 50ms / < 30ms"' }).min(1),
});

export const scenarioSchema = strictObject({
  name,
  description: z.string().default(''),
  providers: providersSchema.prefault({}),
  phases: z.array(phaseSchema).min(1, 'a scenario needs at least one phase'),
  targets: z.array(targetSchema).default([]),
  workers: z
    .custom<'auto' | number>((v) => v === 'auto' || (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 1024), {
      error: 'expected auto (one per core) or a number of worker threads from 1 to 1024',
    })
    .meta(workersJson)
    .optional(),
});

export type RawTarget = z.infer<typeof targetSchema>;
export type ParsedScenario = z.output<typeof scenarioSchema>;
