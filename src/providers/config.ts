/**
 * Configuration of the reference providers, as the scenario loader hands it over
 * (already validated, units resolved to numbers). Field names follow the scenario file.
 */

export type LatencyModel =
  | { model: 'none' }
  | { model: 'fixed'; ms: number }
  | { model: 'uniform'; minMs: number; maxMs: number }
  | { model: 'normal'; meanMs: number; stddevMs: number }
  /** Parameterised by its median and 99th percentile, the two figures people know. */
  | { model: 'lognormal'; p50Ms: number; p99Ms: number };

export interface LLMProviderConfig {
  /** Model name put in the request, e.g. "deepseek-chat". */
  model: string;
  /** Simulated transport only: time from request to response. */
  latency: LatencyModel;
  /** Simulated transport only: fraction of calls that fail with a server error (0..1). */
  errorRate: number;
  /** Simulated transport only: fraction of calls that never answer (0..1); the phase timeout ends them. */
  timeoutRate: number;
  /** Simulated transport only: every N-th call freezes the whole process (like a long GC pause); 0 = never. */
  stallEvery: number;
  /** How long each stall lasts, ms. */
  stallForMs: number;
  /**
   * Simulated transport only: requests served at once (a finite-capacity server, see
   * llm/server-model.ts); the rest wait in FIFO order. Unset = unlimited.
   */
  slots?: number;
  /** Simulated transport only: requests that may wait for a slot; beyond it they fail as LLM_OVERLOADED. Unset = unlimited. */
  queueLimit?: number;
  /**
   * Simulated transport only: token-based service time instead of `latency`: prefillMs plus
   * perTokenMs for every completion token of the answer.
   */
  prefillMs?: number;
  perTokenMs?: number;
  /** Simulated model: how many rounds of tool calls it asks for before it answers. */
  toolRounds: number;
  /** Simulated model: length of a final answer, in tokens. */
  completionTokens: number;
  temperature: number;
  maxTokens: number;
  /**
   * A plugin module (absolute path once loaded from a scenario) whose default export builds
   * the LLM provider instead of the reference one (docs/plugins.md).
   */
  module?: string;
  /** Free-form settings handed to a plugin's factory (they end up in the result: no secrets). */
  options?: Record<string, unknown>;
  /**
   * An OpenAI-compatible endpoint, e.g. https://api.deepseek.com/v1: calls are real HTTP
   * requests to `{baseUrl}/chat/completions` instead of the in-process simulation.
   */
  baseUrl?: string;
  /** Environment variable holding the API key (sent as a Bearer token). */
  apiKeyEnv: string;
  /** HTTP: connections kept open to the endpoint (the pool's size). */
  connections: number;
  /** HTTP: stream answers as server-sent events and record ttft / itl. */
  stream: boolean;
  /** HTTP: longest wait for response headers, and longest gap inside a body, ms. */
  timeoutMs: number;
  /** HTTP: retries of 429, 5xx, resets and refused connections, with exponential backoff. */
  retries: RetryConfig;
  /** An LRU response cache with TTL in front of the provider (any provider, plugins too). */
  cache?: CacheConfig;
  /** Spread calls over this many provider instances, one call per instance at a time. */
  pool?: { size: number };
}

export interface RetryConfig {
  /** Retries after the first attempt; 0 = none. */
  max: number;
  /** First backoff, ms; doubled each retry, with full jitter. */
  backoffMs: number;
  /** Cap of one backoff (and of an honoured Retry-After), ms. */
  maxBackoffMs: number;
}

export interface CacheConfig {
  /** Most responses kept. */
  max: number;
  /** How long a response stays valid, ms; 0 = until evicted. */
  ttlMs: number;
}

export interface MemoryProviderConfig {
  /** Messages kept per session (sliding window). */
  windowSize: number;
  /** Sessions idle longer than this are expired by the sweep, ms. */
  idleTtlMs: number;
  /** At most this many sessions; the least recently used is evicted beyond it. */
  maxSessions: number;
  /** A plugin module that builds the memory provider (docs/plugins.md). */
  module?: string;
  /** Free-form settings for the plugin's factory. */
  options?: Record<string, unknown>;
}

export interface AgentProviderConfig {
  /** Hard stop of the reason-act loop. */
  maxIterations: number;
  /** Tools the agent offers the model (names from the built-in tool set). */
  tools: string[];
  /** Store each execution's conversation in the memory provider. */
  storeConversation: boolean;
  /** A plugin module that builds the agent provider (docs/plugins.md). */
  module?: string;
  /** Free-form settings for the plugin's factory. */
  options?: Record<string, unknown>;
}

export interface ProvidersConfig {
  llm: LLMProviderConfig;
  memory: MemoryProviderConfig;
  agent: AgentProviderConfig;
}

export const DEFAULT_PROVIDERS_CONFIG: ProvidersConfig = {
  llm: {
    model: 'deepseek-chat',
    latency: { model: 'none' },
    errorRate: 0,
    timeoutRate: 0,
    stallEvery: 0,
    stallForMs: 0,
    toolRounds: 2,
    completionTokens: 32,
    temperature: 0.7,
    maxTokens: 1024,
    apiKeyEnv: 'DEEPSEEK_API_KEY',
    connections: 100,
    stream: false,
    timeoutMs: 60_000,
    retries: { max: 0, backoffMs: 100, maxBackoffMs: 2_000 },
  },
  memory: {
    windowSize: 100,
    idleTtlMs: 30 * 60_000,
    maxSessions: 100_000,
  },
  agent: {
    maxIterations: 5,
    tools: ['calculator', 'search'],
    storeConversation: true,
  },
};
