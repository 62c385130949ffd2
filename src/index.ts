/**
 * The package root (`import ... from 'cluster-bench'`): what plugin authors need. The
 * provider interfaces, the typed factory helpers, the decorators to reuse, and the mock
 * endpoint for their own tests. Kept light on purpose: importing it loads neither the
 * runner, the histograms nor the HTTP client. docs/plugins.md has a complete example.
 */
export type {
  AgentConfig,
  AgentProvider,
  AgentResult,
  AgentState,
  AgentStep,
  AgentStepKind,
  ChatTransport,
  Clock,
  LLMConfig,
  LLMProvider,
  LLMResponse,
  LLMTiming,
  MemoryProvider,
  MemoryStats,
  Message,
  Random,
  Role,
  TokenUsage,
  ToolCall,
  ToolSpec,
} from './providers/types.js';
export type {
  AgentProviderConfig,
  CacheConfig,
  LLMProviderConfig,
  LatencyModel,
  MemoryProviderConfig,
  ProvidersConfig,
  RetryConfig,
} from './providers/config.js';
export type {
  AgentPluginContext,
  AgentProviderFactory,
  LLMPluginContext,
  LLMProviderFactory,
  MemoryPluginContext,
  MemoryProviderFactory,
  PluginContext,
  PluginKind,
} from './providers/plugin.js';
export { defineAgentProvider, defineLLMProvider, defineMemoryProvider } from './providers/plugin.js';
export type { ProviderErrorCode } from './providers/provider-error.js';
export { ProviderError } from './providers/provider-error.js';
export { CachedLLMProvider, type CacheCounters } from './providers/llm/cache.js';
export { PooledLLMProvider, createPool, type ResourcePool } from './providers/llm/pool.js';
export { startMockLLM, type MockLLMOptions, type MockLLMServer } from './mock/mock-llm-server.js';
export type { LatencySummary, PhaseResult, RunResult, ScenarioResult } from './results/types.js';
