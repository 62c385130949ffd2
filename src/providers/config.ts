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
  /** Simulated model: how many rounds of tool calls it asks for before it answers. */
  toolRounds: number;
  /** Simulated model: length of a final answer, in tokens. */
  completionTokens: number;
  temperature: number;
  maxTokens: number;
}

export interface MemoryProviderConfig {
  /** Messages kept per session (sliding window). */
  windowSize: number;
  /** Sessions idle longer than this are expired by the sweep, ms. */
  idleTtlMs: number;
  /** At most this many sessions; the least recently used is evicted beyond it. */
  maxSessions: number;
}

export interface AgentProviderConfig {
  /** Hard stop of the reason-act loop. */
  maxIterations: number;
  /** Tools the agent offers the model (names from the built-in tool set). */
  tools: string[];
  /** Store each execution's conversation in the memory provider. */
  storeConversation: boolean;
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
