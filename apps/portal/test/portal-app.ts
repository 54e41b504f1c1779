import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NextApp } from '../../admin/test/next-server';

/** apps/portal, for the admin's `next start` helpers. */
export const PORTAL_APP: NextApp = {
  dir: join(dirname(fileURLToPath(import.meta.url)), '..'),
  workspace: '@progressrus/portal',
};
