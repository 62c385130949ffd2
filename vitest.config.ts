import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // End-to-end tests spawn the built binary; give them room on a shared 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, 'test/browser/**'] },
      },
      {
        // Reports opened in a real Chromium. The setup installs Debian's chromium when it is
        // missing (as root, as in CI); see test/browser/global-setup.ts.
        extends: true,
        test: { name: 'browser', include: ['test/browser/**/*.test.ts'], globalSetup: ['test/browser/global-setup.ts'] },
      },
    ],
  },
});
