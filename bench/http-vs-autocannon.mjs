// cluster-bench's HTTP client against autocannon's, on the same endpoint, body and number of
// connections: how many chat-completion requests per second each gets through the mock
// endpoint (`cluster-bench mock-llm`, answering at once) on loopback. autocannon only sends
// and counts; cluster-bench does a benchmark's whole job per request (serialise the request,
// parse and check the answer, or read the event stream, record into HDR histograms), so the
// ratio is what that work costs next to a bare load generator.
//
//   npm run build && node bench/http-vs-autocannon.mjs [--connections 10] [--duration 5] [--rounds 3] [--mode json|sse|both]
//
// The mock runs in its own process (one core each on a 2-core machine); every run is bounded
// in time (duration <= 30 s, rounds <= 5), and only 127.0.0.1 is ever contacted.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { ROOT, dist, median, table } from './lib.mjs';

const args = process.argv.slice(2);
function flag(name, fallback) {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
}
const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
const CONNECTIONS = clamp(Math.floor(Number(flag('connections', '10'))) || 10, 1, 256);
const DURATION_S = clamp(Number(flag('duration', '5')) || 5, 1, 30);
const ROUNDS = clamp(Math.floor(Number(flag('rounds', '3'))) || 3, 1, 5);
const MODE = flag('mode', 'both');
const modes = MODE === 'both' ? ['json', 'sse'] : [MODE];
if (!modes.every((m) => m === 'json' || m === 'sse')) throw new Error('--mode: json, sse or both');

const BIN = path.join(ROOT, 'bin', 'cluster-bench.js');
const { serializeChatRequest } = await import(dist('providers/llm/deepseek-llm.js'));
const { DEFAULT_PROVIDERS_CONFIG } = await import(dist('providers/config.js'));

// The very bytes the provider sends for the llm-call scenario's prompt.
const llm = DEFAULT_PROVIDERS_CONFIG.llm;
const bodyFor = (stream) =>
  serializeChatRequest(
    { model: llm.model, temperature: llm.temperature, max_tokens: llm.maxTokens, stream },
    [{ role: 'user', content: 'Hello, how are you?' }],
  );

function startMock() {
  const child = spawn(process.execPath, [BIN, 'mock-llm', '--host', '127.0.0.1', '--port', '0', '--tokens', '16'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('mock-llm did not start within 15 s')), 15_000);
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('\n')) {
        clearTimeout(timer);
        const baseUrl = out.split('\n')[0].trim();
        if (!baseUrl.startsWith('http://127.0.0.1:')) reject(new Error(`unexpected mock URL ${baseUrl}`));
        resolve({ child, baseUrl });
      }
    });
    child.once('exit', (code) => reject(new Error(`mock-llm exited with ${code}`)));
  });
}

async function runAutocannon(baseUrl, stream, seconds) {
  const result = await autocannon({
    url: `${baseUrl}/chat/completions`,
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: stream ? 'text/event-stream' : 'application/json' },
    body: bodyFor(stream),
    connections: CONNECTIONS,
    pipelining: 1,
    duration: seconds,
  });
  return { rate: result.requests.total / result.duration, errors: result.errors + result.non2xx + result.timeouts, total: result.requests.total };
}

function runClusterBench(baseUrl, stream, seconds, dir) {
  const scenario = path.join(dir, `http-${stream ? 'sse' : 'json'}.yaml`);
  writeFileSync(
    scenario,
    [
      'name: http-throughput',
      'providers:',
      `  llm: { baseUrl: "${baseUrl}", connections: ${CONNECTIONS}, stream: ${stream} }`,
      'phases:',
      '  - name: calls',
      '    op: llm.call',
      `    executor: { type: vus, vus: ${CONNECTIONS}, duration: ${seconds}s }`,
      `    warmup: ${CONNECTIONS * 20}`,
      '',
    ].join('\n'),
  );
  const out = path.join(dir, 'result.json');
  const r = spawnSync(process.execPath, [BIN, 'run', scenario, '--no-gate', '--no-save', '--out', out, '--seed', '1'], {
    env: { ...process.env, CI: '1', NO_COLOR: '1', CLUSTER_BENCH_CALIBRATION: 'off' },
    encoding: 'utf8',
    timeout: (seconds + 60) * 1000,
  });
  if (r.status !== 0) throw new Error(`cluster-bench run failed (${r.status}): ${r.stderr}`);
  const phase = JSON.parse(readFileSync(out, 'utf8')).scenarios[0].phases[0];
  return { rate: phase.throughput, errors: phase.errors, total: phase.count };
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'cluster-bench-http-'));
const { child, baseUrl } = await startMock();
const rows = [];
try {
  for (const mode of modes) {
    const stream = mode === 'sse';
    await runAutocannon(baseUrl, stream, 1); // warm the mock's JIT
    const ac = [];
    const cb = [];
    // Interleaved, so drift of the machine hits both tools alike.
    for (let round = 0; round < ROUNDS; round++) {
      ac.push(await runAutocannon(baseUrl, stream, DURATION_S));
      cb.push(runClusterBench(baseUrl, stream, DURATION_S, dir));
    }
    const acRate = median(ac.map((x) => x.rate));
    const cbRate = median(cb.map((x) => x.rate));
    rows.push([
      mode === 'sse' ? 'stream (SSE, 16 events)' : 'JSON',
      `${Math.round(acRate).toLocaleString('en-US')}/s`,
      `${Math.round(cbRate).toLocaleString('en-US')}/s`,
      (cbRate / acRate).toFixed(2),
      `${ac.reduce((n, x) => n + x.errors, 0)} / ${cb.reduce((n, x) => n + x.errors, 0)}`,
    ]);
  }
} finally {
  child.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}

console.log(
  `\nHTTP chat-completion requests per second against cluster-bench mock-llm on 127.0.0.1 ` +
    `(${CONNECTIONS} connections, ${DURATION_S} s x ${ROUNDS} rounds, medians; Node ${process.version}, ${os.cpus().length} cores)\n`,
);
console.log(table(['mode', 'autocannon', 'cluster-bench', 'ratio cb/ac', 'errors ac / cb'], rows));
console.log('\nratio > 1: cluster-bench got more requests through than autocannon; < 1: fewer.');
