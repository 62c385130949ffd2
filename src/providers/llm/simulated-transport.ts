/**
 * The default transport: an in-process stand-in for an OpenAI-compatible endpoint. It does
 * what a server does with a request (parse the JSON, validate it, run a model, serialise
 * the answer) so a simulated call costs real CPU, plus a configured latency and injected
 * faults. It is deterministic: the model's choices, the faults and the latencies all come
 * from the injected Random, so the same seed replays the same run.
 */
import type { LLMProviderConfig } from '../config.js';
import type { ChatTransport, Random } from '../types.js';
import type { ChatCompletionRequest, WireFinishReason, WireMessage, WireTool } from './chat-completion.js';
import { estimateTokens, jsonString } from './chat-completion.js';
import { createLatencySampler, describeLatency } from './latency.js';
import { ProviderError } from '../provider-error.js';

export interface SimulatedTransport extends ChatTransport {
  /** Requests received so far (including failed ones). */
  readonly calls: number;
  /** Requests that have not been answered yet (timeouts and ones waiting out their latency). */
  readonly pending: number;
}

export interface SimulatedTransportDeps {
  random: Random;
}

interface Pending {
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** How far before a simulated answer is due its timer fires (see delayed()). */
export const TIMER_SLACK_MS = 1.5;
/** The longest delay a Node timer takes (2^31 - 1 ms); a longer one fires at once. */
const MAX_TIMER_MS = 2_147_483_647;

const ROLES: ReadonlySet<string> = new Set(['system', 'user', 'assistant', 'tool']);

function badRequest(what: string): ProviderError {
  return new ProviderError('LLM_BAD_REQUEST', `simulated 400 from LLM endpoint: ${what}`);
}

/** Minimal server-side validation: enough to catch a client that sends the wrong shape. */
function validateRequest(raw: unknown, toolsKnownValid: boolean): ChatCompletionRequest {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw badRequest('body must be a JSON object');
  const req = raw as Record<string, unknown>;
  if (typeof req['model'] !== 'string' || req['model'] === '') throw badRequest("'model' must be a non-empty string");
  const messages = req['messages'];
  if (!Array.isArray(messages) || messages.length === 0) throw badRequest("'messages' must be a non-empty array");
  for (let i = 0; i < messages.length; i++) {
    const m: unknown = messages[i];
    if (typeof m !== 'object' || m === null) throw badRequest(`messages[${i}] must be an object`);
    const { role, content, tool_calls: toolCalls } = m as Record<string, unknown>;
    if (typeof role !== 'string' || !ROLES.has(role)) throw badRequest(`messages[${i}].role is invalid`);
    if (typeof content !== 'string' && content !== null) throw badRequest(`messages[${i}].content must be a string or null`);
    if (toolCalls !== undefined) {
      if (!Array.isArray(toolCalls)) throw badRequest(`messages[${i}].tool_calls must be an array`);
      for (const c of toolCalls) {
        const fn = (c as { function?: { name?: unknown; arguments?: unknown } } | null)?.function;
        if (typeof fn?.name !== 'string' || typeof fn.arguments !== 'string') {
          throw badRequest(`messages[${i}].tool_calls[].function needs a name and arguments`);
        }
      }
    }
  }
  const tools = req['tools'];
  if (tools !== undefined && !toolsKnownValid) {
    if (!Array.isArray(tools)) throw badRequest("'tools' must be an array");
    for (let i = 0; i < tools.length; i++) {
      const fn = (tools[i] as { function?: { name?: unknown } } | null)?.function;
      if (typeof fn?.name !== 'string') throw badRequest(`tools[${i}].function.name must be a string`);
    }
  }
  return req as unknown as ChatCompletionRequest;
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

/** Words the simulated model skips when it turns the user's text into a search query. */
const QUERY_STOP_WORDS: ReadonlySet<string> = new Set([
  'a', 'an', 'and', 'are', 'be', 'can', 'do', 'does', 'for', 'how', 'is', 'it', 'of', 'on', 'or', 'the', 'to',
  'what', 'who', 'why', 'you', 'your', 'with', 'in', 'me', 'tell', 'please', 'about', 'hello', 'hi',
]);
const WORDS = /[a-z0-9]+/g;
const DIGIT = /\d/;
/** The first run of arithmetic characters that contains a digit, e.g. "12 * (3 + 4)". */
const ARITHMETIC = /[-+*/^().\d\s]*\d[-+*/^().\d\s]*/;
const MAX_QUERY_WORDS = 6;
/** ARITHMETIC backtracks quadratically over long runs of spaces; the model only reads this much. */
const MAX_READ_CHARS = 2000;

interface UserTextFeatures {
  text: string;
  numeric: boolean;
  /** Tool-call arguments (JSON text) for the calculator and for any other tool. */
  calculatorArgs: string;
  queryArgs: string;
}

/**
 * What the simulated model reads out of the user's text. Load tests send the same prompt
 * again and again, so the last result is memoised: the regexes would otherwise be a
 * measurable part of every call.
 */
function createFeatureReader(): (text: string) => UserTextFeatures {
  let last: UserTextFeatures | undefined;
  return (fullText) => {
    if (last !== undefined && last.text === fullText) return last;
    const text = fullText.length > MAX_READ_CHARS ? fullText.slice(0, MAX_READ_CHARS) : fullText;
    const numeric = DIGIT.test(text);
    const words = text.toLowerCase().match(WORDS) ?? [];
    let expression: string;
    const arithmetic = numeric ? ARITHMETIC.exec(text)?.[0].trim() : undefined;
    if (arithmetic !== undefined && arithmetic !== '') {
      expression = arithmetic;
    } else {
      // No numbers to work with: the model still "estimates" something from the text.
      expression = `(${words.length} + ${text.length}) / 4`;
    }
    const picked: string[] = [];
    for (const w of words) {
      if (w.length > 1 && !QUERY_STOP_WORDS.has(w)) picked.push(w);
      if (picked.length === MAX_QUERY_WORDS) break;
    }
    const query = picked.length > 0 ? picked.join(' ') : 'cluster node runtime';
    last = {
      text: fullText,
      numeric,
      calculatorArgs: `{"expression":${jsonString(expression)}}`,
      queryArgs: `{"query":${jsonString(query)}}`,
    };
    return last;
  };
}

function toolIndex(tools: readonly WireTool[], name: string): number {
  for (let i = 0; i < tools.length; i++) if (tools[i]?.function.name === name) return i;
  return -1;
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
  try {
    sampleLatency = createLatencySampler(cfg.latency, rng);
  } catch (error) {
    configError = new ProviderError('PROVIDER_CONFIG_INVALID', `simulated transport: ${(error as Error).message}`);
    sampleLatency = () => 0;
  }
  const { errorRate, timeoutRate, stallEvery, stallForMs, toolRounds, completionTokens } = cfg;
  const readFeatures = createFeatureReader();
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
  const description = `simulated in-process (latency ${configError === undefined ? describeLatency(cfg.latency) : 'invalid'}${faults.length > 0 ? `; ${faults.join(', ')}` : ''})`;

  /**
   * The simulated model; returns the response's JSON text. Cost grows with the
   * conversation, as a real model's would. The response is serialised by hand for its
   * fixed shape (see writeResponse), which is what a tuned server does.
   */
  function complete(req: ChatCompletionRequest): string {
    const messages = req.messages;
    let lastUser = -1;
    for (let i = messages.length - 1; i >= 0; i--) {
      if (messages[i]?.role === 'user') {
        lastUser = i;
        break;
      }
    }
    let promptChars = 0;
    let rounds = 0;
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i] as WireMessage;
      if (m.content !== null) promptChars += m.content.length;
      const toolCalls = m.tool_calls;
      if (toolCalls !== undefined) {
        for (const c of toolCalls) promptChars += c.function.name.length + c.function.arguments.length;
        if (i > lastUser && m.role === 'assistant' && toolCalls.length > 0) rounds++;
      }
    }
    const userText = lastUser >= 0 ? (messages[lastUser]?.content ?? '') : '';
    const tools = req.tools;
    const id = ++seq;
    const model = req.model;
    const created = Math.floor(Date.now() / 1000);
    const promptTokens = estimateTokens(promptChars);

    if (tools !== undefined && tools.length > 0 && rounds < toolRounds) {
      const features = readFeatures(userText);
      // Start with the tool the question calls for, then rotate through the offered tools,
      // so a multi-round conversation exercises more than one tool.
      const calc = toolIndex(tools, 'calculator');
      const search = toolIndex(tools, 'search');
      const first = features.numeric ? (calc >= 0 ? calc : Math.max(search, 0)) : search >= 0 ? search : Math.max(calc, 0);
      const chosen = tools[(first + rounds) % tools.length] as WireTool;
      const name = chosen.function.name;
      const args = name === 'calculator' ? features.calculatorArgs : features.queryArgs;
      const completionTok = estimateTokens(name.length + args.length);
      return writeResponse(
        id,
        created,
        model,
        `null,"tool_calls":[{"id":"call_${seq}_0","type":"function","function":{"name":${jsonString(name)},"arguments":${jsonString(args)}}}]`,
        'tool_calls',
        promptTokens,
        completionTok,
      );
    }

    // Final answer: exactly `completionTokens` tokens (under the estimate) of text woven from
    // the tool results and the question, starting at a seeded offset.
    let source = '';
    for (let i = lastUser + 1; i < messages.length; i++) {
      const m = messages[i] as WireMessage;
      if (m.role === 'tool' && m.content !== null) source += `${m.content} `;
    }
    source += userText;
    if (source.length === 0) source = 'ok';
    let tokens = completionTokens;
    let finish: WireFinishReason = 'stop';
    const maxTokens = req.max_tokens;
    if (typeof maxTokens === 'number' && maxTokens < tokens) {
      tokens = Math.max(0, Math.floor(maxTokens));
      finish = 'length';
    }
    const chars = tokens * 4;
    const space = source.indexOf(' ', Math.floor(rng.next() * source.length));
    let text = space >= 0 ? source.slice(space + 1) : source;
    while (text.length < chars) text += ` ${source}`;
    const content = text.slice(0, chars);
    return writeResponse(id, created, model, jsonString(content), finish, promptTokens, estimateTokens(content.length));
  }

  /**
   * Answers after `ms`. A plain setTimeout(ms) fires 0.1-1 ms late (libuv's millisecond
   * timers), which would bias every simulated latency upwards; so the timer is set to end
   * just short of the deadline and the rest is waited out turn by turn with setImmediate,
   * which lands within tens of microseconds of it.
   */
  function delayed(ms: number, settle: (resolve: (v: string) => void, reject: (e: Error) => void) => void): Promise<string> {
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
      const latency = sampleLatency();
      let answer: string;
      try {
        const req = parseRequest(body);
        if (fail) throw new ProviderError('LLM_SERVER_ERROR', 'simulated 500 from LLM endpoint');
        answer = complete(req);
      } catch (error) {
        if (latency <= 0) return Promise.reject(error as Error);
        return delayed(latency, (_resolve, reject) => reject(error as Error));
      }
      // No timer for zero latency: a timer would add ~1 ms of event-loop scheduling to
      // every call and measure Node's timers instead of the code under test.
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
