import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['test/setup-env.ts'],
    pool: 'forks',
    // Two files at a time on this 2-core machine (vitest's default would be one): most tests
    // wait on processes, workflows and sockets rather than the CPU, and the whole run drops
    // from about 17 to about 11 minutes. Files share the one embedded stack of the global setup,
    // so each test makes its own tenant, project and keys and never counts what others made.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 90_000,
  },
});
