import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e.test.ts', 'test/*.e2e.test.ts'],
          // One production server and one redis-server for the run, shared by the e2e files.
          globalSetup: ['test/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 400_000,
        },
      },
    ],
  },
});
