/**
 * The providers module's public surface: interfaces for plugin authors, the reference
 * implementations, and the registry that builds them from config.
 */
export type * from './types.js';
export type {
  AgentProviderConfig,
  CacheConfig,
  RetryConfig,
  LatencyModel,
  LLMProviderConfig,
  MemoryProviderConfig,
  ProvidersConfig,
} from './config.js';
export { DEFAULT_PROVIDERS_CONFIG } from './config.js';
export type { ProviderErrorCode } from './provider-error.js';
export { ProviderError, errorCode } from './provider-error.js';
export type { ManualClock } from './random.js';
export { createManualClock, createRandom, normal, randomInt, systemClock } from './random.js';
export { createLatencySampler, describeLatency, validateLatencyModel } from './latency.js';
export type {
  ChatCompletionChunk,
  ChatCompletionRequest,
  ChatCompletionResponse,
  WireMessage,
  WireTool,
  WireToolCall,
} from './chat-completion.js';
export { estimateTokens } from './chat-completion.js';
export type { SimulatedTransport, SimulatedTransportDeps } from './simulated-transport.js';
export { createSimulatedTransport } from './simulated-transport.js';
export type { DeepSeekLLMProviderDeps } from './deepseek-llm.js';
export { DeepSeekLLMProvider, parseChatCompletion, validateLLMConfig } from './deepseek-llm.js';
export type { SessionMemoryProviderDeps } from './session-memory.js';
export { SessionMemoryProvider, validateMemoryConfig } from './session-memory.js';
export type { SearchDocument, SearchHit, Tool } from './tools.js';
export { BUILTIN_TOOLS, SEARCH_CORPUS, TOOL_NAMES, evaluateExpression, formatNumber, searchCorpus } from './tools.js';
export type { ReActAgentProviderDeps } from './agent.js';
export { ReActAgentProvider, validateAgentConfig } from './agent.js';
export type { ProviderDeps, ProviderKind, Providers, ProviderSet } from './registry.js';
export {
  createProvider,
  createProviderAsync,
  createProviders,
  createProvidersAsync,
  initializeAll,
  preloadProviders,
} from './registry.js';
export type { CacheCounters, CachedLLMProviderDeps } from './cache.js';
export { CachedLLMProvider } from './cache.js';
export type { ResourcePool } from './pool.js';
export { PooledLLMProvider, createPool } from './pool.js';
export type {
  AgentPluginContext,
  AgentProviderFactory,
  LLMPluginContext,
  LLMProviderFactory,
  MemoryPluginContext,
  MemoryProviderFactory,
  PluginContext,
  PluginKind,
} from './plugin.js';
export { defineAgentProvider, defineLLMProvider, defineMemoryProvider } from './plugin.js';
export type { SseParser } from './sse.js';
export { ChatStreamReader, createSseParser } from './sse.js';
export type { ParsedBaseUrl } from './base-url.js';
export { isLoopbackHost, parseBaseUrl } from './base-url.js';
// The HTTP transport is not re-exported here: it loads undici (~90 ms). Import
// './http-transport.js' directly, or let createProvidersAsync load it when baseUrl is set.
