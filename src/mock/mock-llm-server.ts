/**
 * A mock OpenAI-compatible chat-completions server (node:http) to benchmark and test the
 * HTTP transport against, with a configurable time to first token, token rate and error
 * rate. It is what `cluster-bench mock-llm` serves; tests start it in-process on port 0.
 *
 *   GET  /                        health: {"status":"ok"}
 *   GET  /v1/models               one model
 *   POST /v1/chat/completions     (also /chat/completions) JSON or, with "stream": true,
 *                                 server-sent events ending in `data: [DONE]`
 *
 * Answers are deterministic for a seed: the text, which requests fail, which tool is asked
 * for. The server never logs request headers (the API key travels in one).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ChatCompletionChunk, ChatCompletionRequest, WireFinishReason } from '../providers/llm/chat-completion.js';
import { estimateTokens } from '../providers/llm/chat-completion.js';
import {
  answerLength,
  createToolPlanner,
  readConversation,
  requestProblem,
  toolCallTokens,
  type PlannedToolCall,
} from '../providers/llm/simulated-model.js';
import type { LatencyModel } from '../providers/config.js';
import { createLatencySampler, describeLatency } from '../providers/llm/latency.js';
import { describeServerModel, SlotQueue } from '../providers/llm/server-model.js';
import { createRandom } from '../providers/random.js';
import { formatMs } from '../util/units.js';

export interface MockLLMOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: any free port (read it back from `port`). */
  port?: number;
  /** Time from the request to the first token, ms. Default 0. */
  ttftMs?: number;
  /** Tokens per second after the first; 0 = all at once. Default 0. */
  tokensPerSecond?: number;
  /** Tokens in an answer (max_tokens caps it). Default 16. */
  tokens?: number;
  /** Fraction of chat requests answered with `errorStatus` instead (0..1). Default 0. */
  errorRate?: number;
  /** Default 500. */
  errorStatus?: number;
  /** Rounds of tool calls asked for when the request offers tools. Default 1. */
  toolRounds?: number;
  /** When set, requests must carry `Authorization: Bearer <apiKey>` or get a 401. */
  apiKey?: string;
  seed?: number;
  /**
   * Requests served at once (a finite-capacity server, providers/llm/server-model.ts); the
   * rest wait in FIFO order, and a request holds its slot until its last token. Default unlimited.
   */
  slots?: number;
  /** Requests that may wait for a slot; beyond it they get a 429. Default unlimited. */
  queueLimit?: number;
  /**
   * Time to the answer (JSON) or to the first token (stream), drawn per request; replaces
   * `ttftMs`. Tokens after the first still follow at `tokensPerSecond`.
   */
  serviceTime?: LatencyModel;
}

export interface MockLLMServer {
  /** http://host:port */
  readonly url: string;
  /** url + "/v1": what providers.llm.baseUrl takes. */
  readonly baseUrl: string;
  readonly port: number;
  /** Chat-completion requests received (failed ones included). */
  readonly requests: number;
  /** The settings in words, for the startup line. */
  readonly description: string;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 10 * 1024 * 1024;
const WORDS = [
  'the', 'cluster', 'node', 'answers', 'quickly', 'with', 'a', 'steady', 'stream', 'of', 'tokens', 'while',
  'memory', 'stays', 'flat', 'and', 'latency', 'is', 'measured', 'honestly', 'under', 'load', 'today', 'again',
];

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, message: string, type: string): void {
  sendJson(res, status, { error: { message, type, param: null, code: null } });
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        resolve(undefined);
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

interface Plan {
  /** Text pieces, one per token; or a tool call. */
  pieces: string[];
  toolCall?: PlannedToolCall & { id: string };
  finish: WireFinishReason;
  promptTokens: number;
}

export async function startMockLLM(options: MockLLMOptions = {}): Promise<MockLLMServer> {
  const host = options.host ?? '127.0.0.1';
  const ttftMs = options.ttftMs ?? 0;
  const tps = options.tokensPerSecond ?? 0;
  const intervalMs = tps > 0 ? 1000 / tps : 0;
  const tokens = options.tokens ?? 16;
  const errorRate = options.errorRate ?? 0;
  const errorStatus = options.errorStatus ?? 500;
  const toolRounds = options.toolRounds ?? 1;
  const expectedAuth = options.apiKey !== undefined ? `Bearer ${options.apiKey}` : undefined;
  const rng = createRandom(options.seed ?? 1);
  const sampleFirst: () => number = options.serviceTime !== undefined ? createLatencySampler(options.serviceTime, rng) : () => ttftMs;
  const queue = options.slots !== undefined ? new SlotQueue({ slots: options.slots, ...(options.queueLimit !== undefined ? { queueLimit: options.queueLimit } : {}) }) : undefined;
  const timers = new Set<NodeJS.Timeout>();
  let requests = 0;
  let seq = 0;
  // The simulated transport's model: the same requests accepted, the same tools asked for.
  const planToolCall = createToolPlanner();

  /**
   * Runs fn after `ms`, never before: Node truncates a timer's fractional milliseconds (1.99
   * fires after 1 ms), and delays here are computed against absolute times, so they are
   * rounded up. An answer may come a fraction of a millisecond late, never early.
   */
  function later(ms: number, fn: () => void): NodeJS.Timeout {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, Math.max(0, Math.ceil(ms)));
    timers.add(t);
    return t;
  }

  function plan(req: ChatCompletionRequest): Plan {
    const { userText, promptChars, rounds } = readConversation(req.messages);
    const promptTokens = estimateTokens(promptChars);
    const tools = req.tools ?? [];
    if (tools.length > 0 && rounds < toolRounds) {
      return { pieces: [], toolCall: { id: `call_mock_${++seq}`, ...planToolCall(tools, userText, rounds) }, finish: 'tool_calls', promptTokens };
    }
    const { tokens: n, finish } = answerLength(tokens, req);
    const start = Math.floor(rng.next() * WORDS.length);
    const pieces: string[] = [];
    for (let i = 0; i < n; i++) pieces.push(`${i === 0 ? '' : ' '}${WORDS[(start + i) % WORDS.length] as string}`);
    return { pieces, finish, promptTokens };
  }

  function completionTokens(p: Plan): number {
    return p.toolCall !== undefined ? toolCallTokens(p.toolCall) : p.pieces.length;
  }

  /** Output events of a streamed answer (a tool call goes out in three). */
  function eventCount(p: Plan): number {
    return p.toolCall !== undefined ? 3 : p.pieces.length;
  }

  /** How long the answer holds its slot, ms: to the first event, then one interval per further event. */
  function serviceMs(p: Plan, stream: boolean, firstMs: number): number {
    const events = stream ? eventCount(p) : p.pieces.length;
    return firstMs + Math.max(0, events - 1) * intervalMs;
  }

  /** `t0`: when the answer's service starts (performance.now() time); `firstMs`: from then to the first token. */
  function answerJson(res: ServerResponse, req: ChatCompletionRequest, p: Plan, t0: number, firstMs: number): void {
    const done = (): void => {
      const completion = completionTokens(p);
      const message: Record<string, unknown> = { role: 'assistant', content: p.toolCall ? null : p.pieces.join('') };
      if (p.toolCall) {
        message['tool_calls'] = [{ id: p.toolCall.id, type: 'function', function: { name: p.toolCall.name, arguments: p.toolCall.arguments } }];
      }
      sendJson(res, 200, {
        id: `chatcmpl-mock-${++seq}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: req.model,
        choices: [{ index: 0, message, logprobs: null, finish_reason: p.finish }],
        usage: { prompt_tokens: p.promptTokens, completion_tokens: completion, total_tokens: p.promptTokens + completion },
      });
    };
    // The whole answer takes as long as streaming it would have.
    const ms = t0 + serviceMs(p, false, firstMs) - performance.now();
    if (ms <= 0) done();
    else later(ms, done);
  }

  function answerStream(res: ServerResponse, req: ChatCompletionRequest, p: Plan, t0: number, firstMs: number): void {
    if (res.destroyed) return; // the client left while the request waited for a slot
    const id = `chatcmpl-mock-${++seq}`;
    const created = Math.floor(Date.now() / 1000);
    const chunk = (delta: ChatCompletionChunk['choices'][number]['delta'], finish: WireFinishReason | null): string => {
      const c: ChatCompletionChunk = { id, object: 'chat.completion.chunk', created, model: req.model, choices: [{ index: 0, delta, finish_reason: finish }] };
      return `data: ${JSON.stringify(c)}\n\n`;
    };
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    // The role comes first, with empty content, as OpenAI sends it: not an output token.
    res.write(chunk({ role: 'assistant', content: '' }, null));
    const own = new Set<NodeJS.Timeout>();
    let finished = false;
    res.on('close', () => {
      if (finished) return;
      for (const t of own) {
        clearTimeout(t);
        timers.delete(t);
      }
    });
    const events: Array<() => string> = [];
    if (p.toolCall) {
      const call = p.toolCall;
      const half = Math.ceil(call.arguments.length / 2);
      events.push(() => chunk({ tool_calls: [{ index: 0, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] }, null));
      events.push(() => chunk({ tool_calls: [{ index: 0, function: { arguments: call.arguments.slice(0, half) } }] }, null));
      events.push(() => chunk({ tool_calls: [{ index: 0, function: { arguments: call.arguments.slice(half) } }] }, null));
    } else {
      for (const piece of p.pieces) events.push(() => chunk({ content: piece }, null));
    }
    const end = (): void => {
      finished = true;
      let tail = chunk({}, p.finish);
      if (req.stream_options?.include_usage === true) {
        const completion = completionTokens(p);
        const u: ChatCompletionChunk = {
          id,
          object: 'chat.completion.chunk',
          created,
          model: req.model,
          choices: [],
          usage: { prompt_tokens: p.promptTokens, completion_tokens: completion, total_tokens: p.promptTokens + completion },
        };
        tail += `data: ${JSON.stringify(u)}\n\n`;
      }
      res.end(`${tail}data: [DONE]\n\n`);
    };
    let k = 0;
    const next = (): void => {
      if (res.destroyed) return;
      // Without a token rate every event goes out in one write.
      let out = '';
      do {
        out += (events[k] as () => string)();
        k++;
      } while (k < events.length && intervalMs <= 0);
      res.write(out);
      if (k >= events.length) {
        end();
        return;
      }
      // Scheduled against the start, so timer lateness does not add up over a long answer.
      const t = later(t0 + firstMs + k * intervalMs - performance.now(), () => {
        own.delete(t);
        next();
      });
      own.add(t);
    };
    // Against t0, so a queued answer's first token is not delayed by its start timer's lateness.
    const first = t0 + firstMs - performance.now();
    if (events.length === 0) {
      if (first > 0) own.add(later(first, end));
      else end();
      return;
    }
    if (first > 0) own.add(later(first, next));
    else next();
  }

  async function chat(req: IncomingMessage, res: ServerResponse): Promise<void> {
    requests++;
    if (expectedAuth !== undefined && req.headers['authorization'] !== expectedAuth) {
      req.resume();
      sendError(res, 401, 'Incorrect API key provided.', 'invalid_request_error');
      return;
    }
    const text = await readBody(req);
    if (text === undefined) {
      sendError(res, 413, 'request body too large', 'invalid_request_error');
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      sendError(res, 400, 'body is not valid JSON', 'invalid_request_error');
      return;
    }
    const problem = requestProblem(parsed);
    if (problem !== undefined) {
      sendError(res, 400, problem, 'invalid_request_error');
      return;
    }
    const body = parsed as ChatCompletionRequest;
    if (errorRate > 0 && rng.next() < errorRate) {
      sendError(res, errorStatus, `mock error ${errorStatus} (error rate ${errorRate})`, errorStatus === 429 ? 'rate_limit_error' : 'server_error');
      return;
    }
    const p = plan(body);
    const stream = body.stream === true;
    const firstMs = sampleFirst();
    const now = performance.now();
    let t0 = now;
    if (queue !== undefined) {
      // Waiting for a slot is part of the latency the client sees, as on a real engine.
      const admission = queue.admit(now, serviceMs(p, stream, firstMs));
      if (admission === undefined) {
        sendError(res, 429, `mock server overloaded: all ${options.slots} slots busy and ${options.queueLimit} requests queued`, 'rate_limit_error');
        return;
      }
      t0 = admission.startMs;
    }
    const answer = (): void => (stream ? answerStream(res, body, p, t0, firstMs) : answerJson(res, body, p, t0, firstMs));
    if (t0 > now && stream) later(t0 - now, answer);
    else answer();
  }

  const server: Server = createServer((req, res) => {
    const url = req.url ?? '/';
    const path = url.split('?')[0] ?? '/';
    if (req.method === 'GET' && (path === '/' || path === '/health')) {
      sendJson(res, 200, { status: 'ok', service: 'cluster-bench mock-llm' });
      return;
    }
    if (req.method === 'GET' && (path === '/v1/models' || path === '/models')) {
      sendJson(res, 200, { object: 'list', data: [{ id: 'mock-model', object: 'model', created: 0, owned_by: 'cluster-bench' }] });
      return;
    }
    if (path === '/v1/chat/completions' || path === '/chat/completions') {
      if (req.method !== 'POST') {
        res.setHeader('allow', 'POST');
        sendError(res, 405, 'use POST', 'invalid_request_error');
        return;
      }
      chat(req, res).catch(() => {
        if (!res.headersSent) sendError(res, 500, 'mock server error', 'server_error');
        else res.destroy();
      });
      return;
    }
    req.resume();
    sendError(res, 404, `no route ${req.method ?? ''} ${path}`, 'invalid_request_error');
  });
  // Longer than clients' keep-alive (undici: 4 s), so a client never reuses a socket the server is closing.
  server.keepAliveTimeout = 60_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const hostInUrl = host.includes(':') ? `[${host}]` : host;
  const url = `http://${hostInUrl}:${port}`;
  const description = [
    options.serviceTime !== undefined ? `service time ${describeLatency(options.serviceTime)}` : `ttft ${formatMs(ttftMs)}`,
    tps > 0 ? `${tps} tokens/s` : 'tokens at once',
    `${tokens} tokens`,
    `error rate ${errorRate}${errorRate > 0 ? ` (HTTP ${errorStatus})` : ''}`,
    `${toolRounds} tool round${toolRounds === 1 ? '' : 's'}`,
    expectedAuth !== undefined ? 'API key required' : 'no API key required',
    describeServerModel({ ...(options.slots !== undefined ? { slots: options.slots } : {}), ...(options.queueLimit !== undefined ? { queueLimit: options.queueLimit } : {}) }),
  ].join(', ');

  let closing: Promise<void> | undefined;
  return {
    url,
    baseUrl: `${url}/v1`,
    port,
    description,
    get requests() {
      return requests;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
