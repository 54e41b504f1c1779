import { AdminEnvError, env } from './env';

/** Validates the environment at server start; exits with the reasons when it is unusable. */
export function checkEnvAtStart(): void {
  try {
    env();
  } catch (error) {
    if (!(error instanceof AdminEnvError)) throw error;
    console.error(
      `\n${error.message}\n\nSee apps/admin/README.md for the variables the admin reads.\n`,
    );
    process.exit(1);
  }
}
