/**
 * Builds the reference providers from config. Nothing here initializes anything: the
 * runner times `initialize()` itself, and an init scenario must be able to build a
 * provider without paying for its start-up.
 */
import type { ProvidersConfig } from './config.js';
import type { AgentProvider, ChatTransport, Clock, LLMProvider, MemoryProvider } from './types.js';
import { ReActAgentProvider } from './agent.js';
import { DeepSeekLLMProvider } from './deepseek-llm.js';
import { createRandom, systemClock } from './random.js';
import { SessionMemoryProvider } from './session-memory.js';
import { createSimulatedTransport } from './simulated-transport.js';

export interface ProviderDeps {
  /** Seed of the simulated transport's random source (faults, latencies, model output). */
  seed: number;
  /** Time source of the memory provider's expiry. Default: performance.now(). */
  clock?: Clock;
}

export interface ProviderSet {
  llm: LLMProvider;
  memory: MemoryProvider;
  agent: AgentProvider;
  transport: ChatTransport;
  /** Closes all of them (agent, then llm and its transport, then memory); safe to call twice. */
  close(): Promise<void>;
}

/** Alias of ProviderSet (the name the runner uses). */
export type Providers = ProviderSet;

export type ProviderKind = 'llm' | 'memory' | 'agent';

function buildLLM(cfg: ProvidersConfig, deps: ProviderDeps): { llm: DeepSeekLLMProvider; transport: ChatTransport } {
  const transport = createSimulatedTransport(cfg.llm, { random: createRandom(deps.seed) });
  return { llm: new DeepSeekLLMProvider(cfg.llm, { transport }), transport };
}

function buildMemory(cfg: ProvidersConfig, deps: ProviderDeps): SessionMemoryProvider {
  return new SessionMemoryProvider(cfg.memory, { clock: deps.clock ?? systemClock });
}

/**
 * The providers a run uses. The agent gets the same llm and memory instances the run
 * calls directly (shared ownership, as in the seed's node): an agent's memory writes show
 * up in the memory figures, and its calls go through the same transport and its faults.
 */
export function createProviders(cfg: ProvidersConfig, deps: ProviderDeps): ProviderSet {
  const { llm, transport } = buildLLM(cfg, deps);
  const memory = buildMemory(cfg, deps);
  const agent = new ReActAgentProvider(cfg.agent, { llm, memory });
  let closing: Promise<void> | undefined;
  return {
    llm,
    memory,
    agent,
    transport,
    close() {
      closing ??= (async () => {
        await agent.close();
        await llm.close();
        await memory.close();
      })();
      return closing;
    },
  };
}

/**
 * One fresh, uninitialized provider, for the initialization scenario (which builds and
 * initializes many, some concurrently). An agent gets its own fresh llm and memory and
 * owns them: its initialize() includes theirs, as the seed's agent start-up did, and its
 * close() closes them.
 */
export function createProvider(kind: 'llm', cfg: ProvidersConfig, deps: ProviderDeps): LLMProvider;
export function createProvider(kind: 'memory', cfg: ProvidersConfig, deps: ProviderDeps): MemoryProvider;
export function createProvider(kind: 'agent', cfg: ProvidersConfig, deps: ProviderDeps): AgentProvider;
export function createProvider(
  kind: ProviderKind,
  cfg: ProvidersConfig,
  deps: ProviderDeps,
): LLMProvider | MemoryProvider | AgentProvider;
export function createProvider(
  kind: ProviderKind,
  cfg: ProvidersConfig,
  deps: ProviderDeps,
): LLMProvider | MemoryProvider | AgentProvider {
  switch (kind) {
    case 'llm':
      return buildLLM(cfg, deps).llm;
    case 'memory':
      return buildMemory(cfg, deps);
    case 'agent': {
      const { llm } = buildLLM(cfg, deps);
      const memory = buildMemory(cfg, deps);
      return new ReActAgentProvider(cfg.agent, { llm, memory, ownsDependencies: true });
    }
    default: {
      const unknown: never = kind;
      throw new Error(`unknown provider kind ${JSON.stringify(unknown)}`);
    }
  }
}

/** Initializes llm and memory before the agent that uses them. */
export async function initializeAll(p: Pick<ProviderSet, 'llm' | 'memory' | 'agent'>): Promise<void> {
  await Promise.all([p.llm.initialize(), p.memory.initialize()]);
  await p.agent.initialize();
}
