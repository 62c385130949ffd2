// The modules `npm run mutation` mutates: those where a wrong figure would mislead a user.
// Each names its source files and the only test files Stryker runs against them, so a module
// takes minutes on a shared 2-core machine instead of re-running the whole suite per mutant.
// End-to-end tests that spawn the binary are left out on purpose: they run dist/, which
// Stryker does not mutate, so they could never kill a mutant.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/**
 * "file:start-end" from the line holding `from` to the line holding `to` (inclusive; the end of
 * the file when `to` is omitted). Found by text, not by fixed numbers, so an edit elsewhere
 * in the file does not silently move the mutated range onto help text.
 */
export function lines(file, from, to) {
  const text = readFileSync(ROOT + file, 'utf8').split('\n');
  const start = text.findIndex((l) => l.includes(from));
  if (start < 0) throw new Error(`mutation/modules.mjs: "${from}" not found in ${file}`);
  const endAt = to === undefined ? text.length - 1 : text.findIndex((l, i) => i > start && l.includes(to));
  if (endAt < 0) throw new Error(`mutation/modules.mjs: "${to}" not found in ${file} after "${from}"`);
  return `${file}:${start + 1}-${endAt + 1}`;
}

export const MODULES = {
  targets: {
    what: 'targets and the gate',
    mutate: ['src/targets/evaluate.ts', 'src/targets/parse.ts'],
    // slo.test.ts holds the capacity and goodput targets (parsed and measured).
    tests: ['test/targets/evaluate.test.ts', 'test/targets/parse.test.ts', 'test/targets/slo.test.ts'],
  },
  // Compare and its statistics are two modules: the statistics hold their own against
  // reference values (fast), so each of compare's slower bootstrap tests runs only for
  // mutants of compare.ts itself.
  // Capacity against the baseline's is part of compare: its regression fails the comparison
  // (exit 1) as a latency regression does. The renderer (compare/render.ts) is not: it only
  // words what compare decided, and its golden tests hold the words.
  compare: {
    what: 'compare: verdicts, regressions, matching, workload notes, capacity',
    mutate: ['src/compare/compare.ts', 'src/compare/capacity.ts'],
    tests: ['test/compare/compare-rules.test.ts', 'test/compare/compare.test.ts', 'test/compare/capacity.test.ts'],
  },
  stats: {
    what: "compare's statistics",
    mutate: ['src/compare/stats.ts', 'src/util/gamma.ts'],
    tests: ['test/compare/stats.test.ts', 'test/util/gamma.test.ts'],
  },
  histogram: {
    what: 'histogram and merge',
    mutate: ['src/metrics/histogram.ts'],
    tests: ['test/metrics/histogram.test.ts', 'test/compare/trials.test.ts'],
  },
  'exit-codes': {
    what: 'the exit-code mapping',
    mutate: () => [
      'src/errors.ts',
      // main(): how every way a command ends becomes an exit code (not the help texts above it).
      lines('src/cli/main.ts', 'export async function main('),
      // runCommand's last decision: interrupted, failed, missed, passed.
      lines('src/cli/run.ts', 'if (interrupted) return ExitCode.INTERRUPTED', 'return ExitCode.OK;'),
    ],
    tests: ['test/cli/exit-codes.test.ts'],
  },
  // Their tests run on a virtual clock (ctx.clock, the phase's instruments): no real-time
  // wait, so a mutant costs a second or two and a slower machine changes no figure.
  executors: {
    what: 'executors and phase',
    mutate: ['src/runner/executors.ts', 'src/runner/phase.ts'],
    tests: ['test/runner/executors.test.ts', 'test/runner/phase.test.ts', 'test/runner/virtual-time.test.ts'],
  },
  // Scale-out: a wrong split double-counts or loses load; a wrong merge misreports every shard's figures.
  'split-merge': {
    what: 'split, merge and shards',
    mutate: ['src/runner/split.ts', 'src/results/merge.ts', 'src/results/shard.ts'],
    tests: ['test/runner/split.test.ts', 'test/results/merge.test.ts', 'test/results/merge-fields.test.ts', 'test/results/shard.test.ts'],
  },
  // The search and the judging of steps (pure: steps come from a function the tests supply).
  capacity: {
    what: 'capacity search and step verdicts',
    mutate: ['src/runner/capacity.ts'],
    tests: ['test/runner/capacity.test.ts', 'test/runner/capacity-search.test.ts'],
  },
};

/**
 * The module named by $MUTATION_MODULE, or every module merged (a plain `npx stryker run`).
 * `mutate()` reads the sources, so only the Stryker config calls it: the vitest config runs
 * again inside Stryker's sandbox, where the sources are instrumented.
 */
export function selected() {
  const name = process.env.MUTATION_MODULE;
  const list = name ? [[name, MODULES[name]]] : Object.entries(MODULES);
  if (name && !MODULES[name]) throw new Error(`MUTATION_MODULE="${name}": choose from ${Object.keys(MODULES).join(', ')}`);
  const tests = [...new Set(list.flatMap(([, m]) => m.tests))];
  const mutate = () => list.flatMap(([, m]) => (typeof m.mutate === 'function' ? m.mutate() : m.mutate));
  return { name: name ?? 'all', mutate, tests };
}
