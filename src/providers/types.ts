/**
 * The provider interfaces, after the seed's Rust traits: every provider is built from a
 * config, then `initialize()`d, used, and `close()`d. These are the types plugin authors
 * implement (exported from the package root).
 */

export type Role = 'system' | 'user' | 'assistant' | 'tool';

export interface ToolCall {
  id: string;
  name: string;
  /** JSON text, as OpenAI-style APIs send it. */
  arguments: string;
}

export interface Message {
  role: Role;
  content: string;
  /** Set on assistant messages that ask for tools. */
  toolCalls?: ToolCall[];
  /** Set on tool messages: which call this answers. */
  toolCallId?: string;
  name?: string;
}

/** A tool as offered to the model (OpenAI "function" tool, JSON-schema parameters). */
export interface ToolSpec {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

export interface LLMConfig {
  model?: string;
  temperature?: number;
  maxTokens?: number;
  tools?: ToolSpec[];
}

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  /**
   * True when the counts are a local estimate (about 4 characters a token) because the
   * server reported no usage; results then mark token figures as estimates (docs/metrics.md).
   */
  estimated?: boolean;
}

export interface LLMResponse {
  id: string;
  model: string;
  content: string;
  toolCalls: ToolCall[];
  finishReason: 'stop' | 'tool_calls' | 'length';
  usage: TokenUsage;
  /**
   * Set by streamed calls only (docs/metrics.md defines each figure). The runner records
   * time to first token, time per output token, the gap between chunks and the gap per token
   * from it. Plugins may set it.
   */
  timing?: LLMTiming;
}

/**
 * Timing of one streamed call. An output chunk is one server-sent event whose first choice
 * carries non-empty `delta.content` or tool-call text; it may hold several tokens.
 */
export interface LLMTiming {
  /** From just before the request was handed to the connection to the first output chunk. */
  ttftNs: number;
  /**
   * Gaps between consecutive output chunks after the first: one fewer than the chunks. (What
   * vLLM calls ITL; per chunk, not per token.) Plugins written before 0.2 may name it `itlNs`.
   */
  chunkGapsNs: number[];
  /** Output chunks (default: gaps + 1). */
  chunks?: number;
  /** `usage.completion_tokens` when the server reports it, else a local estimate (see outputTokensEstimated). */
  outputTokens: number;
  /** True when outputTokens is a local estimate (the server sent no usage). */
  outputTokensEstimated?: boolean;
  /** From just before the request was handed to the connection to the end of the stream. */
  totalNs: number;
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface LLMProvider {
  readonly name: string;
  /** True when no real model is behind it; printed in every output. */
  readonly simulated: boolean;
  initialize(): Promise<void>;
  /**
   * `options.signal` aborts the call: the runner sets it when it gives up on an operation
   * (its timeout), so a request that is no longer awaited does not keep holding a connection.
   */
  call(messages: readonly Message[], config?: LLMConfig, options?: CallOptions): Promise<LLMResponse>;
  close(): Promise<void>;
  /**
   * Optional running totals since construction (never reset), e.g. `retries`,
   * `cacheHits`, `cacheMisses`. The llm.call operation reports their growth over a phase.
   */
  counters?(): Readonly<Record<string, number>>;
}

export interface MemoryStats {
  sessions: number;
  messages: number;
  /** Sessions removed because they were idle longer than the TTL. */
  expired: number;
  /** Sessions removed because the session cap was reached. */
  evicted: number;
}

export interface MemoryProvider {
  readonly name: string;
  initialize(): Promise<void>;
  store(sessionId: string, messages: readonly Message[]): Promise<void>;
  storeBatch(entries: ReadonlyArray<{ sessionId: string; messages: readonly Message[] }>): Promise<void>;
  /** The last `limit` messages of the session, oldest first; [] for an unknown session. */
  retrieve(sessionId: string, limit: number): Promise<Message[]>;
  /** Removes idle sessions now; returns how many were removed. */
  sweep(): Promise<number>;
  stats(): MemoryStats;
  close(): Promise<void>;
}

export type AgentStepKind = 'llm' | 'tool' | 'memory';

export interface AgentStep {
  kind: AgentStepKind;
  /** Tool name, model name or memory operation. */
  name: string;
  durationNs: number;
  ok: boolean;
}

export interface AgentState {
  status: 'completed' | 'max-iterations' | 'failed';
  iterations: number;
  toolCalls: number;
  tokens: TokenUsage;
  steps: AgentStep[];
  durationNs: number;
}

export interface AgentConfig {
  /** Where the conversation is stored in the memory provider. */
  sessionId?: string;
  maxIterations?: number;
  /** Names of the tools to offer; default: all the agent has. */
  tools?: string[];
  llm?: LLMConfig;
}

export interface AgentResult {
  output: string;
  state: AgentState;
}

export interface AgentProvider {
  readonly name: string;
  initialize(): Promise<void>;
  execute(messages: readonly Message[], config?: AgentConfig): Promise<AgentResult>;
  close(): Promise<void>;
}

/** The injected sources of time and randomness (deterministic in tests and with --seed). */
export interface Clock {
  /** Milliseconds, monotonic. */
  now(): number;
  /**
   * Only a clock that owns its time has it (a virtual clock, in tests): a wait of `ms` on it.
   * The simulated LLM then waits out its latency here instead of on a timer, so a run's
   * figures are exact. An aborted wait resolves at once and no longer holds the clock's time
   * (the runner's tick stops waiting when its phase ends).
   */
  sleep?(ms: number, signal?: AbortSignal): Promise<void>;
}

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
}

/**
 * What the LLM provider sends requests through. The body is the JSON text of an
 * OpenAI-style chat-completion request; the answer the JSON text of the response.
 */
export interface ChatTransport {
  readonly simulated: boolean;
  readonly description: string;
  /** Optional: checks what can be checked before the first request (e.g. that an API key is set). */
  initialize?(): Promise<void>;
  send(body: string, signal?: AbortSignal): Promise<string>;
  /**
   * Optional: sends a request with `"stream":true` and reads the server-sent events into a
   * response plus its timing. The provider uses it when `providers.llm.stream` is on.
   */
  stream?(body: string, signal?: AbortSignal): Promise<LLMResponse>;
  /** Optional running totals (`requests`, `retries`, ...), as LLMProvider.counters. */
  counters?(): Readonly<Record<string, number>>;
  close(): Promise<void>;
}
