/**
 * The operations a phase can offer as load. Each `prepare`s a function of the operation
 * index; the executors time that function and nothing else (argument building that the
 * seed's loops also do, like formatting "Test message #i", stays inside on purpose).
 */
import type { Message, AgentResult, TokenUsage } from '../providers/types.js';
import type { Providers, ProviderDeps } from '../providers/registry.js';
import { createProviderAsync } from '../providers/registry.js';
import type { ProvidersConfig } from '../providers/config.js';
import type { OpName, OpParams } from '../scenarios/types.js';
import type { ExecutorSpec, LatencySummary, WorkloadInfo } from '../results/types.js';
import { describeExecutor } from '../results/describe.js';
import { formatMs } from '../util/units.js';
import { LatencyRecorder } from '../metrics/histogram.js';
import { describeWorkload, isWorkloadPhase, workloadOp } from '../workload/ops.js';
import { llmCallOp } from './llm-call-op.js';
import { LlmMetrics, type LlmFigures } from './llm-metrics.js';
import { sessionPicker, type Part } from './split.js';

/** An operation: its index, and (for abortable operations) a signal fired when it is given up. */
export type OpFn = (i: number, signal?: AbortSignal) => unknown;

export interface PreparedOp {
  run: OpFn;
  /**
   * True when giving up on the operation should cancel it (an HTTP request holds a pooled
   * connection until it ends). The executor then makes an AbortController per operation,
   * which costs too much to spend on in-process operations.
   */
  abortable?: boolean;
  /** Called after an operation was timed, outside the timing (e.g. to close a fresh provider). */
  settle?: (value: unknown) => void | Promise<void>;
  /** Figures the operation adds to the phase result. */
  extra?: () => Record<string, number>;
  /** The keys of extra() that are totals over the phase (the rest are per-operation figures or readings). */
  totals?: () => readonly string[];
  /** True when the operation may well take under a microsecond: batch timing is considered. */
  fast: boolean;
  /** Extra histograms the operation fills in `settle` (e.g. agent steps by kind). */
  histograms?: OpHistograms;
  /** Figures the phase result takes as they are: LLM timings and tokens, the workload (see OpFigures). */
  timings?: (durationMs: number) => OpFigures;
  /**
   * Called by closed-model workers before operation i is timed; a promise returned is awaited
   * outside the timing (a simulated user's think time). The open model never calls it.
   */
  prepare?: (i: number) => Promise<void> | undefined;
  /** Awaited once before warm-up (e.g. to open a dataset and read its first records). */
  init?: () => Promise<void>;
  /** After warm-up: forget what warm-up counted (extra() figures, timings). */
  afterWarmup?: () => void;
  /** Frees what the operation holds (WASM histograms); called once the phase is over. */
  dispose?: () => void;
}

/** The mixed task's answer: the agent's, with the usage of its own LLM call beside it. */
export type MixedResult = AgentResult & { llmUsage?: TokenUsage };

/** Two operations' token counts together (an estimate in either makes the sum one). */
export function addUsage(a: TokenUsage, b: TokenUsage | undefined): TokenUsage {
  if (b === undefined) return a;
  return {
    promptTokens: a.promptTokens + b.promptTokens,
    completionTokens: a.completionTokens + b.completionTokens,
    totalTokens: a.totalTokens + b.totalTokens,
    ...(a.estimated === true || b.estimated === true ? { estimated: true } : {}),
  };
}

/** Per-phase figures an operation reports under their own names in the PhaseResult. */
export type OpFigures = LlmFigures & { workload?: WorkloadInfo };

/** Named histograms beside the phase latency: reset after warm-up, summarised at the end. */
export class OpHistograms {
  private readonly recorders = new Map<string, LatencyRecorder>();

  get(name: string): LatencyRecorder {
    let r = this.recorders.get(name);
    if (!r) {
      r = new LatencyRecorder();
      this.recorders.set(name, r);
    }
    return r;
  }

  reset(): void {
    for (const r of this.recorders.values()) r.reset();
  }

  summarize(): Record<string, LatencySummary> {
    const out: Record<string, LatencySummary> = {};
    for (const [name, r] of [...this.recorders.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
      if (r.count > 0) out[name] = r.summarize();
    }
    return out;
  }

  destroy(): void {
    for (const r of this.recorders.values()) r.destroy();
    this.recorders.clear();
  }
}

export interface OpContext {
  providers: Providers;
  config: ProvidersConfig;
  deps: ProviderDeps;
  /** Moves the providers' clock forward (memory.sweep lets idle time pass without waiting). */
  advanceClock: (ms: number) => void;
  /** This part of a split run (worker thread, shard): it uses only the sessions it owns. */
  part?: Part;
  /** The run's seed when this is a part (deps.seed is then the part's own): what every part draws alike. */
  runSeed?: number;
}

function fill(template: string, i: number): string {
  return template.includes('{i}') ? template.replaceAll('{i}', String(i)) : template;
}

function userMessages(prompt: string): (i: number) => Message[] {
  if (prompt.includes('{i}')) return (i) => [{ role: 'user', content: fill(prompt, i) }];
  const fixed: Message[] = [{ role: 'user', content: prompt }];
  return () => fixed;
}

function initOp(kind: 'llm' | 'memory' | 'agent', ctx: OpContext): PreparedOp {
  return {
    fast: false,
    // Timed: construction + initialize(), as the seed measures "new + initialize".
    run: async () => {
      const p = await createProviderAsync(kind, ctx.config, ctx.deps);
      await p.initialize();
      return p;
    },
    // Not timed: closing, so instances don't pile up over thousands of iterations.
    settle: (p) => (p as { close(): Promise<void> }).close(),
  };
}

/**
 * The operation of a phase. `executor` is the phase's: a trace's payload references reach
 * dataset and synthetic workloads through it.
 */
export function prepareOperation(op: OpName, params: OpParams, ctx: OpContext, executor?: ExecutorSpec): PreparedOp {
  if (isWorkloadPhase(params)) return workloadOp(op, params, ctx, executor);
  const { llm, memory, agent } = ctx.providers;
  const session = sessionPicker(params.sessions, ctx.part);
  switch (op) {
    case 'llm.init':
    case 'memory.init':
    case 'agent.init':
      return initOp(op.slice(0, op.indexOf('.')) as 'llm' | 'memory' | 'agent', ctx);
    case 'llm.call':
      return llmCallOp(llm, userMessages(params.prompt));
    case 'memory.store':
      return {
        fast: true,
        run: (i) => memory.store(session(i), [{ role: 'user', content: fill(params.content, i) }]),
        extra: () => ({ sessions: memory.stats().sessions, messagesStored: memory.stats().messages }),
      };
    case 'memory.store-batch': {
      const size = params.batchSize;
      return {
        fast: false,
        run: (i) => {
          const entries = new Array<{ sessionId: string; messages: Message[] }>(size);
          for (let k = 0; k < size; k++) {
            const j = i * size + k;
            entries[k] = { sessionId: session(j), messages: [{ role: 'user', content: fill(params.content, j) }] };
          }
          return memory.storeBatch(entries);
        },
        extra: () => ({ batchSize: size, messagesStored: memory.stats().messages }),
      };
    }
    case 'memory.retrieve': {
      let returned = 0;
      let calls = 0;
      return {
        fast: true,
        run: (i) => memory.retrieve(session(i), params.limit),
        settle: (msgs) => {
          calls++;
          returned += (msgs as Message[]).length;
        },
        extra: () => ({ messagesPerRetrieve: calls ? returned / calls : 0 }),
        afterWarmup: () => {
          calls = 0;
          returned = 0;
        },
      };
    }
    case 'memory.sweep': {
      let removed = 0;
      return {
        fast: false,
        run: () => {
          ctx.advanceClock(params.advanceMs);
          return memory.sweep();
        },
        settle: (count) => {
          removed += count as number;
        },
        extra: () => ({ sessionsExpired: removed, sessionsLeft: memory.stats().sessions }),
        totals: () => ['sessionsExpired'],
        afterWarmup: () => {
          removed = 0;
        },
      };
    }
    case 'agent.execute':
    case 'mixed': {
      const messages = userMessages(params.prompt);
      let runs = 0;
      let iterations = 0;
      let toolCalls = 0;
      let steps = 0;
      // Per step kind (LLM call, tool call, memory store): where an execution's time goes.
      const histograms = new OpHistograms();
      const byKind = { llm: histograms.get('llm'), tool: histograms.get('tool'), memory: histograms.get('memory') };
      // Tokens per execution, summed over its LLM calls.
      const metrics = new LlmMetrics();
      const settle = (r: unknown): void => {
        const s = (r as AgentResult).state;
        metrics.recordOperation(addUsage(s.tokens, (r as MixedResult).llmUsage));
        runs++;
        iterations += s.iterations;
        toolCalls += s.toolCalls;
        steps += s.steps.length;
        for (const step of s.steps) byKind[step.kind]?.record(step.durationNs);
      };
      const extra = () => ({
        iterationsPerExecution: runs ? iterations / runs : 0,
        toolCallsPerExecution: runs ? toolCalls / runs : 0,
        stepsPerExecution: runs ? steps / runs : 0,
      });
      // Figures of the measured operations only, like the step histograms (reset with them).
      const afterWarmup = (): void => {
        runs = 0;
        iterations = 0;
        toolCalls = 0;
        steps = 0;
        metrics.reset();
      };
      const timings = (durationMs: number): OpFigures => metrics.figures(durationMs);
      const dispose = (): void => metrics.destroy();
      if (op === 'agent.execute') {
        return { fast: false, run: (i) => agent.execute(messages(i), { sessionId: session(i) }), settle, extra, histograms, afterWarmup, timings, dispose };
      }
      // The seed's mixed task: one LLM call, one memory store, one agent execution.
      return {
        fast: false,
        run: async (i) => {
          const sessionId = session(i);
          const m = messages(i);
          const answer = await llm.call(m);
          await memory.store(sessionId, m);
          const r: MixedResult = await agent.execute(m, { sessionId });
          r.llmUsage = answer.usage;
          return r;
        },
        settle,
        extra,
        histograms,
        afterWarmup,
        timings,
        dispose,
      };
    }
    case 'noop':
      return { fast: true, run: () => Promise.resolve() };
  }
}

/** The phase's parameters in words, for tables and reports. */
export function describeWork(op: OpName, params: OpParams, executor: ExecutorSpec): string {
  const what: Record<OpName, string> = {
    'llm.init': 'new LLM provider + initialize()',
    'memory.init': 'new memory provider + initialize()',
    'agent.init': 'new agent provider + initialize()',
    'llm.call': `llm.call("${params.prompt}")`,
    'memory.store': `store "${params.content}" round-robin into ${params.sessions} sessions`,
    'memory.store-batch': `storeBatch of ${params.batchSize} messages into ${params.sessions} sessions`,
    'memory.retrieve': `retrieve the last ${params.limit} of ${params.sessions} sessions round-robin`,
    'memory.sweep': `let ${formatMs(params.advanceMs)} of idle time pass, then sweep expired sessions`,
    'agent.execute': `agent.execute("${params.prompt}") over ${params.sessions} sessions`,
    mixed: `llm.call + memory.store + agent.execute ("${params.prompt}")`,
    noop: 'an empty async operation (harness overhead)',
  };
  return `${isWorkloadPhase(params) ? describeWorkload(op, params) : what[op]}; ${describeExecutor(executor)}`;
}
