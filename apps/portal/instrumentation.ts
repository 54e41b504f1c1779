/**
 * Runs once when the server starts, before it takes requests: an invalid environment (in
 * production: no PORTAL_SECRET) stops the process with a readable message instead of serving.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { PortalEnvError, env } = await import('./lib/env');
    try {
      env();
    } catch (error) {
      if (!(error instanceof PortalEnvError)) throw error;
      console.error(
        `\n${error.message}\n\nSee apps/portal/README.md for the variables it reads.\n`,
      );
      process.exit(1);
    }
  }
}
