/**
 * `cluster-bench mock-llm`: serves the mock OpenAI-compatible endpoint until SIGINT/SIGTERM.
 * The first line on stdout is the base URL to give providers.llm.baseUrl, so scripts can
 * read it (with --port 0 the port is chosen by the system).
 */
import type { CliProcess, SignalName } from './process.js';
import { parseWhole } from './options.js';
import { ExitCode, badInput } from '../errors.js';
import { startMockLLM, type MockLLMOptions } from '../mock/mock-llm-server.js';
import { DURATION_HELP, parseDurationMs } from '../util/units.js';
import { parseLatencyModel } from '../scenarios/schema.js';

export interface MockLlmFlags {
  port: string;
  host: string;
  ttft: string;
  tokensPerSecond: string;
  tokens: string;
  errorRate: string;
  errorStatus: string;
  toolRounds: string;
  apiKeyEnv?: string;
  seed: string;
  slots?: string;
  queueLimit?: string;
  serviceTime?: string;
}

function number(flag: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < min || n > max) throw badInput(`${flag} "${text}": expected a number from ${min} to ${max}`);
  return n;
}

export function parseMockFlags(flags: MockLlmFlags, env: Readonly<Record<string, string | undefined>>): MockLLMOptions {
  const ttftMs = parseDurationMs(flags.ttft) ?? (/^\d+(\.\d+)?$/.test(flags.ttft.trim()) ? Number(flags.ttft) : undefined);
  if (ttftMs === undefined || ttftMs < 0) throw badInput(`--ttft "${flags.ttft}": expected ${DURATION_HELP}`);
  const errorStatus = parseWhole(flags.errorStatus, '--error-status', 400, 599);
  let apiKey: string | undefined;
  if (flags.apiKeyEnv !== undefined) {
    apiKey = env[flags.apiKeyEnv];
    // The variable's name only: the key itself is never printed.
    if (apiKey === undefined || apiKey === '') throw badInput(`--api-key-env ${flags.apiKeyEnv}: that environment variable is not set`);
  }
  if (flags.host.trim() === '') throw badInput('--host: expected a host name or address, e.g. 127.0.0.1');
  const slots = flags.slots === undefined ? undefined : parseWhole(flags.slots, '--slots', 1, 1_000_000);
  const queueLimit = flags.queueLimit === undefined ? undefined : parseWhole(flags.queueLimit, '--queue-limit', 0, 100_000_000);
  if (queueLimit !== undefined && slots === undefined) throw badInput('--queue-limit needs --slots (with unlimited slots nothing ever waits)');
  let serviceTime;
  if (flags.serviceTime !== undefined) {
    if (flags.ttft !== '0ms') throw badInput('--service-time replaces --ttft: give one of them');
    const parsed = parseLatencyModel(flags.serviceTime);
    if (typeof parsed === 'string') throw badInput(`--service-time ${parsed}`);
    serviceTime = parsed;
  }
  return {
    host: flags.host,
    port: parseWhole(flags.port, '--port', 0, 65535),
    ttftMs,
    tokensPerSecond: number('--tokens-per-second', flags.tokensPerSecond, 0, 1e6),
    tokens: parseWhole(flags.tokens, '--tokens', 0, 100_000),
    errorRate: number('--error-rate', flags.errorRate, 0, 1),
    errorStatus,
    toolRounds: parseWhole(flags.toolRounds, '--tool-rounds', 0, 100),
    seed: parseWhole(flags.seed, '--seed', 0, 2 ** 32 - 1),
    ...(apiKey !== undefined ? { apiKey } : {}),
    ...(slots !== undefined ? { slots } : {}),
    ...(queueLimit !== undefined ? { queueLimit } : {}),
    ...(serviceTime !== undefined ? { serviceTime } : {}),
  };
}

export async function mockLlmCommand(io: CliProcess, flags: MockLlmFlags): Promise<number> {
  const options = parseMockFlags(flags, io.env);
  let server;
  try {
    server = await startMockLLM(options);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw badInput(`mock-llm: cannot listen on ${options.host}:${options.port} (${code})`);
  }
  io.stdout.write(`${server.baseUrl}\n`);
  io.stderr.write(
    `mock-llm: OpenAI-compatible chat completions on ${server.url} (${server.description})\n` +
      `  try: cluster-bench run llm-call --set providers.llm.baseUrl=${server.baseUrl} --set providers.llm.stream=true\n` +
      '  stop with Ctrl-C\n',
  );
  const s = server;
  await new Promise<void>((resolve) => {
    const stop = (signal: SignalName): void => {
      io.signals.off('SIGINT', stop);
      io.signals.off('SIGTERM', stop);
      io.stderr.write(`mock-llm: ${signal}: stopping (${s.requests} chat requests served)\n`);
      void s.close().then(resolve);
    };
    io.signals.on('SIGINT', stop);
    io.signals.on('SIGTERM', stop);
  });
  return ExitCode.OK;
}
