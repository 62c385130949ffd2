import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Tests whose verdict depends on the machine keeping up in real time: a capacity search that
 * must not be generator-bound, a trace replayed to the millisecond, worker threads that must
 * each get a core. They run after the unit group, one file at a time, so the rest of the suite
 * never competes with them for the two cores.
 */
const TIMING = [
  'test/cli/capacity.test.ts',
  'test/e2e/capacity-http.test.ts',
  'test/runner/trace-replay.test.ts',
  'test/accuracy/**/*.test.ts',
  'test/e2e/workers.test.ts',
  'test/cli/workers.test.ts',
];

export default defineConfig({
  test: {
    // End-to-end tests spawn the built binary; give them room on a shared 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, 'test/browser/**', ...TIMING], sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: 'timing', include: TIMING, fileParallelism: false, sequence: { groupOrder: 1 } },
      },
      {
        // Reports opened in a real Chromium. The setup installs Debian's chromium when it is
        // missing (as root, as in CI); see test/browser/global-setup.ts.
        extends: true,
        // They run after the other groups (groupOrder), so Chromium never competes for the CPU
        // with the timing-sensitive tests.
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          globalSetup: ['test/browser/global-setup.ts'],
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
