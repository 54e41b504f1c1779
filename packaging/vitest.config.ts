import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One app is installed and compiled for all tests (globalSetup would hide its output from a
    // failing test), so the files run one after another.
    fileParallelism: false,
    // Bounds a hung npm or tsc on a loaded CI machine; the whole run takes well under a minute.
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
