import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // End-to-end tests spawn the built binary; give them room on a shared 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, 'test/browser/**'], sequence: { groupOrder: 0 } },
      },
      {
        // Reports opened in a real Chromium. The setup installs Debian's chromium when it is
        // missing (as root, as in CI); see test/browser/global-setup.ts.
        extends: true,
        // They run after the unit group (groupOrder), so Chromium never competes for the CPU
        // with the timing-sensitive end-to-end tests.
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          globalSetup: ['test/browser/global-setup.ts'],
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
