// StrykerJS (9.x: the last major that runs on Node 20) with its vitest runner.
// `npm run mutation` runs it once per module of mutation/modules.mjs and prints a score per
// module; `MUTATION_MODULE=targets npx stryker run` runs one module, `npx stryker run` all at once.
import { selected } from './mutation/modules.mjs';

const module = selected();

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: 'mutation/vitest.config.ts', related: true },
  // Each mutant runs only the tests that reached it in the dry run.
  coverageAnalysis: 'perTest',
  mutate: module.mutate(),
  // What the sandbox needs: sources, tests, fixtures, scenarios, configs.
  ignorePatterns: ['dist', 'reports', 'docs', 'bench', 'coverage', '.stryker-tmp', '*.tsbuildinfo'],
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: `reports/mutation/${module.name}.html` },
  jsonReporter: { fileName: `reports/mutation/${module.name}.json` },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true, reportMutants: true },
  // The machine is shared (2 cores, several users): one test process, so a mutant's timing
  // tests are not slowed into false timeouts by a sibling Stryker worker.
  concurrency: 1,
  // A mutant's run may take its tests' baseline time x timeoutFactor + this before it counts
  // as timed out (detected: it hung them). The tests of these modules wait on no real clock,
  // so 5 s is ample; every mutant that loops forever costs this much.
  timeoutMS: 5_000,
  timeoutFactor: 2,
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  thresholds: { high: 90, low: 80, break: null },
};
