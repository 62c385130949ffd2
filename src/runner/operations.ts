/**
 * The operations a phase can offer as load. Each `prepare`s a function of the operation
 * index; the executors time that function and nothing else (argument building that the
 * seed's loops also do, like formatting "Test message #i", stays inside on purpose).
 */
import type { Message, AgentResult } from '../providers/types.js';
import type { Providers, ProviderDeps } from '../providers/registry.js';
import { createProviderAsync } from '../providers/registry.js';
import type { ProvidersConfig } from '../providers/config.js';
import type { OpName, OpParams } from '../scenarios/types.js';
import type { ExecutorSpec, LatencySummary } from '../results/types.js';
import { describeExecutor } from '../results/describe.js';
import { formatMs } from '../util/units.js';
import { LatencyRecorder } from '../metrics/histogram.js';
import { llmCallOp } from './llm-call-op.js';

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
  /** Streamed LLM calls: ttft / itl histograms, reported as PhaseResult.ttft / .itl. */
  timings?: () => { ttft?: LatencySummary; itl?: LatencySummary };
  /** After warm-up: forget what warm-up counted (extra() figures, timings). */
  afterWarmup?: () => void;
  /** Frees what the operation holds (WASM histograms); called once the phase is over. */
  dispose?: () => void;
}

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
}

function fill(template: string, i: number): string {
  return template.includes('{i}') ? template.replaceAll('{i}', String(i)) : template;
}

function sessionIds(n: number): string[] {
  return Array.from({ length: n }, (_, k) => `session_${k}`);
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

export function prepareOperation(op: OpName, params: OpParams, ctx: OpContext): PreparedOp {
  const { llm, memory, agent } = ctx.providers;
  const ids = sessionIds(params.sessions);
  const n = ids.length;
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
        run: (i) => memory.store(ids[i % n] as string, [{ role: 'user', content: fill(params.content, i) }]),
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
            entries[k] = { sessionId: ids[j % n] as string, messages: [{ role: 'user', content: fill(params.content, j) }] };
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
        run: (i) => memory.retrieve(ids[i % n] as string, params.limit),
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
      const settle = (r: unknown): void => {
        const s = (r as AgentResult).state;
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
      };
      if (op === 'agent.execute') {
        return { fast: false, run: (i) => agent.execute(messages(i), { sessionId: ids[i % n] as string }), settle, extra, histograms, afterWarmup };
      }
      // The seed's mixed task: one LLM call, one memory store, one agent execution.
      return {
        fast: false,
        run: async (i) => {
          const sessionId = ids[i % n] as string;
          const m = messages(i);
          await llm.call(m);
          await memory.store(sessionId, m);
          return agent.execute(m, { sessionId });
        },
        settle,
        extra,
        histograms,
        afterWarmup,
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
  return `${what[op]}; ${describeExecutor(executor)}`;
}
