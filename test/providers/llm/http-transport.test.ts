/**
 * The HTTP transport against the mock endpoint (in-process, loopback, ephemeral ports) and
 * against tiny hand-made servers for the failures the mock does not produce. Every request
 * loop here is bounded in count, and every server is closed.
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PROVIDERS_CONFIG, type LLMProviderConfig } from '../../../src/providers/config.js';
import { DeepSeekLLMProvider } from '../../../src/providers/llm/deepseek-llm.js';
import { backoffMs, classifyNetworkError, createHttpTransport, isLoopbackHost, parseBaseUrl } from '../../../src/providers/llm/http-transport.js';
import { createRandom } from '../../../src/providers/random.js';
import { createProvidersAsync, initializeAll } from '../../../src/providers/registry.js';
import { startMockLLM, type MockLLMServer } from '../../../src/mock/mock-llm-server.js';
import { caught } from '../../helpers/caught.js';

const KEY = 'sk-test-SECRET-0123456789abcdef';
const BODY = '{"model":"deepseek-chat","messages":[{"role":"user","content":"Hello, how are you?"}]}';
const STREAM_BODY = '{"model":"deepseek-chat","messages":[{"role":"user","content":"Hello"}],"stream":true,"stream_options":{"include_usage":true}}';

function cfg(over: Partial<LLMProviderConfig>): LLMProviderConfig {
  return { ...DEFAULT_PROVIDERS_CONFIG.llm, ...over };
}

const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()?.();
});

async function mock(options: Parameters<typeof startMockLLM>[0] = {}): Promise<MockLLMServer> {
  const m = await startMockLLM(options);
  closers.push(() => m.close());
  return m;
}

function transport(over: Partial<LLMProviderConfig>, env: Record<string, string | undefined> = { DEEPSEEK_API_KEY: KEY }) {
  const t = createHttpTransport(cfg(over), { random: createRandom(1), env });
  closers.push(() => t.close());
  return t;
}

async function listen(server: Server | ReturnType<typeof createNetServer>): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        if ('closeAllConnections' in server) server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return (server.address() as AddressInfo).port;
}

describe('base URLs', () => {
  it('builds the endpoint from the base URL and refuses what would leak or cannot work', () => {
    expect(parseBaseUrl('http://127.0.0.1:8080/v1/')).toMatchObject({ origin: 'http://127.0.0.1:8080', path: '/v1/chat/completions', loopback: true });
    expect(parseBaseUrl('https://api.deepseek.com')).toMatchObject({ path: '/chat/completions', loopback: false });
    expect(parseBaseUrl('https://x.example/v1?api-version=2')).toMatchObject({ path: '/v1/chat/completions?api-version=2' });
    expect(parseBaseUrl('http://user:pw@127.0.0.1/v1')).toMatch(/credentials/);
    expect(parseBaseUrl('ftp://127.0.0.1/')).toMatch(/not supported/);
    expect(parseBaseUrl('not a url')).toMatch(/not a URL/);
  });

  it('knows loopback hosts', () => {
    for (const h of ['localhost', '127.0.0.1', '127.1.2.3', '[::1]', '::1', 'api.localhost']) expect(isLoopbackHost(h)).toBe(true);
    for (const h of ['api.deepseek.com', '10.0.0.1', '128.0.0.1', 'localhost.example.com']) expect(isLoopbackHost(h)).toBe(false);
  });
});

describe('HTTP transport against the mock endpoint', () => {
  it('sends JSON requests with the key as a Bearer token and returns the answer', async () => {
    const m = await mock({ apiKey: KEY, tokens: 5 });
    const t = transport({ baseUrl: m.baseUrl, connections: 4 });
    await t.initialize();
    const answers = await Promise.all(Array.from({ length: 20 }, () => t.send(BODY)));
    for (const a of answers) expect(JSON.parse(a).choices[0].message.content.split(' ')).toHaveLength(5);
    expect(m.requests).toBe(20);
    expect(t.counters()).toEqual({ httpRequests: 20, retries: 0 });
  });

  it('streams: content, usage and timing (ttft >= the mock ttft, one chunk gap per token after the first)', async () => {
    const m = await mock({ ttftMs: 30, tokensPerSecond: 200, tokens: 6 });
    const t = transport({ baseUrl: m.baseUrl, stream: true });
    const r = await t.stream(STREAM_BODY);
    expect(r.content.split(' ')).toHaveLength(6);
    expect(r.usage.completionTokens).toBe(6);
    expect(r.usage.promptTokens).toBeGreaterThan(0);
    const timing = r.timing;
    if (timing === undefined) throw new Error('no timing');
    expect(timing.ttftNs).toBeGreaterThanOrEqual(29e6);
    expect(timing.chunkGapsNs).toHaveLength(5);
    // 200 tokens/s: 5 ms apart on the server's schedule; timers and loopback blur that a little,
    // a busy machine more. Held against that schedule within a factor that no timer slop
    // reaches but a unit slip (x1000, /1000) far exceeds.
    const scheduledNs = 1e9 / 200;
    const meanItl = timing.chunkGapsNs.reduce((a, b) => a + b, 0) / timing.chunkGapsNs.length;
    expect(meanItl / scheduledNs).toBeGreaterThan(0.4);
    expect(meanItl / scheduledNs).toBeLessThan(10);
    expect(timing.totalNs).toBeGreaterThanOrEqual(timing.ttftNs);
    expect(timing.outputTokens).toBe(6);
  });

  it('the DeepSeek provider streams through it, tool calls included', async () => {
    const m = await mock({ tokens: 4 });
    const p = await createProvidersAsync(
      { ...DEFAULT_PROVIDERS_CONFIG, llm: cfg({ baseUrl: m.baseUrl, stream: true }) },
      { seed: 1, env: {} },
    );
    closers.push(() => p.close());
    await initializeAll(p);
    const r = await p.llm.call([{ role: 'user', content: 'Hi' }]);
    expect(r.timing?.chunkGapsNs).toHaveLength(3);
    const out = await p.agent.execute([{ role: 'user', content: 'What is 6 * 7?' }], { sessionId: 's' });
    expect(out.state.status).toBe('completed');
    expect(out.state.toolCalls).toBe(1);
    expect(p.transport.description).toContain('streaming');
    expect(p.llm.simulated).toBe(false);
  });

  it('classifies 401, 4xx, 429 and 5xx', async () => {
    const m = await mock({ apiKey: KEY });
    expect((await caught(transport({ baseUrl: m.baseUrl }, { DEEPSEEK_API_KEY: 'sk-wrong-key' }).send(BODY))).code).toBe('HTTP_401');
    expect((await caught(transport({ baseUrl: m.baseUrl }).send('{"model":""}'))).code).toBe('HTTP_4XX');
    const busy = await mock({ errorRate: 1, errorStatus: 429 });
    expect((await caught(transport({ baseUrl: busy.baseUrl }).send(BODY))).code).toBe('HTTP_429');
    const broken = await mock({ errorRate: 1, errorStatus: 503 });
    const e = await caught(transport({ baseUrl: broken.baseUrl, stream: true }).stream(STREAM_BODY));
    expect(e.code).toBe('HTTP_5XX');
    expect(e.message).toContain('HTTP 503');
  });

  it('retries 429 and 5xx with backoff, counts the retries, and gives up after max', async () => {
    const m = await mock({ errorRate: 1, errorStatus: 500 });
    const t = transport({ baseUrl: m.baseUrl, retries: { max: 2, backoffMs: 1, maxBackoffMs: 5 } });
    expect((await caught(t.send(BODY))).code).toBe('HTTP_5XX');
    expect(m.requests).toBe(3);
    expect(t.counters()).toEqual({ httpRequests: 3, retries: 2 });
    // Half the requests fail: with retries, all calls end up answered.
    const flaky = await mock({ errorRate: 0.5, seed: 3 });
    const t2 = transport({ baseUrl: flaky.baseUrl, retries: { max: 10, backoffMs: 1, maxBackoffMs: 2 } });
    await Promise.all(Array.from({ length: 20 }, () => t2.send(BODY)));
    expect(t2.counters().retries).toBeGreaterThan(0);
    expect(t2.counters().httpRequests).toBe(20 + t2.counters().retries);
  });

  it('does not retry 4xx', async () => {
    const m = await mock({ errorRate: 1, errorStatus: 400 });
    const t = transport({ baseUrl: m.baseUrl, retries: { max: 3, backoffMs: 1, maxBackoffMs: 1 } });
    expect((await caught(t.send(BODY))).code).toBe('HTTP_4XX');
    expect(t.counters().retries).toBe(0);
  });

  it('times out when headers do not come, or the stream stalls', async () => {
    const slow = await mock({ ttftMs: 2_000 });
    expect((await caught(transport({ baseUrl: slow.baseUrl, timeoutMs: 100 }).send(BODY))).code).toBe('HTTP_TIMEOUT');
    // Streaming: headers come at once, then nothing for 2 s.
    expect((await caught(transport({ baseUrl: slow.baseUrl, timeoutMs: 100, stream: true }).stream(STREAM_BODY))).code).toBe('HTTP_TIMEOUT');
  });

  it('classifies refused connections and resets', async () => {
    const spare = createNetServer();
    const port = await listen(spare);
    await new Promise<void>((resolve) => spare.close(() => resolve()));
    expect((await caught(transport({ baseUrl: `http://127.0.0.1:${port}/v1` }).send(BODY))).code).toBe('ECONNREFUSED');

    const resetter = createNetServer((socket) => socket.once('data', () => socket.resetAndDestroy()));
    const resetPort = await listen(resetter);
    expect((await caught(transport({ baseUrl: `http://127.0.0.1:${resetPort}/v1` }).send(BODY))).code).toBe('ECONNRESET');
  });

  it('keeps the key out of error messages, even when the server echoes it', async () => {
    const echo = createHttpServer((req, res) => {
      req.resume();
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `bad header ${req.headers.authorization ?? ''}` } }));
    });
    const port = await listen(echo);
    const e = await caught(transport({ baseUrl: `http://127.0.0.1:${port}/v1` }).send(BODY));
    expect(e.code).toBe('HTTP_4XX');
    expect(e.message).toContain('[redacted]');
    expect(e.message).not.toContain(KEY);
  });

  it('a remote endpoint needs its key; a loopback one may go without', async () => {
    // initialize() checks the environment only: nothing is sent anywhere.
    const remote = transport({ baseUrl: 'https://api.deepseek.invalid/v1', apiKeyEnv: 'MY_KEY' }, {});
    const e = await caught(remote.initialize());
    expect(e.code).toBe('PROVIDER_CONFIG_INVALID');
    expect(e.message).toContain('MY_KEY');
    await expect(transport({ baseUrl: 'http://127.0.0.1:9/v1' }, {}).initialize()).resolves.toBeUndefined();
    await expect(
      createProvidersAsync({ ...DEFAULT_PROVIDERS_CONFIG, llm: cfg({ baseUrl: 'https://api.deepseek.invalid/v1' }) }, { seed: 1, env: {} }),
    ).rejects.toThrow(expect.objectContaining({ name: 'InputError', message: expect.stringContaining('DEEPSEEK_API_KEY is not set') }));
  });

  it('rejects calls after close()', async () => {
    const m = await mock();
    const t = transport({ baseUrl: m.baseUrl });
    await t.send(BODY);
    await t.close();
    expect((await caught(t.send(BODY))).code).toBe('TRANSPORT_CLOSED');
  });
});

describe('backoff and classification', () => {
  it('grows exponentially with full jitter, honours Retry-After, and stays under the cap', () => {
    const retry = { max: 5, backoffMs: 100, maxBackoffMs: 1_000 };
    const one = { next: () => 0.999999 };
    expect(backoffMs(retry, 0, one)).toBeCloseTo(100, 0);
    expect(backoffMs(retry, 2, one)).toBeCloseTo(400, 0);
    expect(backoffMs(retry, 10, one)).toBeCloseTo(1_000, 0);
    expect(backoffMs(retry, 10, one)).toBeLessThanOrEqual(1_000);
    expect(backoffMs(retry, 0, { next: () => 0 })).toBe(0);
    expect(backoffMs(retry, 0, { next: () => 0 }, 700)).toBe(700);
    expect(backoffMs(retry, 0, { next: () => 0 }, 60_000)).toBe(1_000);
  });

  it('maps socket and undici error codes', () => {
    const table: Array<[unknown, string]> = [
      [{ code: 'ECONNREFUSED' }, 'ECONNREFUSED'],
      [{ code: 'UND_ERR_SOCKET' }, 'ECONNRESET'],
      [{ code: 'ECONNRESET' }, 'ECONNRESET'],
      [{ code: 'UND_ERR_HEADERS_TIMEOUT' }, 'HTTP_TIMEOUT'],
      [{ code: 'UND_ERR_BODY_TIMEOUT' }, 'HTTP_TIMEOUT'],
      [{ code: 'UND_ERR_CONNECT_TIMEOUT' }, 'HTTP_TIMEOUT'],
      [{ errors: [{ code: 'ECONNREFUSED' }, { code: 'ECONNREFUSED' }] }, 'ECONNREFUSED'],
      [{ code: 'ENOTFOUND' }, 'HTTP_NETWORK'],
      [new Error('?'), 'HTTP_NETWORK'],
    ];
    for (const [error, code] of table) expect(classifyNetworkError(error).code).toBe(code);
  });
});

describe('DeepSeek provider over HTTP (non-streaming)', () => {
  let m: MockLLMServer;
  beforeAll(async () => {
    m = await startMockLLM({ tokens: 3 });
  });
  afterAll(() => m.close());

  it('parses answers and reports the transport counters', async () => {
    const t = createHttpTransport(cfg({ baseUrl: m.baseUrl }), { random: createRandom(1), env: {} });
    const p = new DeepSeekLLMProvider(cfg({ baseUrl: m.baseUrl }), { transport: t });
    await p.initialize();
    for (let i = 0; i < 5; i++) {
      const r = await p.call([{ role: 'user', content: `question ${i}` }]);
      expect(r.timing).toBeUndefined();
      expect(r.usage.completionTokens).toBe(3);
    }
    expect(p.counters()).toEqual({ httpRequests: 5, retries: 0 });
    await p.close();
  });
});

describe('giving up on a request', () => {
  it('an aborted request frees its pooled connection at once, and is not retried', async () => {
    // The first request never gets an answer; every later one is answered at once. With one
    // connection, the second request can only be served if aborting the first freed it.
    let seen = 0;
    const server = createHttpServer((req, res) => {
      req.resume();
      if (++seen === 1) return;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    const port = await listen(server);
    const t = transport({ baseUrl: `http://127.0.0.1:${port}/v1`, connections: 1, retries: { max: 2, backoffMs: 10, maxBackoffMs: 10 } });
    await t.initialize();
    const ac = new AbortController();
    const first = caught(t.send(BODY, ac.signal));
    setTimeout(() => ac.abort(), 50);
    expect((await first).code).toBe('ABORTED');
    const t0 = performance.now();
    expect(await t.send(BODY)).toBe('{"ok":true}');
    expect(performance.now() - t0).toBeLessThan(2_000);
    expect(t.counters().retries).toBe(0);
  });
});
