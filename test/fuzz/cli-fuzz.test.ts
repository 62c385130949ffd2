/**
 * Property: whatever a user hands the CLI (a scenario file, --set overrides, any mix of flags,
 * a saved result edited by hand, the other commands' arguments), it ends in exit 0, 1 or 2,
 * never 3; it never prints "internal error" or a stack trace; a bad-input error is one line;
 * no file it leaves is partial (no temporary file, every JSON file parses); and no Node
 * warning escapes to the terminal. Runs in-process (test/helpers/in-process.ts): a thousand
 * cases, ~25 s of CPU (valid runs dominate: their memory snapshots force full GCs).
 * FUZZ_RUNS scales the counts, FUZZ_SEED replays a failure fast-check reports, FUZZ_STATS=1
 * prints how the cases ended and the slowest ones.
 *
 * Bugs it found (all fixed): a --set value with a newline made a two-line error; a fractional
 * memory idleTtl failed initialize() (exit 3); `report --out DIR` was exit 3; a YAML key that
 * is a list printed a Node warning; a saved result with an unknown target unit, or a time
 * series that is not a list, crashed the report (results are now checked field by field); a
 * simulated latency beyond a Node timer's range (--set providers.llm.latency=1e12) printed a
 * TimeoutOverflowWarning and fired at once. Found while writing it: sizes the runner allocates by (sessions, vus, batch, ...) had no
 * upper bound (out of memory, or exit 3).
 *
 * A run that takes longer than GUARD_MS (a huge but valid value) is interrupted as a user
 * would (SIGINT); it may then also exit 130, and must still leave whole files.
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../e2e/helpers.js';
import { runInProcess, type InProcessRun } from '../helpers/in-process.js';
import { aliasBomb, nastyValue, runFlag, scenarioText, setArg, setAt, toYaml } from './arbitraries.js';

const SCALE = Number(process.env['FUZZ_RUNS'] ?? 1);
const SEED = process.env['FUZZ_SEED'] !== undefined ? Number(process.env['FUZZ_SEED']) : undefined;
const runs = (n: number): fc.Parameters<unknown> => ({ numRuns: Math.max(1, Math.round(n * SCALE)), ...(SEED !== undefined ? { seed: SEED } : {}) });
const GUARD_MS = 1_500;
/** ~5-10 s each on a quiet machine; room for a shared one. */
const TIMEOUT_MS = 300_000;
/** FUZZ_STATS=1: how the cases ended, printed at the end (to keep the mix of valid and bad input in view). */
const STATS = process.env['FUZZ_STATS'] ? new Map<string, number>() : undefined;
const SLOWEST: Array<[number, string]> = [];

const INPUTS = tempDir();
const VALID = path.join(INPUTS, 'valid.yaml');
const FILES: Record<string, string> = {
  BASELINE: path.join(INPUTS, 'result.json'),
  OTHER_CPU: path.join(INPUTS, 'other-cpu.json'),
  GARBAGE: path.join(INPUTS, 'garbage.json'),
  NOT_RESULT: path.join(INPUTS, 'not-result.json'),
  BOMB: path.join(INPUTS, 'bomb.yaml'),
  VALID,
};

beforeAll(async () => {
  writeFileSync(
    VALID,
    toYaml({
      name: 'fuzz-base',
      description: 'one tiny phase',
      providers: { llm: { latency: 'none' } },
      phases: [{ name: 'calls', op: 'llm.call', executor: { type: 'iterations', iterations: 3 } }],
      targets: [{ metric: 'call', expr: 'calls p99 < 1s / < 500ms' }],
    }),
  );
  const r = await runInProcess(['run', VALID, '--no-save', '--seed', '1', '--out', FILES['BASELINE'] as string]);
  if (r.code !== 0) throw new Error(`the baseline run failed: ${r.stderr}`);
  const result = JSON.parse(readFileSync(FILES['BASELINE'] as string, 'utf8')) as { environment: { cpu: string } };
  result.environment.cpu = 'Another CPU';
  writeFileSync(FILES['OTHER_CPU'] as string, JSON.stringify(result));
  writeFileSync(FILES['GARBAGE'] as string, '{"schemaVersion": 1, "scenarios": [{"name": 3}]');
  writeFileSync(FILES['NOT_RESULT'] as string, JSON.stringify({ schemaVersion: 1, scenarios: [{ name: 'x', phases: [null] }] }));
  writeFileSync(FILES['BOMB'] as string, aliasBomb(8));
});

afterAll(() => {
  rmSync(INPUTS, { recursive: true, force: true });
  if (STATS) {
    process.stdout.write(`fuzz cases by command and exit code: ${JSON.stringify(Object.fromEntries([...STATS].sort()))}\n`);
    const slow = SLOWEST.sort((a, b) => b[0] - a[0]).slice(0, 12);
    process.stdout.write(`slowest cases:\n${slow.map(([ms, what]) => `  ${Math.round(ms)} ms  ${what}`).join('\n')}\n`);
    process.stdout.write(`total ${Math.round(SLOWEST.reduce((a, [ms]) => a + ms, 0))} ms over ${SLOWEST.length} cases; valid runs ${Math.round(SLOWEST.filter(([, w]) => /^[01] /.test(w)).reduce((a, [ms]) => a + ms, 0))} ms\n`);
  }
});

/** Every file under dir, relative. */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...filesUnder(full).map((f) => path.join(name, f)));
    else out.push(name);
  }
  return out;
}

const STACK_LINE = /^\s+at .+[(\s].*:\d+:\d+\)?$/m;

function check(args: readonly string[], r: InProcessRun, cwd: string, interrupted: boolean, inputs: readonly string[]): void {
  const what = `cluster-bench ${args.map((a) => JSON.stringify(a)).join(' ')}\n--- exit ${r.code}\n--- stderr:\n${r.stderr.slice(0, 2_000)}`;
  const allowed = interrupted ? [0, 1, 2, 130] : [0, 1, 2];
  expect(allowed, what).toContain(r.code);
  expect(r.stderr, what).not.toMatch(/internal error/i);
  expect(r.stderr, what).not.toMatch(STACK_LINE);
  expect(r.stdout, what).not.toMatch(STACK_LINE);
  if (r.code === 2) {
    const ours = r.stderr.split('\n').filter((l) => l.startsWith('cluster-bench: error:'));
    expect(ours.length, what).toBeLessThanOrEqual(1);
    if (ours.length === 1) expect(r.stderr.trim().split('\n'), what).toHaveLength(1);
  }
  for (const f of filesUnder(cwd)) {
    if (inputs.includes(f)) continue;
    expect(f, `${what}\n--- a temporary file was left: ${f}`).not.toMatch(/\.tmp$/);
    const text = readFileSync(path.join(cwd, f), 'utf8');
    // JSON the CLI wrote must be whole (a markdown report may be given a .json name: --report r.json).
    if (f.endsWith('.json') && /^\s*[[{]/.test(text)) expect(() => JSON.parse(text), `${what}\n--- ${f} is not whole JSON`).not.toThrow();
    expect(text.length, `${what}\n--- ${f} is empty`).toBeGreaterThan(0);
  }
}

/** Runs one case in a fresh working directory (with dir/ and file.txt in it), then cleans up. */
async function runCase(args: string[], write: Record<string, string> = {}): Promise<void> {
  const cwd = tempDir();
  try {
    mkdirSync(path.join(cwd, 'dir'));
    writeFileSync(path.join(cwd, 'file.txt'), 'not a directory\n');
    for (const [name, text] of Object.entries(write)) writeFileSync(path.join(cwd, name), text);
    const resolved = args.map((a) => FILES[a] ?? a);
    let interrupted = false;
    let guard: NodeJS.Timeout | undefined;
    // A Node warning (process.emitWarning) would reach the user's terminal as noise.
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    const started = performance.now();
    const r = await runInProcess(resolved, {
      cwd,
      onStart: (p) => {
        guard = setTimeout(() => {
          interrupted = true;
          p.signal('SIGINT');
        }, GUARD_MS);
      },
    });
    clearTimeout(guard);
    await new Promise((resolve) => setImmediate(resolve));
    process.off('warning', onWarning);
    if (STATS) {
      STATS.set(`${resolved[0]} ${r.code}`, (STATS.get(`${resolved[0]} ${r.code}`) ?? 0) + 1);
      SLOWEST.push([performance.now() - started, `${r.code} ${resolved.join(' ')} ${Object.values(write).join('').slice(0, 300).replaceAll('\n', '⏎')}`]);
    }
    check(resolved, r, cwd, interrupted, ['file.txt', ...Object.keys(write)]);
    expect(warnings, `cluster-bench ${resolved.join(' ')}`).toEqual([]);
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

describe('fuzz: no input reaches an internal error', () => {
  it('scenario documents (valid, mutated, mangled, alias bombs, not YAML at all)', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioText, fc.boolean(), async ({ text, ext }, out) => {
        await runCase(['run', `s${ext}`, '--no-save', '--seed', '1', ...(out ? ['--out', 'r.json', '--report', 'r.md'] : [])], { [`s${ext}`]: text });
      }),
      runs(250),
    );
  }, TIMEOUT_MS);

  it('--set paths and values', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(setArg, { minLength: 1, maxLength: 3 }), async (sets) => {
        await runCase(['run', 'VALID', '--no-save', '--seed', '1', ...sets.flatMap((s) => ['--set', s])]);
      }),
      runs(250),
    );
  }, TIMEOUT_MS);

  it('flag combinations of run', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom('VALID', 'VALID', 'missing.yaml', 'dir', 'BOMB', 'file.txt', 'GARBAGE'), { minLength: 0, maxLength: 2 }),
        fc.array(runFlag, { minLength: 0, maxLength: 5 }),
        async (refs, flags) => {
          await runCase(['run', ...refs, ...flags.flat()]);
        },
      ),
      runs(250),
    );
  }, TIMEOUT_MS);

  it('saved results edited by hand: report and compare', async () => {
    const base = JSON.parse(readFileSync(FILES['BASELINE'] as string, 'utf8')) as Record<string, unknown>;
    const resultPath = fc.oneof(
      fc.constantFrom<string[]>(
        ['command'],
        ['reproduce'],
        ['seed'],
        ['environment'],
        ['environment', 'calibration'],
        ['environment', 'cores'],
        ['scenarios'],
        ['scenarios', '0'],
        ['scenarios', '0', 'providers'],
        ['scenarios', '0', 'providers', 'names'],
        ['scenarios', '0', 'providers', 'llm', 'config'],
        ['scenarios', '0', 'memory'],
        ['scenarios', '0', 'trials'],
        ['scenarios', '0', 'phases', '0'],
        ['scenarios', '0', 'phases', '0', 'executor'],
        ['scenarios', '0', 'phases', '0', 'timing'],
        ['scenarios', '0', 'phases', '0', 'latency'],
        ['scenarios', '0', 'phases', '0', 'latency', 'histogram'],
        ['scenarios', '0', 'phases', '0', 'latency', 'p50'],
        ['scenarios', '0', 'phases', '0', 'intervals'],
        ['scenarios', '0', 'phases', '0', 'health'],
        ['scenarios', '0', 'phases', '0', 'steps'],
        ['scenarios', '0', 'phases', '0', 'extra'],
        ['scenarios', '0', 'phases', '0', 'errorsByKind'],
        ['scenarios', '0', 'phases', '0', 'schedule'],
        ['scenarios', '0', 'targets', '0'],
        ['scenarios', '0', 'targets', '0', 'unit'],
        ['gate'],
        ['gate', 'counts'],
      ),
      fc.array(fc.constantFrom('scenarios', '0', 'phases', 'latency', 'x'), { minLength: 1, maxLength: 5 }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(resultPath, nastyValue), { minLength: 1, maxLength: 3 }), fc.constantFrom<string[]>(['report', 'r.json'], ['report', 'r.json', '--format', 'table'], ['report', 'r.json', '--format', 'json'], ['report', 'r.json', '--format', 'benchmark-action'], ['compare', 'BASELINE', 'r.json'], ['compare', 'r.json', 'BASELINE', '--json']), async (edits, args) => {
        const doc = JSON.parse(JSON.stringify(base)) as Record<string, unknown>;
        for (const [p, v] of edits) setAt(doc, p, v);
        await runCase(args, { 'r.json': JSON.stringify(doc) });
      }),
      runs(150),
    );
  }, TIMEOUT_MS);

  it('report, compare, list and unknown commands', async () => {
    const file = fc.constantFrom('BASELINE', 'OTHER_CPU', 'GARBAGE', 'NOT_RESULT', 'VALID', 'missing.json', 'dir', 'file.txt', '');
    const command = fc.oneof(
      fc.tuple(fc.array(file, { minLength: 0, maxLength: 3 }), fc.constantFrom<string[]>([], ['--format', 'md'], ['--format', 'json'], ['--format', 'table'], ['--format', 'benchmark-action'], ['--format', 'html'], ['--format', 'x']), fc.constantFrom<string[]>([], ['--out', 'o.md'], ['--out', 'dir'], ['--tool', 'customBiggerIsBetter'], ['--tool', 'x'])).map(
        ([files, format, more]) => ['report', ...files, ...format, ...more],
      ),
      fc.tuple(fc.array(file, { minLength: 0, maxLength: 3 }), fc.array(fc.constantFrom<string[]>(['--json'], ['--force'], ['--noise', '3%'], ['--noise', 'x'], ['--max-regression', '1%'], ['--max-regression', '-5%']), { maxLength: 3 })).map(
        ([files, flags]) => ['compare', ...files, ...flags.flat()],
      ),
      fc.constantFrom<string[]>(['list'], ['list', '--json'], ['list', 'extra'], ['bogus'], [], ['--bogus'], ['run'], ['help'], ['help', 'run'], ['mock-llm', '--port', 'x'], ['mock-llm', '--error-rate', '2']),
    );
    await fc.assert(
      fc.asyncProperty(command, async (args) => {
        await runCase(args);
      }),
      runs(100),
    );
  }, TIMEOUT_MS);
});
