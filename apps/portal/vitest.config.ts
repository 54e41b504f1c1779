import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e.test.ts'],
          // One production server, one redis-server and the demo's workers for the run.
          globalSetup: ['test/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 90_000,
          hookTimeout: 400_000,
        },
      },
    ],
  },
});
