/**
 * Reading a saved JSON result back (for `report` and `compare`): the text is checked for
 * the fields those commands rely on, so a wrong file fails with one line that names it and
 * says what is wrong, instead of a TypeError deep in a renderer.
 */
import { InputError } from '../util/input-error.js';
import { RESULT_SCHEMA_VERSION, type RunResult } from './types.js';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

class Invalid extends Error {}

type Kind = 'string' | 'number' | 'boolean' | 'object' | 'array';
/** Field name -> kind; a trailing "?" makes the field optional. */
type Shape = Record<string, Kind | `${Kind}?`>;

const WORDS: Record<Kind, string> = { string: 'a string', number: 'a number', boolean: 'true or false', object: 'an object', array: 'a list' };

function at(where: string, key: string | number): string {
  return where === '' ? String(key) : `${where}.${key}`;
}

function isKind(v: unknown, kind: Kind): boolean {
  switch (kind) {
    case 'array':
      return Array.isArray(v);
    case 'object':
      return isObject(v);
    case 'number':
      // JSON has no NaN, but 1e400 parses to Infinity.
      return typeof v === 'number' && Number.isFinite(v);
    default:
      return typeof v === kind;
  }
}

function need(obj: Json, key: string, kind: Kind, where: string): void {
  if (!isKind(obj[key], kind)) throw new Invalid(`${at(where, key)}: expected ${WORDS[kind]}`);
}

/** Checks the fields of `v` against `spec` (other fields are left alone) and returns it. */
function shape(v: unknown, spec: Shape, where: string): Json {
  if (!isObject(v)) throw new Invalid(`${where || '(top level)'}: expected an object`);
  for (const [key, kind] of Object.entries(spec)) {
    const optional = kind.endsWith('?');
    if (optional && v[key] === undefined) continue;
    need(v, key, kind.replace('?', '') as Kind, where);
  }
  return v;
}

/** Every value of an object (a record) is a number. */
function numbers(v: unknown, where: string): void {
  for (const [k, x] of Object.entries(shape(v, {}, where))) if (!isKind(x, 'number')) throw new Invalid(`${at(where, k)}: expected a number`);
}

function list(v: unknown, where: string, each: (item: unknown, where: string) => void): void {
  if (!Array.isArray(v)) throw new Invalid(`${where}: expected a list`);
  v.forEach((item, i) => each(item, at(where, i)));
}

function oneOf(obj: Json, key: string, allowed: readonly string[], where: string): void {
  if (!allowed.includes(obj[key] as string)) throw new Invalid(`${at(where, key)}: expected one of ${allowed.join(', ')}`);
}

function checkLatency(v: unknown, where: string): void {
  shape(v, { count: 'number', min: 'number', mean: 'number?', stddev: 'number?', p50: 'number', p90: 'number', p95: 'number', p99: 'number', p999: 'number', max: 'number', histogram: 'string' }, where);
}

const EXECUTORS: Record<string, Shape> = {
  iterations: { iterations: 'number', concurrency: 'number' },
  vus: { vus: 'number', iterationsPerVu: 'number?', durationMs: 'number?' },
  rate: { rate: 'number', durationMs: 'number', maxInFlight: 'number?' },
};

function checkPhase(v: unknown, where: string): void {
  const p = shape(
    v,
    {
      name: 'string', op: 'string', description: 'string', executor: 'object', warmup: 'number?', timeoutMs: 'number?',
      count: 'number', errors: 'number', errorsByKind: 'object', errorRate: 'number', durationMs: 'number', throughput: 'number',
      clamped: 'number?', interrupted: 'boolean?', batchTimed: 'boolean', batchSize: 'number?', timing: 'object?', schedule: 'object?',
      heapAfterGc: 'number?', intervals: 'array?', intervalMs: 'number?', leak: 'object?', drift: 'object?', health: 'object?',
      steps: 'object?', extra: 'object?',
    },
    where,
  );
  const executor = p['executor'] as Json;
  oneOf(executor, 'kind', Object.keys(EXECUTORS), at(where, 'executor'));
  shape(executor, EXECUTORS[executor['kind'] as string] as Shape, at(where, 'executor'));
  numbers(p['errorsByKind'], at(where, 'errorsByKind'));
  checkLatency(p['latency'], at(where, 'latency'));
  for (const k of ['serviceTime', 'ttft', 'tpot', 'chunkGap', 'tokenGap', 'itl']) if (p[k] !== undefined) checkLatency(p[k], at(where, k));
  if (p['tokens'] !== undefined) {
    const t = shape(p['tokens'], { source: 'string', operations: 'number', estimated: 'number', outputTotal: 'number', outputPerSecond: 'number' }, at(where, 'tokens'));
    for (const k of ['prompt', 'output', 'outputPerSecondPerRequest']) if (t[k] !== undefined) checkLatency(t[k], at(at(where, 'tokens'), k));
  }
  if (p['steps'] !== undefined) for (const [k, s] of Object.entries(p['steps'] as Json)) checkLatency(s, at(at(where, 'steps'), k));
  if (p['timing'] !== undefined) {
    const t = shape(p['timing'], { batchSize: 'number', basis: 'string?', estimateNs: 'number?' }, at(where, 'timing'));
    oneOf(t, 'mode', ['batch', 'per-op'], at(where, 'timing'));
  }
  if (p['schedule'] !== undefined) shape(p['schedule'], { late: 'number', dropped: 'number', maxLateNs: 'number' }, at(where, 'schedule'));
  if (p['intervals'] !== undefined) {
    list(p['intervals'], at(where, 'intervals'), (x, w) =>
      shape(x, { tMs: 'number', durationMs: 'number?', count: 'number', errors: 'number', throughput: 'number', p50: 'number', p99: 'number', heapUsed: 'number?', rss: 'number?', eventLoopP99: 'number?' }, w),
    );
  }
  if (p['leak'] !== undefined) shape(p['leak'], { verdict: 'string', samples: 'number', slopeBytesPerHour: 'number', r2: 'number', thresholdBytesPerHour: 'number' }, at(where, 'leak'));
  if (p['drift'] !== undefined) shape(p['drift'], { verdict: 'string', samples: 'number', firstThirdP99Ns: 'number', lastThirdP99Ns: 'number', ratio: 'number', threshold: 'number' }, at(where, 'drift'));
  if (p['health'] !== undefined) {
    const h = shape(p['health'], { eventLoopP99Ns: 'number', eventLoopMaxNs: 'number', warnings: 'array' }, at(where, 'health'));
    list(h['warnings'], at(at(where, 'health'), 'warnings'), (x, w) => {
      if (typeof x !== 'string') throw new Invalid(`${w}: expected a string`);
    });
  }
  if (p['extra'] !== undefined) numbers(p['extra'], at(where, 'extra'));
}

function checkScenario(v: unknown, where: string): void {
  const s = shape(
    v,
    { name: 'string', description: 'string?', source: 'string?', startedAt: 'string?', durationMs: 'number?', providers: 'object', phases: 'array', targets: 'array', memory: 'array', failure: 'string?', trials: 'array?' },
    where,
  );
  const pw = at(where, 'providers');
  const providers = shape(s['providers'], { llm: 'object', memory: 'object?', agent: 'object?', names: 'object?' }, pw);
  shape(providers['llm'], { simulated: 'boolean', transport: 'string', config: 'object' }, at(pw, 'llm'));
  if (providers['names'] !== undefined) shape(providers['names'], { llm: 'string', memory: 'string', agent: 'string' }, at(pw, 'names'));
  list(s['phases'], at(where, 'phases'), checkPhase);
  list(s['targets'], at(where, 'targets'), (t, tw) => {
    const target = shape(t, { metric: 'string', source: 'string', phase: 'string', stat: 'string', unit: 'string', comparator: 'string', status: 'string', current: 'number', target: 'number' }, tw);
    oneOf(target, 'unit', ['ns', 'per_s', 'bytes', 'fraction', 'count'], tw);
    oneOf(target, 'comparator', ['<', '<=', '>', '>='], tw);
    oneOf(target, 'status', ['green', 'yellow', 'red'], tw);
    if (target['measured'] !== null) need(target, 'measured', 'number', tw);
  });
  list(s['memory'], at(where, 'memory'), (m, w) => shape(m, { label: 'string', heapUsed: 'number', rss: 'number' }, w));
  if (s['trials'] !== undefined) {
    list(s['trials'], at(where, 'trials'), (t, tw) =>
      list(shape(t, { phases: 'array' }, tw)['phases'], at(tw, 'phases'), (p, w) =>
        shape(p, { name: 'string', count: 'number', throughput: 'number', p50: 'number', p90: 'number', p99: 'number', errors: 'number' }, w),
      ),
    );
  }
  if (s['capacity'] !== undefined) checkCapacity(s['capacity'], at(where, 'capacity'));
}

/** The capacity block of `cluster-bench capacity`: what report and compare read. */
function checkCapacity(c: unknown, where: string): void {
  if (!isObject(c)) throw new Invalid(`${where}: expected an object`);
  for (const k of ['phase', 'op', 'verdict', 'summary']) need(c, k, 'string', where);
  need(c, 'steps', 'array', where);
  need(c, 'slos', 'array', where);
  need(c, 'settings', 'object', where);
  if (c['capacity'] !== undefined) need(c, 'capacity', 'number', where);
  if (c['interval'] !== undefined) {
    need(c, 'interval', 'object', where);
    for (const k of ['lower', 'upper']) need(c['interval'] as Json, k, 'number', `${where}.interval`);
  }
  (c['steps'] as unknown[]).forEach((st, i) => {
    const sw = `${where}.steps.${i}`;
    if (!isObject(st)) throw new Invalid(`${sw}: expected an object`);
    for (const k of ['index', 'rate', 'achieved', 'count', 'errors', 'errorRate']) need(st, k, 'number', sw);
    for (const k of ['verdict', 'stage']) need(st, k, 'string', sw);
    need(st, 'slos', 'array', sw);
    need(st, 'reasons', 'array', sw);
    checkLatency(st['latency'], `${sw}.latency`);
  });
}

function checkResult(data: unknown): RunResult {
  if (!isObject(data)) throw new Invalid('expected a JSON object');
  if (!('schemaVersion' in data) || !('scenarios' in data)) {
    throw new Invalid('no "schemaVersion" and "scenarios": not a cluster-bench result');
  }
  if (data['schemaVersion'] !== RESULT_SCHEMA_VERSION) {
    throw new Invalid(`result schema version ${JSON.stringify(data['schemaVersion'])} is not supported (this cluster-bench reads version ${RESULT_SCHEMA_VERSION})`);
  }
  shape(
    data,
    { tool: 'object', command: 'string', reproduce: 'string?', seed: 'number', startedAt: 'string', finishedAt: 'string', interrupted: 'boolean?', checkpoint: 'boolean?', environment: 'object', scenarios: 'array', gate: 'object' },
    '',
  );
  shape(data['tool'], { name: 'string', version: 'string' }, 'tool');
  const gate = shape(data['gate'], { passed: 'boolean', enabled: 'boolean', strict: 'boolean', counts: 'object' }, 'gate');
  shape(gate['counts'], { green: 'number', yellow: 'number', red: 'number' }, 'gate.counts');
  const env = shape(
    data['environment'],
    { node: 'string', v8: 'string?', os: 'string', arch: 'string', cpu: 'string', cores: 'number', memoryBytes: 'number?', hostname: 'string?', gitCommit: 'string?', ci: 'boolean?', calibration: 'object?' },
    'environment',
  );
  if (env['calibration'] !== undefined) {
    const cal = shape(
      env['calibration'],
      { harnessOverheadNs: 'number', harnessOverheadCiNs: 'array?', batchOverheadNs: 'number', executors: 'object?', clockCostNs: 'number?', clockResolutionNs: 'number?', eventLoopDelayP99Ns: 'number?', measuredAt: 'string', cached: 'boolean?' },
      'environment.calibration',
    );
    if (cal['executors'] !== undefined) numbers(cal['executors'], 'environment.calibration.executors');
    const ci = cal['harnessOverheadCiNs'];
    if (ci !== undefined && !(Array.isArray(ci) && ci.length === 2 && ci.every((x) => isKind(x, 'number')))) {
      throw new Invalid('environment.calibration.harnessOverheadCiNs: expected [low, high] in ns');
    }
  }
  if (data['shard'] !== undefined) checkShard(data['shard']);
  list(data['scenarios'], 'scenarios', checkScenario);
  return data as unknown as RunResult;
}

/** The shard block `merge` relies on (src/results/types.ts ShardInfo). */
function checkShard(v: unknown): void {
  if (!isObject(v)) throw new Invalid('shard: expected an object');
  for (const k of ['index', 'total', 'workers']) need(v, k, 'number', 'shard');
  for (const k of ['runId', 'scenarioHash', 'toolVersion']) need(v, k, 'string', 'shard');
  need(v, 'histogram', 'object', 'shard');
  for (const k of ['lowestNs', 'highestNs', 'significantDigits', 'bucketBits']) need(v['histogram'] as Json, k, 'number', 'shard.histogram');
  need(v, 'targets', 'object', 'shard');
  for (const [name, list] of Object.entries(v['targets'] as Json)) {
    if (!Array.isArray(list)) throw new Invalid(`shard.targets.${name}: expected a list`);
    list.forEach((t, j) => {
      const tw = `shard.targets.${name}.${j}`;
      if (!isObject(t)) throw new Invalid(`${tw}: expected an object`);
      for (const k of ['metric', 'source', 'phase', 'stat', 'unit', 'comparator']) need(t, k, 'string', tw);
      for (const k of ['current', 'target']) need(t, k, 'number', tw);
    });
  }
  if (v['window'] !== undefined) {
    need(v, 'window', 'object', 'shard');
    for (const k of ['startMs', 'endMs']) need(v['window'] as Json, k, 'number', 'shard.window');
  }
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

function invalid(file: string, what: string): InputError {
  return new InputError(`${file}: ${what}`);
}
