import { existsSync } from 'node:fs';
import { ProgressrusError } from '../core/errors.js';

/**
 * Chromium's flags for tests: headless, and nothing that reaches the network on its own
 * (updates, sync, first-run pages), so a run behaves the same offline and in CI.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Where Debian's `chromium` package puts the browser. */
const DEFAULT_CHROMIUM = '/usr/bin/chromium';

export class ChromiumNotFoundError extends ProgressrusError {
  override readonly name = 'ChromiumNotFoundError';
  constructor(path: string) {
    super(
      [
        `No Chromium at ${path}. Browser tests use the system's Chromium, never a downloaded one:`,
        '  Debian/Ubuntu: sudo apt-get install chromium',
        '  elsewhere:     set CHROMIUM_PATH to a Chromium or Chrome binary',
      ].join('\n'),
    );
  }
}

/**
 * Options for playwright-core's `chromium.launch()`: the system Chromium (`CHROMIUM_PATH`, or
 * /usr/bin/chromium) with CHROMIUM_ARGS. Throws ChromiumNotFoundError, saying how to install
 * it, when the binary is missing, instead of playwright's hint to download a browser.
 */
export function chromiumLaunchOptions(): { executablePath: string; args: string[] } {
  const executablePath = process.env.CHROMIUM_PATH ?? DEFAULT_CHROMIUM;
  if (!existsSync(executablePath)) throw new ChromiumNotFoundError(executablePath);
  return { executablePath, args: [...CHROMIUM_ARGS] };
}
