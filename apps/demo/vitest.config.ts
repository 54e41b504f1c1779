import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts'],
    include: ['test/**/*.test.ts'],
    // The start test may run a Next.js build; the workload test waits for slow demo jobs.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // Both heavy tests use real processes and wall-clock waits: one file at a time.
    fileParallelism: false,
  },
});
