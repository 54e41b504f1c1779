import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NextApp } from '../../admin/test/next-server';

/** apps/portal, and what its production build reads, for the admin's `next start` helpers. */
export const PORTAL_APP: NextApp = {
  dir: join(dirname(fileURLToPath(import.meta.url)), '..'),
  sources: [
    'app',
    'components',
    'lib',
    'instrumentation.ts',
    'next.config.ts',
    'package.json',
    '../../plugin/dist',
    '../../ui/dist',
    '../demo/src/workload',
  ],
};
