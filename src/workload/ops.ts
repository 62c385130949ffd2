/**
 * Operations driven by conversations (a dataset file, or seeded synthetic ones): each
 * operation takes the next turn of one conversation and plays it the way an agent runtime
 * does. The session's history is read from the memory provider, sent with the turn, and the
 * turn is stored back, so the memory's windows and expiry, the response cache and the agent
 * loop see traffic whose lengths and history grow as real conversations' do.
 *
 *   llm.call         retrieve history -> call the model with system + history + turn -> store turn + answer
 *   agent.execute    retrieve history -> agent.execute (the agent stores the turn, as configured)
 *   mixed            retrieve history -> llm.call -> store the turn -> agent.execute
 *   memory.store     store the turn (and the record's reference answer, if any)
 *   memory.retrieve  retrieve the turn's session's history
 *   memory.store-batch  storeBatch of the next `batchSize` turns
 *
 * The timed operation is the whole turn; where its time went is in `steps` (history, llm,
 * memory). A turn's expected answer length is sent as max_tokens. Which conversation goes
 * next, and think time, are sessions.ts's business.
 */
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { createRandom } from '../providers/random.js';
import type { AgentConfig, AgentResult, LLMConfig, LLMResponse, Message } from '../providers/types.js';
import type { ExecutorSpec, WorkloadInfo } from '../results/types.js';
import { counterGrowth } from '../runner/llm-call-op.js';
import { LlmMetrics } from '../runner/llm-metrics.js';
import { shareOf } from '../runner/split.js';
import { addUsage, OpHistograms, type OpContext, type OpFigures, type PreparedOp } from '../runner/operations.js';
import type { OpName, OpParams } from '../scenarios/types.js';
import { DatasetSource, scanDataset, stripedSource, type ConversationSource, type DatasetInfo } from './dataset.js';
import { describePopularity } from './distributions.js';
import type { Assignment } from './sessions.js';
import { ConversationPool } from './sessions.js';
import { describeSynthetic, parseSyntheticSpec, syntheticSource, type SyntheticSpec } from './synthetic.js';
import { loadTrace } from './trace.js';

/** Operations that can take their turns from a workload. */
export const WORKLOAD_OPS: ReadonlySet<OpName> = new Set<OpName>(['llm.call', 'agent.execute', 'mixed', 'memory.store', 'memory.store-batch', 'memory.retrieve']);

/** Streams of the run's seed, one per use, so no two draw the same numbers. */
const SHUFFLE_STREAM = 0x6a09e667;
const SYNTHETIC_STREAM = 0x3c6ef372;
const PICK_STREAM = 0x510e527f;

export function isWorkloadPhase(params: OpParams): boolean {
  return params.dataset !== undefined || params.synthetic !== undefined;
}

function defaultSynthetic(): SyntheticSpec {
  const spec = parseSyntheticSpec({});
  if ('field' in spec) throw new Error(`default synthetic workload: ${spec.field}: ${spec.message}`);
  return spec;
}

/** The workload in words, for the phase's description. */
export function describeWorkload(op: OpName, params: OpParams): string {
  const what = params.dataset !== undefined ? `${path.basename(params.dataset)} (${params.order === 'shuffle' ? 'shuffled' : 'in order'})` : 'synthetic conversations';
  const history = op === 'llm.call' || op === 'agent.execute' || op === 'mixed' || op === 'memory.retrieve' ? `, history of ${params.limit} messages` : '';
  const popularity = params.popularity.kind === 'zipf' ? `, ${describePopularity(params.popularity)} popularity` : '';
  return `${op} turns of ${what} over ${params.sessions} sessions${history}${popularity}`;
}

interface Wait {
  timer: NodeJS.Timeout;
  resolve: () => void;
}

/** What a turn returns, for settle (outside the timing). */
interface TurnResult {
  historyLength: number;
  /** Time of each step, ms: history read, LLM call or agent execution, memory store. */
  historyMs: number;
  llmMs?: number;
  storeMs?: number;
  response?: LLMResponse;
  agent?: AgentResult & { llmUsage?: LLMResponse['usage'] };
  retrieved?: number;
}

export function workloadOp(op: OpName, params: OpParams, ctx: OpContext, executor?: ExecutorSpec): PreparedOp {
  if (!WORKLOAD_OPS.has(op)) throw new Error(`${op} does not take a dataset or synthetic workload`);
  const { llm, memory, agent } = ctx.providers;
  const seed = ctx.deps.seed;
  // The conversations come from the run's one sequence (the run's seed, not the part's), of
  // which each part takes its stripe: parts replay different conversations.
  const sequenceSeed = ctx.runSeed ?? seed;
  const spec = params.synthetic ?? defaultSynthetic();
  const file = params.dataset;
  const dataset = file !== undefined ? new DatasetSource(file, { order: params.order, random: createRandom((sequenceSeed ^ SHUFFLE_STREAM) >>> 0) }) : undefined;
  const whole: ConversationSource = dataset ?? syntheticSource(spec, (sequenceSeed ^ SYNTHETIC_STREAM) >>> 0);
  const source = ctx.part !== undefined ? stripedSource(whole, ctx.part) : whole;
  // `sessions` are open at a time in the whole phase: a part (thread, shard) holds its share,
  // as the plain operations' session ids are shared out (runner/split.ts sessionPicker).
  const cap = ctx.part !== undefined ? Math.max(1, shareOf(params.sessions, ctx.part)) : params.sessions;
  const pool = new ConversationPool({ source, cap, popularity: params.popularity, random: createRandom((seed ^ PICK_STREAM) >>> 0), now: () => performance.now(), thinkTimeScale: params.thinkTimeScale });
  const limit = params.limit;
  let info: DatasetInfo | undefined;
  let refs: ReadonlyArray<string | undefined> | undefined;

  // Think-time waits in flight, cleared on dispose so none keeps the process alive.
  const waits = new Set<Wait>();
  const sleep = (ms: number): Promise<void> =>
    new Promise<void>((resolve) => {
      const w: Wait = {
        timer: setTimeout(() => {
          waits.delete(w);
          resolve();
        }, ms),
        resolve,
      };
      waits.add(w);
    });

  const assigned = new Map<number, Assignment>();
  let stalls = 0;
  const refOf = (i: number): string | undefined => refs?.[i];

  const prepare = (i: number): Promise<void> | undefined => {
    const a = pool.take({ mode: 'closed', ref: refOf(i) });
    if (a === undefined) return source.ready().then(() => prepare(i));
    assigned.set(i, a);
    return a.waitMs > 0 ? sleep(a.waitMs) : undefined;
  };

  /** The turn prepared for i (closed model), or the next one now (open model). */
  const obtain = (i: number): Assignment | Promise<Assignment> => {
    const a = assigned.get(i);
    if (a !== undefined) {
      assigned.delete(i);
      return a;
    }
    const b = pool.take({ mode: 'open', ref: refOf(i) });
    if (b !== undefined) return b;
    // The read-ahead ran dry: the wait is inside this operation's time, and counted.
    stalls++;
    return source.ready().then(() => obtain(i));
  };

  // One LLMConfig per expected answer length, and one tool list per distinct set of names:
  // the provider and the agent reuse their serialisation while the same object comes back.
  const configs = new Map<number, LLMConfig>();
  const llmConfig = (a: Assignment): LLMConfig | undefined => {
    const n = a.turn.answerTokens;
    if (n === undefined) return undefined;
    let c = configs.get(n);
    if (c === undefined) configs.set(n, (c = { maxTokens: n }));
    return c;
  };
  const toolLists = new Map<string, string[]>();
  const agentConfig = (a: Assignment): AgentConfig => {
    const tools = a.conversation.tools;
    let list: string[] | undefined;
    if (tools !== undefined) {
      const key = tools.join('\n');
      list = toolLists.get(key);
      if (list === undefined) toolLists.set(key, (list = tools));
    }
    const cfg = llmConfig(a);
    return { sessionId: a.conversation.session, ...(list !== undefined ? { tools: list } : {}), ...(cfg !== undefined ? { llm: cfg } : {}) };
  };
  const messagesFor = (a: Assignment, history: Message[]): Message[] => {
    // A copy: a plugin's memory may hand out its own array.
    const system = a.conversation.system;
    return system === undefined ? [...history, a.turn.user] : [system, ...history, a.turn.user];
  };

  const metrics = new LlmMetrics();
  const histograms = new OpHistograms();
  let turns = 0;
  let historySum = 0;
  let runs = 0;
  let iterations = 0;
  let toolCalls = 0;
  let agentSteps = 0;
  let returned = 0;
  let base = { ...pool.stats };
  let counterBase = llm.counters?.() ?? {};

  const settle = (value: unknown): void => {
    const r = value as TurnResult;
    turns++;
    historySum += r.historyLength;
    histograms.get('history').record(Math.max(1, Math.round(r.historyMs * 1e6)));
    if (r.llmMs !== undefined) histograms.get('llm').record(Math.max(1, Math.round(r.llmMs * 1e6)));
    if (r.storeMs !== undefined) histograms.get('memory').record(Math.max(1, Math.round(r.storeMs * 1e6)));
    if (r.retrieved !== undefined) returned += r.retrieved;
    if (r.response !== undefined && r.agent === undefined) metrics.recordResponse(r.response);
    const ag = r.agent;
    if (ag !== undefined) {
      const s = ag.state;
      metrics.recordOperation(addUsage(s.tokens, ag.llmUsage));
      if (r.response?.timing !== undefined) metrics.recordTiming(r.response.timing);
      runs++;
      iterations += s.iterations;
      toolCalls += s.toolCalls;
      agentSteps += s.steps.length;
      for (const step of s.steps) histograms.get(step.kind).record(Math.max(1, step.durationNs));
    }
  };

  const stored = (r: LLMResponse, a: Assignment): Message[] => [
    a.turn.user,
    r.toolCalls.length > 0 ? { role: 'assistant', content: r.content, toolCalls: r.toolCalls } : { role: 'assistant', content: r.content },
  ];

  /** What memory.store keeps of a turn: the user's message, and the record's reference answer if any. */
  const userAndReference = (a: Assignment): Message[] => (a.turn.reference !== undefined ? [a.turn.user, a.turn.reference] : [a.turn.user]);

  /** One operation's turn: the conversation obtained for i, given back to the pool whatever the turn does. */
  const onTurn =
    (turn: (a: Assignment, signal?: AbortSignal) => Promise<TurnResult>): PreparedOp['run'] =>
    async (i, signal) => {
      const a = await obtain(i);
      try {
        return await turn(a, signal);
      } finally {
        pool.release(a);
      }
    };

  /**
   * The session's history as the memory gives it, how long that read took (ms), and its length
   * taken at once: a plugin's memory may hand out its own array, which the turn's store then grows.
   */
  const readHistory = async (a: Assignment): Promise<{ history: Message[]; historyLength: number; historyMs: number }> => {
    const t0 = performance.now();
    const history = await memory.retrieve(a.conversation.session, limit);
    return { history, historyLength: history.length, historyMs: performance.now() - t0 };
  };

  let run: PreparedOp['run'];
  switch (op) {
    case 'llm.call':
      run = onTurn(async (a, signal) => {
        const { history, historyLength, historyMs } = await readHistory(a);
        const t1 = performance.now();
        const response = await llm.call(messagesFor(a, history), llmConfig(a), signal ? { signal } : undefined);
        const t2 = performance.now();
        await memory.store(a.conversation.session, stored(response, a));
        return { historyLength, historyMs, llmMs: t2 - t1, storeMs: performance.now() - t2, response };
      });
      break;
    case 'agent.execute':
      run = onTurn(async (a) => {
        const { history, historyLength, historyMs } = await readHistory(a);
        const result = await agent.execute(messagesFor(a, history), agentConfig(a));
        return { historyLength, historyMs, agent: result };
      });
      break;
    case 'mixed':
      run = onTurn(async (a) => {
        const { history, historyLength, historyMs } = await readHistory(a);
        const m = messagesFor(a, history);
        const answer = await llm.call(m, llmConfig(a));
        await memory.store(a.conversation.session, [a.turn.user]);
        const result: AgentResult & { llmUsage?: LLMResponse['usage'] } = await agent.execute(m, agentConfig(a));
        result.llmUsage = answer.usage;
        return { historyLength, historyMs, agent: result, response: answer };
      });
      break;
    case 'memory.store':
      run = onTurn(async (a) => {
        const t0 = performance.now();
        await memory.store(a.conversation.session, userAndReference(a));
        return { historyLength: 0, historyMs: 0, storeMs: performance.now() - t0 };
      });
      break;
    case 'memory.retrieve':
      run = onTurn(async (a) => {
        const { historyLength, historyMs } = await readHistory(a);
        return { historyLength, historyMs, retrieved: historyLength };
      });
      break;
    default: {
      // memory.store-batch: the next batchSize turns in one storeBatch (think time does not
      // apply inside a batch).
      const size = params.batchSize;
      run = async () => {
        const entries: Array<{ sessionId: string; messages: Message[] }> = [];
        while (entries.length < size) {
          const a = pool.take({ mode: 'batch' });
          if (a === undefined) {
            stalls++;
            await source.ready();
            continue;
          }
          entries.push({ sessionId: a.conversation.session, messages: userAndReference(a) });
          pool.release(a);
        }
        const t0 = performance.now();
        await memory.storeBatch(entries);
        return { historyLength: 0, historyMs: 0, storeMs: performance.now() - t0 } satisfies TurnResult;
      };
    }
  }

  const workload = (): WorkloadInfo => ({
    source: file !== undefined ? 'dataset' : 'synthetic',
    fingerprint:
      file !== undefined
        ? `dataset:sha256:${info?.sha256 ?? 'unknown'}:${params.order}`
        : `synthetic:${Object.entries(describeSynthetic(spec))
            .map(([k, v]) => `${k}=${v}`)
            .join(',')}`,
    ...(file !== undefined && info !== undefined
      ? { dataset: { path: info.path, lines: info.lines, records: info.records, bytes: info.bytes, sha256: info.sha256, order: params.order } }
      : {}),
    ...(file === undefined ? { synthetic: describeSynthetic(spec) } : {}),
    sessions: params.sessions,
    popularity: describePopularity(params.popularity),
    historyLimit: limit,
  });

  const llmOps = op === 'llm.call' || op === 'agent.execute' || op === 'mixed';
  const agentOps = op === 'agent.execute' || op === 'mixed';

  return {
    fast: false,
    abortable: op === 'llm.call' && !llm.simulated,
    run,
    settle,
    prepare,
    histograms,
    async init() {
      if (file !== undefined) {
        info = await scanDataset(file);
        await dataset?.start();
      }
      if (executor?.kind === 'rate' && executor.arrival === 'trace' && executor.trace !== undefined) {
        refs = (await loadTrace(executor.trace)).sessions;
      }
    },
    extra: () => {
      const s = pool.stats;
      const conversations = s.conversations - base.conversations;
      const taken = s.turns - base.turns;
      const mem = memory.stats();
      const out: Record<string, number> = {
        conversations,
        turnsPerConversation: conversations > 0 ? taken / conversations : 0,
        sessionsInMemory: mem.sessions,
        messagesPerSession: mem.sessions > 0 ? mem.messages / mem.sessions : 0,
      };
      if (op !== 'memory.store' && op !== 'memory.store-batch') out['historyPerTurn'] = turns > 0 ? historySum / turns : 0;
      if (op === 'memory.retrieve') out['messagesPerRetrieve'] = turns > 0 ? returned / turns : 0;
      if (s.overCap > base.overCap) out['sessionsOverCap'] = s.overCap - base.overCap;
      const waited = s.thinkWaits - base.thinkWaits;
      if (waited > 0) {
        out['thinkWaits'] = waited;
        out['thinkWaitMsPerWait'] = (s.thinkWaitMs - base.thinkWaitMs) / waited;
      }
      if (dataset !== undefined) out['datasetPasses'] = dataset.passes;
      if (stalls > 0) out['datasetStalls'] = stalls;
      if (agentOps) {
        out['iterationsPerExecution'] = runs ? iterations / runs : 0;
        out['toolCallsPerExecution'] = runs ? toolCalls / runs : 0;
        out['stepsPerExecution'] = runs ? agentSteps / runs : 0;
      }
      if (op === 'llm.call') Object.assign(out, counterGrowth(llm, counterBase));
      return out;
    },
    timings: (durationMs): OpFigures => ({ ...(llmOps ? metrics.figures(durationMs) : {}), workload: workload() }),
    afterWarmup: () => {
      base = { ...pool.stats };
      counterBase = llm.counters?.() ?? {};
      turns = 0;
      historySum = 0;
      runs = 0;
      iterations = 0;
      toolCalls = 0;
      agentSteps = 0;
      returned = 0;
      stalls = 0;
      metrics.reset();
    },
    dispose: () => {
      for (const w of waits) clearTimeout(w.timer);
      waits.clear();
      source.close();
      metrics.destroy();
    },
  };
}

