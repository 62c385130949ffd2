/**
 * User plugins: a scenario names an ES module (`providers.llm.module: ./my-llm.js`, likewise
 * memory and agent) whose **default export is a factory**: a function that gets a context
 * (the scenario's config for that provider, the plugin's `options`, seed and clock; an agent
 * also gets the run's llm and memory) and returns the provider, or a promise of it.
 *
 * A factory rather than an object because runs need several instances: the init scenario
 * builds and initializes hundreds, and a pool builds one per slot.
 *
 * Every way a module can be wrong (missing, does not load, no default export, default
 * export not a function, provider lacking members) is an InputError with one line that names
 * the field, the module and what is missing; a factory that throws is a ProviderSetupError
 * (the run failed, not the input). See docs/plugins.md.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { InputError } from '../util/input-error.js';
import { ProviderSetupError } from './provider-error.js';
import { checkPluginResults } from './plugin-results.js';
import type { AgentProviderConfig, LLMProviderConfig, MemoryProviderConfig } from './config.js';
import type { AgentProvider, Clock, LLMProvider, MemoryProvider } from './types.js';

export type PluginKind = 'llm' | 'memory' | 'agent';

/** What every factory gets. */
export interface PluginContext<C> {
  /** The scenario's `providers.<kind>` section, validated, with defaults filled in. */
  config: C;
  /** `providers.<kind>.options` from the scenario ({} when absent). */
  options: Record<string, unknown>;
  /** The run's seed (`--seed`): use it for anything random, so runs replay. */
  seed: number;
  /** The run's monotonic clock, in ms (advanced by memory.sweep phases). */
  clock: Clock;
}

export type LLMPluginContext = PluginContext<LLMProviderConfig>;
export type MemoryPluginContext = PluginContext<MemoryProviderConfig>;
export interface AgentPluginContext extends PluginContext<AgentProviderConfig> {
  /** The run's LLM provider (the reference one, HTTP or a plugin, with cache and pool if configured). */
  llm: LLMProvider;
  /** The run's memory provider. */
  memory: MemoryProvider;
}

export type LLMProviderFactory = (ctx: LLMPluginContext) => LLMProvider | Promise<LLMProvider>;
export type MemoryProviderFactory = (ctx: MemoryPluginContext) => MemoryProvider | Promise<MemoryProvider>;
export type AgentProviderFactory = (ctx: AgentPluginContext) => AgentProvider | Promise<AgentProvider>;

/** Typed identity helpers for plugin authors: `export default defineLLMProvider((ctx) => ({ ... }))`. */
export function defineLLMProvider(factory: LLMProviderFactory): LLMProviderFactory {
  return factory;
}
export function defineMemoryProvider(factory: MemoryProviderFactory): MemoryProviderFactory {
  return factory;
}
export function defineAgentProvider(factory: AgentProviderFactory): AgentProviderFactory {
  return factory;
}

interface FactoryOf {
  llm: LLMProviderFactory;
  memory: MemoryProviderFactory;
  agent: AgentProviderFactory;
}
interface ProviderOf {
  llm: LLMProvider;
  memory: MemoryProvider;
  agent: AgentProvider;
}

/** The members each kind must have: [name, 'function' | type of the property]. */
const REQUIRED: Record<PluginKind, ReadonlyArray<readonly [string, 'function' | 'string' | 'boolean']>> = {
  llm: [
    ['name', 'string'],
    ['simulated', 'boolean'],
    ['initialize', 'function'],
    ['call', 'function'],
    ['close', 'function'],
  ],
  memory: [
    ['name', 'string'],
    ['initialize', 'function'],
    ['store', 'function'],
    ['storeBatch', 'function'],
    ['retrieve', 'function'],
    ['sweep', 'function'],
    ['stats', 'function'],
    ['close', 'function'],
  ],
  agent: [
    ['name', 'string'],
    ['initialize', 'function'],
    ['execute', 'function'],
    ['close', 'function'],
  ],
};

const KIND_WORDS: Record<PluginKind, string> = { llm: 'an LLM provider', memory: 'a memory provider', agent: 'an agent provider' };

function member(name: string, type: string): string {
  return type === 'function' ? `${name}()` : name;
}

function where(kind: PluginKind, modulePath: string): string {
  return `providers.${kind}.module ${modulePath}`;
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return (text.split('\n')[0] ?? text).trim();
}

/**
 * A module path as the loader resolves it: relative paths against `baseDir` (the scenario
 * file's directory, or the working directory for --set), file: URLs and absolute paths as
 * they are.
 */
export function resolveModulePath(spec: string, baseDir: string): string {
  if (spec.startsWith('file:')) return new URL(spec).pathname;
  return path.resolve(baseDir, spec);
}

/** Checks that a module path exists (the loader calls this, so a typo fails before any run). */
export function checkModuleExists(modulePath: string): string | undefined {
  if (existsSync(modulePath)) return undefined;
  return `no such file ${modulePath} (a plugin module is a path to a .js/.mjs file, relative to the scenario file; see docs/plugins.md)`;
}

const factories = new Map<string, Promise<unknown>>();

async function importFactory(kind: PluginKind, modulePath: string): Promise<unknown> {
  if (!existsSync(modulePath)) throw new InputError(`${where(kind, modulePath)}: no such file`);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(modulePath).href)) as Record<string, unknown>;
  } catch (error) {
    throw new InputError(`${where(kind, modulePath)}: cannot be loaded: ${firstLine(error)}`);
  }
  const factory = mod['default'];
  if (factory === undefined) {
    const names = Object.keys(mod).filter((k) => k !== 'default');
    throw new InputError(
      `${where(kind, modulePath)}: no default export; a plugin must \`export default\` a factory function that returns ${KIND_WORDS[kind]}${names.length > 0 ? ` (it exports: ${names.join(', ')})` : ''}`,
    );
  }
  if (typeof factory !== 'function') {
    const what = factory === null ? 'null' : typeof factory;
    throw new InputError(
      `${where(kind, modulePath)}: the default export is ${what === 'object' ? 'an object' : what}, expected a factory function returning ${KIND_WORDS[kind]} (wrap it: export default () => provider)`,
    );
  }
  return factory;
}

/** Imports a plugin module once and checks its default export is a function. */
export function loadPluginFactory<K extends PluginKind>(kind: K, modulePath: string): Promise<FactoryOf[K]> {
  const key = `${kind}\u0000${modulePath}`;
  let p = factories.get(key);
  if (p === undefined) {
    p = importFactory(kind, modulePath);
    // A failed import is not cached: a test (or a user fixing the file in watch mode) may retry.
    p.catch(() => factories.delete(key));
    factories.set(key, p);
  }
  return p as Promise<FactoryOf[K]>;
}

/** One line naming every member the object lacks, or undefined when it has them all. */
export function missingMembers(kind: PluginKind, value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) {
    return `its factory returned ${value === null ? 'null' : typeof value}, expected ${KIND_WORDS[kind]} object`;
  }
  const obj = value as Record<string, unknown>;
  const missing = REQUIRED[kind].filter(([name, type]) => typeof obj[name] !== type).map(([name, type]) => member(name, type));
  if (missing.length === 0) return undefined;
  const all = REQUIRED[kind].map(([name, type]) => member(name, type)).join(', ');
  return `the provider its factory returned lacks ${missing.join(', ')} (${KIND_WORDS[kind]} needs ${all})`;
}

/** Calls a plugin's factory and checks what it returned. */
export async function createFromPlugin<K extends PluginKind>(
  kind: K,
  modulePath: string,
  ctx: Parameters<FactoryOf[K]>[0],
): Promise<ProviderOf[K]> {
  const factory = (await loadPluginFactory(kind, modulePath)) as (c: typeof ctx) => unknown;
  let provider: unknown;
  try {
    provider = await factory(ctx);
  } catch (error) {
    throw new ProviderSetupError(`${where(kind, modulePath)}: the factory threw: ${firstLine(error)}`, { cause: error });
  }
  const problem = missingMembers(kind, provider);
  if (problem !== undefined) throw new InputError(`${where(kind, modulePath)}: ${problem}`);
  checkPluginResults(kind, provider as object, where(kind, modulePath));
  return provider as ProviderOf[K];
}
