import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One app is installed and compiled for all tests (globalSetup would hide its output from a
    // failing test), so the files run one after another.
    fileParallelism: false,
    // Bounds a hung npm or tsc on a loaded CI machine; about a minute on a quiet 2-core machine.
    testTimeout: 180_000,
    hookTimeout: 300_000,
  },
});
