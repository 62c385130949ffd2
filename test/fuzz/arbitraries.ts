/**
 * fast-check generators of what a user can hand the CLI: scenario documents (valid ones
 * mutated at known and unknown paths, as YAML, JSON or mangled text), --set overrides and
 * flag combinations. Valid inputs stay small (a few operations, milliseconds of duration);
 * even so a valid run costs far more than a rejected one (its memory snapshots force full
 * GCs), so about one case in ten is a valid run. The odd huge value is there too, and the
 * harness interrupts a run that takes too long.
 */
import fc from 'fast-check';
import { stringify } from 'yaml';

/** Values that break naive code: wrong types, edges, units, prototypes, huge numbers. */
export const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom<unknown>(-1, 0, 1, 2, 3, 0.5, 1.5, 1e12, 2 ** 53, -0, '', ' ', 'x', 'auto', 'off', 'none') },
  { weight: 4, arbitrary: fc.constantFrom<unknown>('5ms', '1ms', '0ms', '-5ms', '30ms', '10s', '1h', '1e3ms', '5 ms', 'ms', '5', 'lognormal(1ms,2ms)', 'uniform(2ms,1ms)', 'normal(1ms,-1ms)') },
  { weight: 3, arbitrary: fc.constantFrom<unknown>(null, true, false, [], {}, [1, 2], { a: 1 }, '__proto__', 'constructor', '{i}', '名前', 'a\nb', '*a', '&a', '{', '[', ': x', '#') },
  { weight: 2, arbitrary: fc.integer({ min: -5, max: 20 }) },
  { weight: 2, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.double({ noNaN: false }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);

export const OPS = ['noop', 'memory.store', 'memory.retrieve', 'memory.store-batch', 'memory.sweep', 'llm.call', 'agent.execute', 'mixed', 'llm.init', 'memory.init', 'agent.init'] as const;

/** Small executors: a few operations, a few milliseconds. */
export const executor: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.record({ type: fc.constant('iterations'), iterations: fc.integer({ min: 1, max: 5 }), concurrency: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ type: fc.constant('vus'), vus: fc.integer({ min: 1, max: 3 }), iterationsPerVu: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ type: fc.constant('vus'), vus: fc.integer({ min: 1, max: 2 }), duration: fc.constantFrom('5ms', '20ms') }),
  fc.record({ type: fc.constant('rate'), rate: fc.constantFrom(100, 500), duration: fc.constantFrom('10ms', '30ms') }),
);

const phase = fc.record(
  {
    name: fc.constantFrom('a', 'b', 'load'),
    op: fc.constantFrom(...OPS),
    executor,
    warmup: fc.constantFrom(0, 0, 0, 2),
    // auto on a fast operation warms up in ~20 paused rounds: rare, or a thousand cases take minutes.
    batch: fc.constantFrom<unknown>('off', 'off', 'off', 'off', 'off', 'off', 2, 'auto'),
  },
  { requiredKeys: ['name', 'op', 'executor'] },
);

/** A valid, tiny scenario document. */
export const validDoc: fc.Arbitrary<Record<string, unknown>> = fc
  .record({
    phases: fc.array(phase, { minLength: 1, maxLength: 2 }),
    target: fc.boolean(),
    llm: fc.record({ latency: fc.constantFrom('none', '0ms', '1ms'), errorRate: fc.constantFrom(0, 0, 0.5) }),
  })
  .map(({ phases, target, llm }) => {
    // Phase names must be unique.
    const named = phases.map((p, i) => ({ ...p, name: `${p.name}${i}` }));
    return {
      name: 'fuzz',
      description: 'fuzz',
      providers: { llm, memory: { windowSize: 10 }, agent: { maxIterations: 2 } },
      phases: named,
      targets: target ? [{ metric: 'm', expr: `${named[0]?.name ?? 'a0'} p99 < 1s / < 500ms` }] : [],
    };
  });

/** Paths into a scenario document: real fields, array slots, and keys that do not exist. */
export const docPath: fc.Arbitrary<string[]> = fc.oneof(
  fc.constantFrom<string[]>(
    ['name'],
    ['description'],
    ['providers'],
    ['providers', 'llm'],
    ['providers', 'llm', 'latency'],
    ['providers', 'llm', 'errorRate'],
    ['providers', 'llm', 'timeout'],
    ['providers', 'llm', 'retries'],
    ['providers', 'llm', 'cache'],
    ['providers', 'llm', 'pool'],
    ['providers', 'llm', 'baseUrl'],
    ['providers', 'llm', 'stream'],
    ['providers', 'llm', 'module'],
    ['providers', 'llm', 'completionTokens'],
    ['providers', 'memory', 'windowSize'],
    ['providers', 'memory', 'maxSessions'],
    ['providers', 'memory', 'idleTtl'],
    ['providers', 'agent', 'tools'],
    ['providers', 'agent', 'maxIterations'],
    ['phases'],
    ['phases', '0'],
    ['phases', '1'],
    ['phases', '0', 'name'],
    ['phases', '0', 'op'],
    ['phases', '0', 'executor'],
    ['phases', '0', 'executor', 'type'],
    ['phases', '0', 'executor', 'iterations'],
    ['phases', '0', 'executor', 'concurrency'],
    ['phases', '0', 'executor', 'vus'],
    ['phases', '0', 'executor', 'duration'],
    ['phases', '0', 'executor', 'rate'],
    ['phases', '0', 'warmup'],
    ['phases', '0', 'batch'],
    ['phases', '0', 'timeout'],
    ['phases', '0', 'interval'],
    ['phases', '0', 'params'],
    ['phases', '0', 'params', 'sessions'],
    ['phases', '0', 'params', 'batchSize'],
    ['phases', '0', 'params', 'limit'],
    ['phases', '0', 'params', 'content'],
    ['phases', '0', 'params', 'advance'],
    ['targets'],
    ['targets', '0'],
    ['targets', '0', 'expr'],
    ['targets', '0', 'metric'],
  ),
  fc.array(fc.oneof(fc.constantFrom('phases', 'providers', 'llm', '0', '7', 'executor', '__proto__', 'x'), fc.string({ maxLength: 6 })), { minLength: 1, maxLength: 4 }),
);

type Mutation = { kind: 'set'; path: string[]; value: unknown } | { kind: 'delete'; path: string[] };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('set' as const), path: docPath, value: nastyValue }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), path: docPath }) },
);

/** Own properties only, and defineProperty: a "__proto__" key is a real key, as in a parsed file. */
function own(node: object, key: string): unknown {
  return Object.hasOwn(node, key) ? (node as Record<string, unknown>)[key] : undefined;
}
function put(node: object, key: string, value: unknown): void {
  Object.defineProperty(node, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Sets `value` at `path` of plain data (creating objects on the way; skipping through non-objects). */
export function setAt(doc: Record<string, unknown>, path: readonly string[], value: unknown): void {
  mutate(doc, { kind: 'set', path: [...path], value });
}

/** Applies a mutation to a plain-data copy; paths through non-objects are skipped. */
function mutate(doc: Record<string, unknown>, m: Mutation): void {
  let node: unknown = doc;
  for (let i = 0; i < m.path.length - 1; i++) {
    if (node === null || typeof node !== 'object') return;
    const key = m.path[i] as string;
    let next = own(node, key);
    if (next === undefined || next === null || typeof next !== 'object') {
      if (m.kind === 'delete') return;
      next = {};
      put(node, key, next);
    }
    node = next;
  }
  if (node === null || typeof node !== 'object') return;
  const last = m.path[m.path.length - 1] as string;
  if (m.kind === 'set') put(node, last, m.value);
  else delete (node as Record<string, unknown>)[last];
}

export const mutatedDoc: fc.Arbitrary<unknown> = fc.tuple(validDoc, fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([doc, ms]) => {
  const copy = JSON.parse(JSON.stringify(doc)) as Record<string, unknown>;
  for (const m of ms) mutate(copy, m);
  return copy;
});

function toYaml(v: unknown): string {
  try {
    return stringify(v);
  } catch {
    return String(v);
  }
}

/** The classic "billion laughs" in YAML, `depth` levels of nine aliases each. */
export function aliasBomb(depth: number): string {
  const lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i <= depth; i++) lines.push(`a${i}: &a${i} [${Array.from({ length: 9 }, () => `*a${i - 1}`).join(',')}]`);
  return lines.join('\n') + '\n';
}

/** Edits text the way a bad paste or a bad editor does. */
const mangle = fc.tuple(fc.nat(), fc.constantFrom('', ':', '-', '[', '{', '"', "'", '&x', '*x', '\t', '\n  ', '!!binary', '%YAML 1.1\n', '? ', '---\n', '\u0000'), fc.nat({ max: 5 })).map(
  ([at, insert, drop]) =>
    (text: string): string => {
      const i = text.length === 0 ? 0 : at % text.length;
      return text.slice(0, i) + insert + text.slice(i + drop);
    },
);

/** The text of a scenario file, and the extension it is saved with. */
export const scenarioText: fc.Arbitrary<{ text: string; ext: '.yaml' | '.json' | '.yml' }> = fc.oneof(
  { weight: 1, arbitrary: validDoc.map((d) => ({ text: toYaml(d), ext: '.yaml' as const })) },
  { weight: 5, arbitrary: mutatedDoc.map((d) => ({ text: toYaml(d), ext: '.yaml' as const })) },
  { weight: 3, arbitrary: mutatedDoc.map((d) => ({ text: JSON.stringify(d) ?? 'null', ext: '.json' as const })) },
  { weight: 3, arbitrary: fc.tuple(validDoc, mangle).map(([d, m]) => ({ text: m(toYaml(d)), ext: '.yml' as const })) },
  { weight: 1, arbitrary: fc.tuple(validDoc, mangle).map(([d, m]) => ({ text: m(JSON.stringify(d)), ext: '.json' as const })) },
  { weight: 1, arbitrary: fc.integer({ min: 3, max: 9 }).map((n) => ({ text: aliasBomb(n), ext: '.yaml' as const })) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }).map((text) => ({ text, ext: '.yaml' as const })) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => ({ text: toYaml(v), ext: '.yaml' as const })) },
);

const setPath: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: docPath.map((p) => p.join('.')) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.constantFrom('', '.', 'a..b', 'phases.-1', 'phases.0.', '__proto__.x', 'phases.99.name', 'providers.llm.latency ') },
);

const setValueText: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: nastyValue.map((v) => (typeof v === 'string' ? v : JSON.stringify(v) ?? 'null')) },
  { weight: 1, arbitrary: fc.constantFrom('&a [*a]', '*a', '{a: &x [1], b: [*x, *x]}', '[', '{', '"', "'", '!!js/function x', '%TAG', '|\n x', '- a\n- b', '? x', ': :') },
  { weight: 1, arbitrary: fc.integer({ min: 3, max: 8 }).map((n) => `{${aliasBomb(n).trim().split('\n').join(', ')}}`) },
  { weight: 1, arbitrary: fc.string({ maxLength: 16 }) },
);

/** One --set argument: PATH=VALUE, or something that is not. */
export const setArg: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(setPath, setValueText).map(([p, v]) => `${p}=${v}`) },
  { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
);

/** Paths an output flag may name (relative to the case's working directory, which has dir/ and file.txt). */
export const outPath = fc.constantFrom('r.json', 'r.md', 'sub/deeper/r.json', '.', 'dir', 'dir/', 'file.txt/x.json', '', 'reports', '/dev/null', 'r.json');

/** One flag of `run`, with its value when it takes one. */
export const runFlag: fc.Arbitrary<string[]> = fc.oneof(
  fc.constantFrom('1', '42', '4294967295', '4294967296', '-1', 'abc', '1e3', '', '0x10').map((v) => ['--seed', v]),
  setArg.map((v) => ['--set', v]),
  fc.constantFrom('10ms', '1ms', '0', '0ms', '-1s', 'abc', '1h2m', '').map((v) => ['--duration', v]),
  fc.constantFrom('1', '2', '0', '101', 'x', '1.5').map((v) => ['--trials', v]),
  fc.constantFrom('100ms', '50ms', '1s', 'x', '').map((v) => ['--checkpoint', v]),
  fc.constantFrom('5%', '0%', '-1%', '200%', 'abc', '10').map((v) => ['--max-regression', v]),
  outPath.map((v) => ['--out', v]),
  outPath.map((v) => ['--report', v]),
  fc.constantFrom('BASELINE', 'GARBAGE', 'dir', 'missing.json', 'OTHER_CPU', '').map((v) => ['--baseline', v]),
  fc.constantFrom<string[]>(['--strict'], ['--no-gate'], ['--no-save'], ['--json'], ['--force'], ['--bogus'], ['-x'], ['--help']),
);

export { toYaml };
