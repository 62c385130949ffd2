/**
 * Builds the providers from config: the reference ones, or a user's plugin module for any
 * of the three; the LLM over the simulated transport or, with `baseUrl`, over HTTP; then
 * the decorators (pool, cache) around the LLM. Nothing here initializes anything: the
 * runner times `initialize()` itself, and an init scenario must be able to build a
 * provider without paying for its start-up.
 *
 * Plugins and the HTTP client are loaded with dynamic imports (undici alone takes ~90 ms to
 * load, which a simulated run should not pay), so the runner builds through the async
 * functions; the sync ones remain for configs that need neither.
 */
import type { ProvidersConfig } from './config.js';
import type { AgentProvider, ChatTransport, Clock, LLMProvider, MemoryProvider } from './types.js';
import { InputError } from '../util/input-error.js';
import { formatMs } from '../util/units.js';
import { ReActAgentProvider } from './agent/agent.js';
import { parseBaseUrl } from './llm/base-url.js';
import { CachedLLMProvider } from './llm/cache.js';
import { DeepSeekLLMProvider } from './llm/deepseek-llm.js';
import { createFromPlugin, loadPluginFactory, type PluginKind } from './plugin.js';
import { PooledLLMProvider } from './llm/pool.js';
import { createRandom, systemClock } from './random.js';
import { SessionMemoryProvider } from './memory/session-memory.js';
import { createSimulatedTransport } from './llm/simulated-transport.js';

export interface ProviderDeps {
  /** Seed of the simulated transport's random source (faults, latencies, model output). */
  seed: number;
  /** Time source of the memory provider's expiry. Default: performance.now(). */
  clock?: Clock;
  /** Where the HTTP transport reads the API key. Default: process.env. */
  env?: Readonly<Record<string, string | undefined>>;
}

export interface ProviderSet {
  llm: LLMProvider;
  memory: MemoryProvider;
  agent: AgentProvider;
  /** The LLM's transport; for a plugin LLM a stand-in that only describes it. */
  transport: ChatTransport;
  /** Closes all of them (agent, then llm and its transport, then memory); safe to call twice. */
  close(): Promise<void>;
}

/** Alias of ProviderSet (the name the runner uses). */
export type Providers = ProviderSet;

export type ProviderKind = 'llm' | 'memory' | 'agent';

type HttpModule = typeof import('./llm/http-transport.js');
let httpModule: HttpModule | undefined;

async function loadHttp(): Promise<HttpModule> {
  httpModule ??= await import('./llm/http-transport.js');
  return httpModule;
}

/** Loads what building these providers needs: the HTTP client and the plugin modules. */
export async function preloadProviders(cfg: ProvidersConfig): Promise<void> {
  const loads: Array<Promise<unknown>> = [];
  if (cfg.llm.baseUrl !== undefined && cfg.llm.module === undefined) loads.push(loadHttp());
  for (const kind of ['llm', 'memory', 'agent'] as const satisfies readonly PluginKind[]) {
    const module = cfg[kind].module;
    if (module !== undefined) loads.push(loadPluginFactory(kind, module));
  }
  await Promise.all(loads);
}

/**
 * Everything about a scenario's providers that can be checked without running it: the API
 * key of a remote endpoint, and that plugin modules load and export a factory. The CLI calls
 * it for every scenario before the first one runs, so a mistake in the last file costs no run.
 */
export async function checkProviders(cfg: ProvidersConfig, env?: Readonly<Record<string, string | undefined>>): Promise<void> {
  checkApiKey(cfg, { seed: 0, ...(env ? { env } : {}) });
  await preloadProviders(cfg);
}

/**
 * A remote endpoint without its key fails before anything runs (exit 2), with the name of
 * the variable, never a value. Loopback endpoints may go without: local servers rarely check.
 */
function checkApiKey(cfg: ProvidersConfig, deps: ProviderDeps): void {
  const { baseUrl, apiKeyEnv, module } = cfg.llm;
  if (baseUrl === undefined || module !== undefined) return;
  const parsed = parseBaseUrl(baseUrl);
  if (typeof parsed === 'string' || parsed.loopback) return;
  const value = (deps.env ?? process.env)[apiKeyEnv];
  if (value === undefined || value.trim() === '') {
    throw new InputError(
      `providers.llm.apiKeyEnv: environment variable ${apiKeyEnv} is not set; it holds the API key for ${parsed.origin} (keys are read from the environment only)`,
    );
  }
}

function buildTransport(cfg: ProvidersConfig, deps: ProviderDeps, instance: number): ChatTransport {
  if (cfg.llm.baseUrl !== undefined) {
    if (httpModule === undefined) throw new Error('HTTP transport not loaded: build providers with createProvidersAsync');
    // Its own stream of randomness (retry jitter), so enabling retries changes nothing else.
    return httpModule.createHttpTransport(cfg.llm, { random: createRandom((deps.seed ^ 0x5bd1e995) + instance), ...(deps.env ? { env: deps.env } : {}) });
  }
  // A virtual clock (tests' exact runs) also times the simulated latency.
  return createSimulatedTransport(cfg.llm, { random: createRandom(deps.seed + instance), ...(deps.clock?.sleep ? { clock: deps.clock } : {}) });
}

function buildReferenceLLM(cfg: ProvidersConfig, deps: ProviderDeps, instance: number): { llm: DeepSeekLLMProvider; transport: ChatTransport } {
  const transport = buildTransport(cfg, deps, instance);
  return { llm: new DeepSeekLLMProvider(cfg.llm, { transport }), transport };
}

/** A transport stand-in for a plugin LLM: the runner prints its description. */
function pluginTransport(modulePath: string, simulated: boolean): ChatTransport {
  return {
    simulated,
    description: `plugin ${modulePath}`,
    send: () => Promise.reject(new Error('a plugin LLM has no transport to send through')),
    close: () => Promise.resolve(),
  };
}

/** The same transport under a description that names the decorators around the LLM. */
function described(t: ChatTransport, description: string): ChatTransport {
  if (description === t.description) return t;
  return {
    simulated: t.simulated,
    description,
    send: (body) => t.send(body),
    ...(t.stream ? { stream: (body: string) => (t.stream as (b: string) => ReturnType<NonNullable<ChatTransport['stream']>>)(body) } : {}),
    ...(t.counters ? { counters: () => (t.counters as () => Readonly<Record<string, number>>)() } : {}),
    close: () => t.close(),
  };
}

function decorate(instances: LLMProvider[], first: ChatTransport, cfg: ProvidersConfig, deps: ProviderDeps): { llm: LLMProvider; transport: ChatTransport } {
  let llm = instances[0] as LLMProvider;
  let description = first.description;
  if (cfg.llm.pool !== undefined) {
    llm = new PooledLLMProvider(instances);
    description += `; pool of ${instances.length}`;
  }
  const cache = cfg.llm.cache;
  if (cache !== undefined) {
    llm = new CachedLLMProvider(llm, cache, deps.clock ? { clock: deps.clock } : {});
    description += `; LRU cache (max ${cache.max}${cache.ttlMs > 0 ? `, ttl ${formatMs(cache.ttlMs)}` : ''})`;
  }
  return { llm, transport: described(first, description) };
}

function instanceCount(cfg: ProvidersConfig): number {
  return cfg.llm.pool?.size ?? 1;
}

function buildLLM(cfg: ProvidersConfig, deps: ProviderDeps): { llm: LLMProvider; transport: ChatTransport } {
  if (cfg.llm.module !== undefined) throw new Error('providers.llm.module is set: build providers with createProvidersAsync');
  const built = Array.from({ length: instanceCount(cfg) }, (_, i) => buildReferenceLLM(cfg, deps, i));
  return decorate(
    built.map((b) => b.llm),
    (built[0] as { transport: ChatTransport }).transport,
    cfg,
    deps,
  );
}

async function buildLLMAsync(cfg: ProvidersConfig, deps: ProviderDeps): Promise<{ llm: LLMProvider; transport: ChatTransport }> {
  const module = cfg.llm.module;
  if (module === undefined) {
    if (cfg.llm.baseUrl !== undefined) await loadHttp();
    return buildLLM(cfg, deps);
  }
  const instances: LLMProvider[] = [];
  for (let i = 0; i < instanceCount(cfg); i++) {
    instances.push(
      await createFromPlugin('llm', module, {
        config: cfg.llm,
        options: cfg.llm.options ?? {},
        seed: deps.seed + i,
        clock: deps.clock ?? systemClock,
      }),
    );
  }
  return decorate(instances, pluginTransport(module, (instances[0] as LLMProvider).simulated), cfg, deps);
}

function buildMemory(cfg: ProvidersConfig, deps: ProviderDeps): SessionMemoryProvider {
  if (cfg.memory.module !== undefined) throw new Error('providers.memory.module is set: build providers with createProvidersAsync');
  return new SessionMemoryProvider(cfg.memory, { clock: deps.clock ?? systemClock });
}

async function buildMemoryAsync(cfg: ProvidersConfig, deps: ProviderDeps): Promise<MemoryProvider> {
  const module = cfg.memory.module;
  if (module === undefined) return buildMemory(cfg, deps);
  return createFromPlugin('memory', module, {
    config: cfg.memory,
    options: cfg.memory.options ?? {},
    seed: deps.seed,
    clock: deps.clock ?? systemClock,
  });
}

async function buildAgentAsync(
  cfg: ProvidersConfig,
  deps: ProviderDeps,
  llm: LLMProvider,
  memory: MemoryProvider,
  owns: boolean,
): Promise<AgentProvider> {
  const module = cfg.agent.module;
  if (module === undefined) return new ReActAgentProvider(cfg.agent, { llm, memory, ownsDependencies: owns });
  const agent = await createFromPlugin('agent', module, {
    config: cfg.agent,
    options: cfg.agent.options ?? {},
    seed: deps.seed,
    clock: deps.clock ?? systemClock,
    llm,
    memory,
  });
  return owns ? owningAgent(agent, llm, memory) : agent;
}

/**
 * A plugin agent built on its own llm and memory (the init scenario): its initialize() and
 * close() include theirs, like the reference agent's with ownsDependencies.
 */
function owningAgent(agent: AgentProvider, llm: LLMProvider, memory: MemoryProvider): AgentProvider {
  return {
    name: agent.name,
    async initialize() {
      await Promise.all([llm.initialize(), memory.initialize()]);
      await agent.initialize();
    },
    execute: (messages, config) => agent.execute(messages, config),
    async close() {
      await agent.close();
      await llm.close();
      await memory.close();
    },
  };
}

function providerSet(llm: LLMProvider, transport: ChatTransport, memory: MemoryProvider, agent: AgentProvider): ProviderSet {
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
 * The providers a run uses. The agent gets the same llm and memory instances the run
 * calls directly (shared ownership, as in the seed's node): an agent's memory writes show
 * up in the memory figures, and its calls go through the same transport and its faults
 * (and the same cache, when there is one).
 *
 * Sync, so for reference providers only (no plugin modules; baseUrl only once the HTTP
 * client is loaded): use createProvidersAsync.
 */
export function createProviders(cfg: ProvidersConfig, deps: ProviderDeps): ProviderSet {
  const { llm, transport } = buildLLM(cfg, deps);
  const memory = buildMemory(cfg, deps);
  if (cfg.agent.module !== undefined) throw new Error('providers.agent.module is set: build providers with createProvidersAsync');
  const agent = new ReActAgentProvider(cfg.agent, { llm, memory });
  return providerSet(llm, transport, memory, agent);
}

/**
 * createProviders for every config: loads plugin modules and the HTTP client first. A bad
 * plugin is an InputError (exit 2) with one line naming the module and what is wrong.
 */
export async function createProvidersAsync(cfg: ProvidersConfig, deps: ProviderDeps): Promise<ProviderSet> {
  checkApiKey(cfg, deps);
  await preloadProviders(cfg);
  const { llm, transport } = await buildLLMAsync(cfg, deps);
  const memory = await buildMemoryAsync(cfg, deps);
  const agent = await buildAgentAsync(cfg, deps, llm, memory, false);
  return providerSet(llm, transport, memory, agent);
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
      if (cfg.agent.module !== undefined) throw new Error('providers.agent.module is set: use createProviderAsync');
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

/** createProvider for every config (plugins, HTTP). */
export function createProviderAsync(kind: 'llm', cfg: ProvidersConfig, deps: ProviderDeps): Promise<LLMProvider>;
export function createProviderAsync(kind: 'memory', cfg: ProvidersConfig, deps: ProviderDeps): Promise<MemoryProvider>;
export function createProviderAsync(kind: 'agent', cfg: ProvidersConfig, deps: ProviderDeps): Promise<AgentProvider>;
export function createProviderAsync(
  kind: ProviderKind,
  cfg: ProvidersConfig,
  deps: ProviderDeps,
): Promise<LLMProvider | MemoryProvider | AgentProvider>;
export async function createProviderAsync(
  kind: ProviderKind,
  cfg: ProvidersConfig,
  deps: ProviderDeps,
): Promise<LLMProvider | MemoryProvider | AgentProvider> {
  switch (kind) {
    case 'llm':
      return (await buildLLMAsync(cfg, deps)).llm;
    case 'memory':
      return buildMemoryAsync(cfg, deps);
    case 'agent': {
      const { llm } = await buildLLMAsync(cfg, deps);
      const memory = await buildMemoryAsync(cfg, deps);
      return buildAgentAsync(cfg, deps, llm, memory, true);
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
