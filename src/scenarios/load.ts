/**
 * Reads a scenario (a built-in name or a file), applies --set overrides and --duration,
 * validates it, and returns a typed Scenario. Every failure is an InputError (exit 2) whose
 * one-line message names the file, the field path, what is wrong and what is allowed.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { InputError } from '../util/input-error.js';
import type { Scenario } from './types.js';
import { parseTarget } from '../targets/parse.js';
import type { ProvidersConfig } from '../providers/config.js';
import { checkModuleExists, resolveModulePath } from '../providers/plugin.js';
import { readDocument } from './builtin.js';
import { scenarioSchema } from './schema.js';

export { ALL_EXCLUDES, BUILTIN_DIR, BUILTIN_NAMES, builtinPath, listBuiltins, resolveScenarioRefs } from './builtin.js';
import { applySetOverride, parseSetOverride, SetOverrideError, type SetOverride } from './set-path.js';

export interface LoadOptions {
  /** Relative scenario paths and --set plugin paths are relative to this (default: process.cwd()). */
  cwd?: string;
  set?: readonly string[];
  /** Overrides the duration of every duration-based phase, ms. */
  durationMs?: number;
  /** Overrides the replay speed of every trace-replay phase (`--speed`). */
  speed?: number;
}

/**
 * A data file a phase names (params.dataset, executor.trace) as an absolute path: relative to
 * the scenario file, or to the working directory when --set gave it. A missing file fails
 * here, before anything runs.
 */
function resolveDataFile(file: string, cwd: string, field: string, spec: string, overrides: readonly SetOverride[]): string {
  const parts = field.split('.');
  const viaSet = overrides.findLast((o) => o.path.length <= parts.length && o.path.every((seg, i) => String(seg) === parts[i]));
  const abs = path.resolve(viaSet ? cwd : path.dirname(path.resolve(cwd, file)), spec);
  if (!existsSync(abs)) throw new InputError(`${file}: ${field}: no such file ${spec}${spec !== abs ? ` (looked for ${abs})` : ''}${viaSet ? ` (from --set ${viaSet.source})` : ''}`);
  if (!statSync(abs).isFile()) throw new InputError(`${file}: ${field}: ${spec} is not a file`);
  return abs;
}


function formatPath(p: ReadonlyArray<PropertyKey>): string {
  return p.length === 0 ? '(top level)' : p.map(String).join('.');
}

function formatIssue(file: string, issue: z.core.$ZodIssue, overridden: readonly SetOverride[]): string {
  const at = formatPath(issue.path);
  // An unknown key is reported at its parent object; match the override by the key's own path.
  const paths = issue.code === 'unrecognized_keys' ? issue.keys.map((k) => [...issue.path, k].map(String).join('.')) : [at];
  const viaSet = overridden.find((o) => {
    const set = o.path.join('.');
    return paths.some((p) => p === set || p.startsWith(set + '.'));
  });
  const hint = viaSet ? ` (from --set ${viaSet.source})` : '';
  return `${file}: ${at}: ${issue.message}${hint}`;
}

/**
 * Plugin module paths become absolute: relative to the scenario file, or to the working
 * directory when --set gave them. A missing file fails here, before anything runs.
 */
function resolvePluginModules(file: string, cwd: string, providers: ProvidersConfig, overrides: readonly SetOverride[]): ProvidersConfig {
  let out = providers;
  for (const kind of ['llm', 'memory', 'agent'] as const) {
    const spec = providers[kind].module;
    if (spec === undefined) continue;
    const field = ['providers', kind, 'module'];
    const viaSet = overrides.findLast((o) => o.path.length <= field.length && o.path.every((seg, i) => seg === field[i]));
    const modulePath = resolveModulePath(spec, viaSet ? cwd : path.dirname(path.resolve(cwd, file)));
    const problem = checkModuleExists(modulePath);
    if (problem !== undefined) throw new InputError(`${file}: providers.${kind}.module: ${problem}${viaSet ? ` (from --set ${viaSet.source})` : ''}`);
    out = { ...out, [kind]: { ...out[kind], module: modulePath } };
  }
  return out;
}

export function loadScenario(file: string, options: LoadOptions = {}): Scenario {
  const cwd = options.cwd ?? process.cwd();
  const raw = readDocument(file, cwd);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new InputError(`${file}: (top level): expected a mapping with name, description, providers, phases, targets`);
  }
  const doc = raw as Record<string, unknown>;
  const overrides: SetOverride[] = [];
  for (const text of options.set ?? []) {
    try {
      const o = parseSetOverride(text);
      applySetOverride(doc, o);
      overrides.push(o);
    } catch (e) {
      if (e instanceof SetOverrideError) throw new InputError(e.message);
      throw e;
    }
  }

  const parsed = scenarioSchema.safeParse(doc);
  if (!parsed.success) {
    const issues = parsed.error.issues;
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
    throw new InputError(formatIssue(file, issues[0] as z.core.$ZodIssue, overrides) + more);
  }
  const s = parsed.data;
  const providers = resolvePluginModules(file, cwd, s.providers, overrides);

  const phaseNames = new Set<string>();
  s.phases.forEach((p, i) => {
    if (phaseNames.has(p.name)) throw new InputError(`${file}: phases.${i}.name: duplicate phase name "${p.name}"`);
    phaseNames.add(p.name);
  });

  const targets = s.targets.map((t, i) => {
    let spec;
    try {
      spec = parseTarget(t.expr, t.metric);
    } catch (e) {
      throw new InputError(`${file}: targets.${i}.expr: ${(e as Error).message}`);
    }
    // "capacity > 300/s" names no phase: it is the capacity `cluster-bench capacity` finds.
    if (spec.phase !== '' && !phaseNames.has(spec.phase)) {
      throw new InputError(`${file}: targets.${i}.expr: no phase named "${spec.phase}" (phases: ${[...phaseNames].join(', ')})`);
    }
    if ((spec.stat === 'goodput' || spec.stat === 'goodputRate') && s.phases.find((p) => p.name === spec.phase)?.goodput === undefined) {
      throw new InputError(`${file}: targets.${i}.expr: phase "${spec.phase}" defines no goodput (add goodput: { latency: 50ms } or { ttft: 200ms } to it)`);
    }
    return spec;
  });

  const phases = s.phases.map((p, i) => {
    const { description, progressEvery, ...rest } = p;
    let executor = rest.executor;
    if (options.durationMs !== undefined) {
      if (executor.kind === 'rate') executor = { ...executor, durationMs: options.durationMs };
      else if (executor.kind === 'vus' && executor.durationMs !== undefined) executor = { ...executor, durationMs: options.durationMs };
    }
    if (executor.kind === 'rate' && executor.trace !== undefined) {
      executor = { ...executor, trace: resolveDataFile(file, cwd, `phases.${i}.executor.trace`, executor.trace, overrides), ...(options.speed !== undefined ? { speed: options.speed } : {}) };
    }
    let params = rest.params;
    if (params.dataset !== undefined) params = { ...params, dataset: resolveDataFile(file, cwd, `phases.${i}.params.dataset`, params.dataset, overrides) };
    return {
      ...rest,
      params,
      executor,
      ...(description !== undefined ? { description } : {}),
      ...(progressEvery !== undefined ? { progressEvery } : {}),
    };
  });

  return {
    name: s.name,
    description: s.description,
    source: file,
    providers,
    phases,
    targets,
    ...(s.workers !== undefined ? { workers: s.workers } : {}),
  };
}
