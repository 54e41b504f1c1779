/**
 * Runs once when the server starts, before it takes requests: an invalid environment (in
 * production: no credentials) stops the process with a readable message instead of serving.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { checkEnvAtStart } = await import('./lib/check-env-at-start');
    checkEnvAtStart();
  }
}
