import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts', 'test/postgres-setup.ts'],
    include: ['test/**/*.test.ts'],
    // Generous: the files run in parallel on small CI machines (PGlite alone takes seconds to boot);
    // these bound a hung test, they never measure speed.
    testTimeout: 60_000,
    hookTimeout: 30_000,
  },
});
