/**
 * Reading a saved JSON result back (for `report` and `compare`): the text is checked for
 * the fields those commands rely on, so a wrong file fails with one line that names it and
 * says what is wrong, instead of a TypeError deep in a renderer.
 */
import { badInput, type CliError } from '../errors.js';
import { RESULT_SCHEMA_VERSION, type RunResult } from './types.js';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

class Invalid extends Error {}

function need(obj: Json, key: string, type: 'string' | 'number' | 'boolean' | 'object' | 'array', where: string): void {
  const v = obj[key];
  const ok = type === 'array' ? Array.isArray(v) : type === 'object' ? isObject(v) : typeof v === type;
  if (!ok) throw new Invalid(`${where}${where === '' ? '' : '.'}${key}: expected ${type === 'array' ? 'a list' : type === 'object' ? 'an object' : `a ${type}`}`);
}

function checkLatency(v: unknown, where: string): void {
  if (!isObject(v)) throw new Invalid(`${where}: expected an object`);
  for (const k of ['count', 'min', 'p50', 'p90', 'p95', 'p99', 'p999', 'max']) need(v, k, 'number', where);
  need(v, 'histogram', 'string', where);
}

function checkResult(data: unknown): RunResult {
  if (!isObject(data)) throw new Invalid('expected a JSON object');
  if (!('schemaVersion' in data) || !('scenarios' in data)) {
    throw new Invalid('no "schemaVersion" and "scenarios": not a cluster-bench result');
  }
  if (data['schemaVersion'] !== RESULT_SCHEMA_VERSION) {
    throw new Invalid(`result schema version ${JSON.stringify(data['schemaVersion'])} is not supported (this cluster-bench reads version ${RESULT_SCHEMA_VERSION})`);
  }
  need(data, 'tool', 'object', '');
  need(data, 'command', 'string', '');
  if (data['reproduce'] !== undefined) need(data, 'reproduce', 'string', '');
  need(data, 'seed', 'number', '');
  need(data, 'startedAt', 'string', '');
  need(data, 'finishedAt', 'string', '');
  need(data, 'environment', 'object', '');
  need(data, 'gate', 'object', '');
  need(data['gate'] as Json, 'counts', 'object', 'gate');
  for (const k of ['passed', 'enabled', 'strict']) need(data['gate'] as Json, k, 'boolean', 'gate');
  const env = data['environment'] as Json;
  for (const k of ['node', 'cpu', 'os', 'arch']) need(env, k, 'string', 'environment');
  need(env, 'cores', 'number', 'environment');
  if (env['calibration'] !== undefined) {
    need(env, 'calibration', 'object', 'environment');
    const cal = env['calibration'] as Json;
    for (const k of ['harnessOverheadNs', 'batchOverheadNs']) need(cal, k, 'number', 'environment.calibration');
    need(cal, 'measuredAt', 'string', 'environment.calibration');
  }
  need(data, 'scenarios', 'array', '');
  (data['scenarios'] as unknown[]).forEach((s, i) => {
    const where = `scenarios.${i}`;
    if (!isObject(s)) throw new Invalid(`${where}: expected an object`);
    need(s, 'name', 'string', where);
    need(s, 'phases', 'array', where);
    need(s, 'targets', 'array', where);
    need(s, 'memory', 'array', where);
    need(s, 'providers', 'object', where);
    need(s['providers'] as Json, 'llm', 'object', `${where}.providers`);
    const llm = (s['providers'] as Json)['llm'] as Json;
    need(llm, 'simulated', 'boolean', `${where}.providers.llm`);
    need(llm, 'transport', 'string', `${where}.providers.llm`);
    need(llm, 'config', 'object', `${where}.providers.llm`);
    const names = (s['providers'] as Json)['names'];
    if (names !== undefined) {
      need(s['providers'] as Json, 'names', 'object', `${where}.providers`);
      for (const k of ['llm', 'memory', 'agent']) need(names as Json, k, 'string', `${where}.providers.names`);
    }
    (s['phases'] as unknown[]).forEach((p, j) => {
      const pw = `${where}.phases.${j}`;
      if (!isObject(p)) throw new Invalid(`${pw}: expected an object`);
      for (const k of ['name', 'op', 'description']) need(p, k, 'string', pw);
      for (const k of ['count', 'errors', 'errorRate', 'throughput', 'durationMs']) need(p, k, 'number', pw);
      need(p, 'executor', 'object', pw);
      need(p, 'errorsByKind', 'object', pw);
      need(p, 'batchTimed', 'boolean', pw);
      if (p['timing'] !== undefined) {
        need(p, 'timing', 'object', pw);
        const t = p['timing'] as Json;
        if (t['mode'] !== 'batch' && t['mode'] !== 'per-op') throw new Invalid(`${pw}.timing.mode: expected "batch" or "per-op"`);
        need(t, 'batchSize', 'number', `${pw}.timing`);
      }
      checkLatency(p['latency'], `${pw}.latency`);
      for (const k of ['serviceTime', 'ttft', 'itl']) if (p[k] !== undefined) checkLatency(p[k], `${pw}.${k}`);
      if (p['steps'] !== undefined) {
        need(p, 'steps', 'object', pw);
        for (const [k, v] of Object.entries(p['steps'] as Json)) checkLatency(v, `${pw}.steps.${k}`);
      }
    });
    (s['targets'] as unknown[]).forEach((t, j) => {
      const tw = `${where}.targets.${j}`;
      if (!isObject(t)) throw new Invalid(`${tw}: expected an object`);
      for (const k of ['metric', 'source', 'phase', 'stat', 'unit', 'comparator', 'status']) need(t, k, 'string', tw);
      for (const k of ['current', 'target']) need(t, k, 'number', tw);
      if (t['measured'] !== null) need(t, 'measured', 'number', tw);
    });
    if (s['trials'] !== undefined) {
      need(s, 'trials', 'array', where);
      (s['trials'] as unknown[]).forEach((t, j) => {
        if (!isObject(t)) throw new Invalid(`${where}.trials.${j}: expected an object`);
        need(t, 'phases', 'array', `${where}.trials.${j}`);
      });
    }
  });
  return data as unknown as RunResult;
}

/** Parses and checks a result file's text; the error names the file. */
export function parseRunResult(text: string, file: string): RunResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    // One line: V8's message quotes the start of the text, newlines and all.
    const why = (e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ').slice(0, 160);
    throw invalid(file, `not valid JSON (${why})`);
  }
  try {
    return checkResult(data);
  } catch (e) {
    if (e instanceof Invalid) throw invalid(file, e.message);
    throw e;
  }
}

function invalid(file: string, what: string): CliError {
  return badInput(`${file}: ${what}`);
}
