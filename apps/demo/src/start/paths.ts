import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root folder. */
export const REPO_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../../..');
export const ADMIN_DIR = join(REPO_DIR, 'apps/admin');
export const PORTAL_DIR = join(REPO_DIR, 'apps/portal');
