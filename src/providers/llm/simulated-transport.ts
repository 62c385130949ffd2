/**
 * The default transport: an in-process stand-in for an OpenAI-compatible endpoint. It does
 * what a server does with a request (parse the JSON, validate it, run a model, serialise
 * the answer) so a simulated call costs real CPU, plus a configured latency and injected
 * faults. It is deterministic: the model's choices, the faults and the latencies all come
 * from the injected Random, so the same seed replays the same run.
 */
import type { LLMProviderConfig } from '../config.js';
import type { ChatTransport, Clock, Random } from '../types.js';
import type { ChatCompletionRequest, WireFinishReason, WireMessage, WireTool } from './chat-completion.js';
import { estimateTokens, jsonString } from './chat-completion.js';
import { answerLength, createToolPlanner, readConversation, requestProblem, toolCallTokens } from './simulated-model.js';
import { createLatencySampler, describeLatency } from './latency.js';
import { describeServerModel, SlotQueue, tokenServiceMs } from './server-model.js';
import { ProviderError } from '../provider-error.js';

export interface SimulatedTransport extends ChatTransport {
  /** Requests received so far (including failed ones). */
  readonly calls: number;
  /** Requests that have not been answered yet (timeouts and ones waiting out their latency). */
  readonly pending: number;
  /** Requests refused as LLM_OVERLOADED (every slot busy, queue full). */
  readonly refused: number;
}

export interface SimulatedTransportDeps {
  random: Random;
  /** A clock with sleep() (a virtual clock): latency is waited out on it instead of a timer. */
  clock?: Clock;
}

interface Pending {
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** How far before a simulated answer is due its timer fires (see delayed()). */
export const TIMER_SLACK_MS = 1.5;
/** The longest delay a Node timer takes (2^31 - 1 ms); a longer one fires at once. */
const MAX_TIMER_MS = 2_147_483_647;

function badRequest(what: string): ProviderError {
  return new ProviderError('LLM_BAD_REQUEST', `simulated 400 from LLM endpoint: ${what}`);
}

function validateRequest(raw: unknown, toolsKnownValid: boolean): ChatCompletionRequest {
  const problem = requestProblem(raw, toolsKnownValid);
  if (problem !== undefined) throw badRequest(problem);
  return raw as ChatCompletionRequest;
}

const TOOLS_KEY = '{"tools":';

/**
 * Parses request bodies, reusing the parse of the tool definitions while they stay the
 * same: the server-side analogue of prompt caching. Agents send identical tool lists on
 * every call, and they are often most of the body. Sound because it only applies when the
 * body starts with exactly the text that was parsed before: the same JSON text parses to
 * the same value, so the result equals a full parse. The cached tools are never mutated.
 */
function createRequestParser(): (body: string) => ChatCompletionRequest {
  let cachedPrefix = '';
  let cachedTools: WireTool[] | undefined;
  return (body) => {
    try {
      // slice + === rather than startsWith: V8's startsWith compares char by char and
      // costs microseconds on a tool list; flat-string equality is a memory compare.
      if (cachedTools !== undefined && body.slice(0, cachedPrefix.length) === cachedPrefix) {
        const rest: unknown = JSON.parse(`{${body.slice(cachedPrefix.length)}`);
        const req = validateRequest(rest, true);
        req.tools = cachedTools;
        return req;
      }
      const req = validateRequest(JSON.parse(body), false);
      if (req.tools !== undefined && body.startsWith(TOOLS_KEY)) {
        const prefix = `${TOOLS_KEY}${JSON.stringify(req.tools)},`;
        if (body.startsWith(prefix)) {
          cachedPrefix = prefix;
          cachedTools = req.tools;
        }
      }
      return req;
    } catch (error) {
      if (error instanceof SyntaxError) throw badRequest('body is not valid JSON');
      throw error;
    }
  };
}

/**
 * The JSON text of a chat-completion response, written for its fixed shape: only the
 * variable strings are escaped. Parses to a ChatCompletionResponse (the tests check
 * that), at a fraction of JSON.stringify's cost on the nested object.
 */
function writeResponse(
  seq: number,
  created: number,
  model: string,
  /** The JSON of message.content, plus `,"tool_calls":[...]` when there are calls. */
  messageTail: string,
  finish: WireFinishReason,
  promptTokens: number,
  completionTokens: number,
): string {
  return `{"id":"chatcmpl-sim-${seq}","object":"chat.completion","created":${created},"model":${jsonString(model)},"choices":[{"index":0,"message":{"role":"assistant","content":${messageTail}},"finish_reason":"${finish}"}],"usage":{"prompt_tokens":${promptTokens},"completion_tokens":${completionTokens},"total_tokens":${promptTokens + completionTokens}}}`;
}

function busyWait(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // spin: the point is to hold the thread
  }
}

export function createSimulatedTransport(cfg: LLMProviderConfig, deps: SimulatedTransportDeps): SimulatedTransport {
  const rng = deps.random;
  // A bad latency model is reported by the provider's initialize(), like every other
  // config error, so building never throws; a transport used directly rejects every send.
  let configError: ProviderError | undefined;
  let sampleLatency: () => number;
  // A finite-capacity server (providers.llm.slots): queueing becomes part of every latency.
  let queue: SlotQueue | undefined;
  try {
    sampleLatency = createLatencySampler(cfg.latency, rng);
    if (cfg.slots !== undefined) queue = new SlotQueue({ slots: cfg.slots, ...(cfg.queueLimit !== undefined ? { queueLimit: cfg.queueLimit } : {}) });
  } catch (error) {
    configError = new ProviderError('PROVIDER_CONFIG_INVALID', `simulated transport: ${(error as Error).message}`);
    sampleLatency = () => 0;
  }
  const tokenBased = cfg.prefillMs !== undefined || cfg.perTokenMs !== undefined;
  const prefillMs = cfg.prefillMs ?? 0;
  const perTokenMs = cfg.perTokenMs ?? 0;
  /** Completion tokens of the answer complete() wrote last (token-based service time). */
  let lastCompletionTokens = 0;
  const { errorRate, timeoutRate, stallEvery, stallForMs, toolRounds, completionTokens } = cfg;
  const planToolCall = createToolPlanner();
  const virtualSleep = deps.clock?.sleep?.bind(deps.clock);
  const parseRequest = createRequestParser();
  const pending = new Set<Pending>();
  let calls = 0;
  let seq = 0;
  let closed = false;

  const faults: string[] = [];
  const percent = (rate: number) => `${Number((rate * 100).toPrecision(6))}%`;
  if (errorRate > 0) faults.push(`errors ${percent(errorRate)}`);
  if (timeoutRate > 0) faults.push(`timeouts ${percent(timeoutRate)}`);
  if (stallEvery > 0 && stallForMs > 0) faults.push(`stall ${stallForMs}ms every ${stallEvery} calls`);
  const service = tokenBased ? `service ${prefillMs}ms + ${perTokenMs}ms/token` : `latency ${configError === undefined ? describeLatency(cfg.latency) : 'invalid'}`;
  const capacity = cfg.slots !== undefined ? `; ${describeServerModel(cfg)}` : '';
  const description = `simulated in-process (${service}${capacity}${faults.length > 0 ? `; ${faults.join(', ')}` : ''})`;

  /**
   * The simulated model; returns the response's JSON text. Cost grows with the
   * conversation, as a real model's would. The response is serialised by hand for its
   * fixed shape (see writeResponse), which is what a tuned server does.
   */
  function complete(req: ChatCompletionRequest): string {
    const messages = req.messages;
    const { lastUser, userText, promptChars, rounds } = readConversation(messages);
    const tools = req.tools;
    const id = ++seq;
    const model = req.model;
    const created = Math.floor(Date.now() / 1000);
    const promptTokens = estimateTokens(promptChars);

    if (tools !== undefined && tools.length > 0 && rounds < toolRounds) {
      const call = planToolCall(tools, userText, rounds);
      lastCompletionTokens = toolCallTokens(call);
      return writeResponse(
        id,
        created,
        model,
        `null,"tool_calls":[{"id":"call_${seq}_0","type":"function","function":{"name":${jsonString(call.name)},"arguments":${jsonString(call.arguments)}}}]`,
        'tool_calls',
        promptTokens,
        toolCallTokens(call),
      );
    }

    // Final answer: exactly `completionTokens` tokens (under the estimate) of text woven from
    // the tool results and the question, starting at a seeded offset.
    let source = '';
    for (let i = lastUser + 1; i < messages.length; i++) {
      const m = messages[i] as WireMessage;
      if (m.role === 'tool' && typeof m.content === 'string') source += `${m.content} `;
    }
    source += userText;
    if (source.length === 0) source = 'ok';
    const { tokens, finish } = answerLength(completionTokens, req);
    const chars = tokens * 4;
    const space = source.indexOf(' ', Math.floor(rng.next() * source.length));
    let text = space >= 0 ? source.slice(space + 1) : source;
    while (text.length < chars) text += ` ${source}`;
    const content = text.slice(0, chars);
    lastCompletionTokens = estimateTokens(content.length);
    return writeResponse(id, created, model, jsonString(content), finish, promptTokens, lastCompletionTokens);
  }

  /**
   * Answers after `ms`. A plain setTimeout(ms) fires 0.1-1 ms late (libuv's millisecond
   * timers), which would bias every simulated latency upwards; so the timer is set to end
   * just short of the deadline and the rest is waited out turn by turn with setImmediate,
   * which lands within tens of microseconds of it.
   */
  function delayed(ms: number, settle: (resolve: (v: string) => void, reject: (e: Error) => void) => void): Promise<string> {
    if (virtualSleep !== undefined) return virtualSleep(ms).then(() => new Promise<string>(settle));
    return new Promise<string>((resolve, reject) => {
      const entry: Pending = { reject, timer: undefined };
      const deadline = performance.now() + ms;
      const finish = (): void => {
        if (!pending.has(entry)) return; // closed meanwhile
        const left = deadline - performance.now();
        // A wait longer than a timer can hold (~24.8 days) is made of several timers: one
        // that long fires at once, with a warning, and the rest would spin turn by turn.
        // (Only then is much left: an ordinary timer fires at most ~1 ms early.)
        if (left > TIMER_SLACK_MS + 1_000) {
          entry.timer = setTimeout(finish, Math.min(MAX_TIMER_MS, left - TIMER_SLACK_MS));
          return;
        }
        if (left > 0) {
          setImmediate(finish);
          return;
        }
        pending.delete(entry);
        settle(resolve, reject);
      };
      entry.timer = setTimeout(finish, Math.min(MAX_TIMER_MS, Math.max(0, ms - TIMER_SLACK_MS)));
      pending.add(entry);
    });
  }

  return {
    simulated: true,
    description,
    get calls() {
      return calls;
    },
    get pending() {
      return pending.size;
    },
    get refused() {
      return queue?.refused ?? 0;
    },

    send(body: string): Promise<string> {
      if (closed) return Promise.reject(new ProviderError('TRANSPORT_CLOSED', 'simulated transport is closed'));
      if (configError !== undefined) return Promise.reject(configError);
      calls++;
      if (stallEvery > 0 && calls % stallEvery === 0 && stallForMs > 0) {
        // Deliberately synchronous and scheduled as a macrotask: it freezes the whole process
        // between operations, like a stop-the-world GC pause, rather than inside this call.
        // Operations already running finish first (their service time stays small); the
        // ones scheduled during the freeze start late, which is what an open-model load
        // generator must report (coordinated omission) and a closed loop would hide.
        setImmediate(() => busyWait(stallForMs));
      }
      // Fault draws come first and in a fixed order, so a seed replays the same faults
      // whatever the conversation looks like.
      const fail = errorRate > 0 && rng.next() < errorRate;
      const hang = !fail && timeoutRate > 0 && rng.next() < timeoutRate;
      if (hang) {
        // Never answers; the runner's per-operation timeout ends the wait. Tracked so
        // close() can reject it and nothing stays pending after the run (a few dozen
        // bytes per hung call until then).
        return new Promise<string>((_resolve, reject) => {
          pending.add({ reject, timer: undefined });
        });
      }
      let latency = sampleLatency();
      let answer = '';
      let failure: Error | undefined;
      try {
        const req = parseRequest(body);
        if (fail) throw new ProviderError('LLM_SERVER_ERROR', 'simulated 500 from LLM endpoint');
        answer = complete(req);
        if (tokenBased) latency = tokenServiceMs(prefillMs, perTokenMs, lastCompletionTokens);
      } catch (error) {
        failure = error as Error;
        // A failure generates no tokens: it costs the prefill only.
        if (tokenBased) latency = prefillMs;
      }
      if (queue !== undefined) {
        // The answer is ready; it is delivered when the server would have finished it: after
        // its wait for a slot plus its service time (server-model.ts).
        const now = performance.now();
        const admission = queue.admit(now, latency);
        if (admission === undefined) {
          return Promise.reject(
            new ProviderError('LLM_OVERLOADED', `simulated 429 from LLM endpoint: all ${cfg.slots} slots busy and ${cfg.queueLimit} requests queued`),
          );
        }
        latency = admission.endMs - now;
      }
      // No timer for zero latency: a timer would add ~1 ms of event-loop scheduling to
      // every call and measure Node's timers instead of the code under test.
      if (failure !== undefined) {
        const error = failure;
        if (latency <= 0) return Promise.reject(error);
        return delayed(latency, (_resolve, reject) => reject(error));
      }
      if (latency <= 0) return Promise.resolve(answer);
      return delayed(latency, (resolve) => resolve(answer));
    },

    close(): Promise<void> {
      if (closed) return Promise.resolve();
      closed = true;
      const error = new ProviderError('TRANSPORT_CLOSED', 'simulated transport closed with the request in flight');
      for (const entry of pending) {
        if (entry.timer !== undefined) clearTimeout(entry.timer);
        entry.reject(error);
      }
      pending.clear();
      return Promise.resolve();
    },
  };
}
