/**
 * The real transport: OpenAI-compatible chat completions over HTTP(S) with undici, through
 * a pool of keep-alive connections to one origin. Failures become provider errors with a
 * stable code (the runner counts errors by code); 429, 5xx, resets and refused connections
 * may be retried with exponential backoff, and retries are counted on their own.
 *
 * The API key is read from the environment once, kept in this closure, sent only in the
 * Authorization header, and scrubbed from every error message this module builds.
 */
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import type { LLMProviderConfig, RetryConfig } from '../config.js';
import { parseChatCompletion } from './chat-completion.js';
import { ProviderError, type ProviderErrorCode } from '../provider-error.js';
import { ChatStreamReader, createSseParser } from './sse.js';
import type { ChatTransport, LLMResponse, Random } from '../types.js';
import { parseBaseUrl } from './base-url.js';

export { isLoopbackHost, parseBaseUrl, type ParsedBaseUrl } from './base-url.js';

export interface HttpTransportDeps {
  /** Jitter of the retry backoff. */
  random: Random;
  /** Where the API key is looked up. Default: process.env. */
  env?: Readonly<Record<string, string | undefined>>;
}

export interface HttpTransport extends ChatTransport {
  /** `{baseUrl}/chat/completions` (no credentials: those are refused in baseUrl). */
  readonly url: string;
  initialize(): Promise<void>;
  stream(body: string, signal?: AbortSignal): Promise<LLMResponse>;
  counters(): { httpRequests: number; retries: number };
}

/** An HTTP failure; `retryAfterMs` from a Retry-After header. */
class HttpError extends ProviderError {
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  constructor(code: ProviderErrorCode, message: string, retryable: boolean, retryAfterMs?: number, cause?: unknown) {
    super(code, message, { cause });
    this.name = 'HttpError';
    this.retryable = retryable;
    this.retryAfterMs = retryAfterMs;
  }
}

function statusCode(status: number): ProviderErrorCode {
  if (status === 429) return 'HTTP_429';
  if (status === 401) return 'HTTP_401';
  if (status >= 500) return 'HTTP_5XX';
  if (status >= 400) return 'HTTP_4XX';
  return 'LLM_BAD_RESPONSE';
}

function retryAfter(header: string | string[] | undefined): number | undefined {
  const v = Array.isArray(header) ? header[0] : header;
  if (v === undefined) return undefined;
  const seconds = Number(v);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

function errnoOf(error: unknown): string | undefined {
  const e = error as { code?: unknown; errors?: unknown; cause?: unknown } | null;
  if (e === null || typeof e !== 'object') return undefined;
  if (typeof e.code === 'string') return e.code;
  // Happy-eyeballs connects (localhost -> ::1 and 127.0.0.1) fail with an AggregateError.
  if (Array.isArray(e.errors)) for (const inner of e.errors) {
    const c = errnoOf(inner);
    if (c !== undefined) return c;
  }
  return e.cause !== undefined && e.cause !== error ? errnoOf(e.cause) : undefined;
}

/** Maps what undici or the socket threw to a provider error code. */
export function classifyNetworkError(error: unknown): { code: ProviderErrorCode; what: string } {
  const code = errnoOf(error);
  switch (code) {
    case 'ECONNREFUSED':
      return { code: 'ECONNREFUSED', what: 'connection refused' };
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
      return { code: 'ECONNRESET', what: 'connection reset or closed by the server' };
    case 'UND_ERR_HEADERS_TIMEOUT':
      return { code: 'HTTP_TIMEOUT', what: 'no response headers within the timeout' };
    case 'UND_ERR_BODY_TIMEOUT':
      return { code: 'HTTP_TIMEOUT', what: 'the response body stalled longer than the timeout' };
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
      return { code: 'HTTP_TIMEOUT', what: 'connecting timed out' };
    case 'UND_ERR_DESTROYED':
    case 'UND_ERR_CLOSED':
      return { code: 'TRANSPORT_CLOSED', what: 'the HTTP transport was closed with the request in flight' };
    default:
      return { code: 'HTTP_NETWORK', what: code !== undefined ? `network error ${code}` : 'network error' };
  }
}

const RETRYABLE: ReadonlySet<ProviderErrorCode> = new Set(['HTTP_429', 'HTTP_5XX', 'ECONNRESET', 'ECONNREFUSED']);

/** Exponential backoff with full jitter; a Retry-After wins when it is longer, both capped. */
export function backoffMs(retry: RetryConfig, attempt: number, random: Random, retryAfterMs?: number): number {
  const ceiling = Math.min(retry.maxBackoffMs, retry.backoffMs * 2 ** attempt);
  const jittered = random.next() * ceiling;
  return Math.min(retry.maxBackoffMs, Math.max(jittered, retryAfterMs ?? 0));
}

/** The error text a server put in its body, OpenAI style ({"error":{"message":...}}) or raw. */
function errorDetail(body: string): string {
  let text = body;
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown };
    const m = typeof parsed.error === 'string' ? parsed.error : (parsed.error?.message ?? parsed.message);
    if (typeof m === 'string') text = m;
  } catch {
    // not JSON: keep the raw text
  }
  const line = (text.split('\n')[0] ?? '').trim();
  return line.length > 200 ? `${line.slice(0, 200)}...` : line;
}

export function createHttpTransport(cfg: LLMProviderConfig, deps: HttpTransportDeps): HttpTransport {
  const parsed = parseBaseUrl(cfg.baseUrl ?? '');
  if (typeof parsed === 'string') {
    // The schema rejects these at load; a direct caller gets the same text from initialize().
    const problem = `baseUrl: ${parsed}`;
    return brokenTransport(problem);
  }
  const { origin, path, url, loopback } = parsed;
  const env = deps.env ?? process.env;
  const rawKey = env[cfg.apiKeyEnv];
  const key = rawKey !== undefined && rawKey.trim() !== '' ? rawKey.trim() : undefined;
  const redact = (text: string): string => (key !== undefined && key.length >= 4 ? text.replaceAll(key, '[redacted]') : text);

  const baseHeaders: Record<string, string> = { 'content-type': 'application/json' };
  if (key !== undefined) baseHeaders['authorization'] = `Bearer ${key}`;
  const jsonHeaders = { ...baseHeaders, accept: 'application/json' };
  const sseHeaders = { ...baseHeaders, accept: 'text/event-stream' };

  const timeout = Math.max(1, Math.round(cfg.timeoutMs));
  let pool: Pool | undefined;
  const getPool = (): Pool =>
    (pool ??= new Pool(origin, {
      connections: cfg.connections,
      pipelining: 1,
      headersTimeout: timeout,
      bodyTimeout: timeout,
      connect: { timeout: Math.min(timeout, 10_000) },
    }));

  let requests = 0;
  let retries = 0;
  let closed = false;
  const sleeping = new Set<{ timer: NodeJS.Timeout; reject: (e: Error) => void }>();

  const closedError = (): ProviderError => new ProviderError('TRANSPORT_CLOSED', 'HTTP transport is closed');

  function networkError(error: unknown, midBody: boolean): HttpError {
    if (error instanceof HttpError) return error;
    if (error instanceof ProviderError) return new HttpError(error.code, redact(error.message), false, undefined, error);
    const { code, what } = classifyNetworkError(error);
    const retryable = !midBody && RETRYABLE.has(code);
    return new HttpError(code, redact(`POST ${url}: ${what}${midBody ? ' (while reading the answer)' : ''}`), retryable, undefined, error);
  }

  async function statusError(res: Awaited<ReturnType<Pool['request']>>): Promise<HttpError> {
    let detail = '';
    try {
      detail = errorDetail(await res.body.text());
    } catch {
      // the status is what matters; the body may be cut off
    }
    const code = statusCode(res.statusCode);
    return new HttpError(
      code,
      redact(`POST ${url}: HTTP ${res.statusCode}${detail !== '' ? `: ${detail}` : ''}`),
      RETRYABLE.has(code),
      retryAfter(res.headers['retry-after']),
    );
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const entry = {
        timer: setTimeout(() => {
          sleeping.delete(entry);
          resolve();
        }, ms),
        reject,
      };
      sleeping.add(entry);
    });
  }

  async function withRetries<T>(attempt: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    for (let n = 0; ; n++) {
      if (closed) throw closedError();
      try {
        requests++;
        return await attempt();
      } catch (error) {
        // Aborted by the caller (the runner gave up on the operation): never retried.
        if (signal?.aborted) throw new ProviderError('ABORTED', 'HTTP request aborted: the operation was given up (timeout)');
        const e = error instanceof HttpError ? error : networkError(error, false);
        if (!e.retryable || n >= cfg.retries.max || closed) throw e;
        retries++;
        await sleep(backoffMs(cfg.retries, n, deps.random, e.retryAfterMs));
      }
    }
  }

  /** One POST; a failure to connect or a status outside 2xx is an HttpError. */
  async function post(body: string, headers: typeof jsonHeaders, signal: AbortSignal | undefined): Promise<Awaited<ReturnType<Pool['request']>>> {
    let res;
    try {
      res = await getPool().request({ path, method: 'POST', headers, body, ...(signal ? { signal } : {}) });
    } catch (error) {
      throw networkError(error, false);
    }
    if (res.statusCode < 200 || res.statusCode > 299) throw await statusError(res);
    return res;
  }

  /** The whole answer; a connection lost mid-body is an HttpError that is not retried. */
  async function bodyText(res: Awaited<ReturnType<Pool['request']>>): Promise<string> {
    try {
      return await res.body.text();
    } catch (error) {
      throw networkError(error, true);
    }
  }

  async function sendOnce(body: string, signal: AbortSignal | undefined): Promise<string> {
    return bodyText(await post(body, jsonHeaders, signal));
  }

  async function streamOnce(body: string, startMs: number, signal: AbortSignal | undefined): Promise<LLMResponse> {
    const res = await post(body, sseHeaders, signal);
    const type = res.headers['content-type'];
    if (typeof type !== 'string' || !type.includes('text/event-stream')) {
      // A server that ignores "stream": one JSON answer; its first token is all of it.
      const text = await bodyText(res);
      const endMs = performance.now();
      const r = parseChatCompletion(text);
      const totalNs = (endMs - startMs) * 1e6;
      r.timing = { ttftNs: totalNs, chunkGapsNs: [], chunks: 1, outputTokens: r.usage.completionTokens, totalNs };
      return r;
    }
    const reader = new ChatStreamReader(startMs);
    const parser = createSseParser((data, at) => reader.onData(data, at));
    // stream: true keeps a UTF-8 sequence split across two reads together.
    const decoder = new TextDecoder();
    try {
      // Read to the end even after [DONE]: leaving early would cost the connection.
      for await (const chunk of res.body) parser.push(decoder.decode(chunk as Uint8Array, { stream: true }), performance.now());
    } catch (error) {
      throw networkError(error, true);
    }
    const endMs = performance.now();
    const rest = decoder.decode();
    if (rest !== '') parser.push(rest, endMs);
    parser.end(endMs);
    return reader.finishAt(endMs);
  }

  return {
    simulated: false,
    description: `HTTP ${url} (${cfg.connections} connection${cfg.connections === 1 ? '' : 's'}${cfg.stream ? ', streaming' : ''}${cfg.retries.max > 0 ? `, ${cfg.retries.max} retries` : ''})`,
    url,

    async initialize() {
      if (key === undefined && !loopback) {
        throw new ProviderError(
          'PROVIDER_CONFIG_INVALID',
          `HTTP transport: environment variable ${cfg.apiKeyEnv} is not set; it holds the API key for ${origin} (keys are read from the environment only; set providers.llm.apiKeyEnv to use another variable)`,
        );
      }
    },

    send(body, signal) {
      if (closed) return Promise.reject(closedError());
      return withRetries(() => sendOnce(body, signal), signal);
    },

    stream(body, signal) {
      if (closed) return Promise.reject(closedError());
      // ttft and total run from the first attempt: retries are part of what the caller waits.
      const startMs = performance.now();
      return withRetries(() => streamOnce(body, startMs, signal), signal);
    },

    counters() {
      return { httpRequests: requests, retries };
    },

    async close() {
      if (closed) return;
      closed = true;
      for (const s of sleeping) {
        clearTimeout(s.timer);
        s.reject(closedError());
      }
      sleeping.clear();
      // destroy, not close: a request the runner gave up on (timeout) must not hold the run open.
      await pool?.destroy(closedError());
    },
  };
}

/** A transport that explains its configuration problem at initialize() and on every call. */
function brokenTransport(problem: string): HttpTransport {
  const error = (): ProviderError => new ProviderError('PROVIDER_CONFIG_INVALID', `HTTP transport: ${problem}`);
  return {
    simulated: false,
    description: 'HTTP (invalid baseUrl)',
    url: '',
    initialize: () => Promise.reject(error()),
    send: () => Promise.reject(error()),
    stream: () => Promise.reject(error()),
    counters: () => ({ httpRequests: 0, retries: 0 }),
    close: () => Promise.resolve(),
  };
}
