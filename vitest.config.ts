import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Tests spawn servers and child processes; two workers match the 2-core CI machine.
    pool: 'forks',
    maxWorkers: 2,
  },
});
