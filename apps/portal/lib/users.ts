import { USERS } from '@progressrus/demo/job-plan';

/** The demo's users, 1–7: the ones its workload gives jobs to. */
export const DEMO_USERS: readonly number[] = USERS;

/** The progress scope of a user's jobs, as the demo's workers write it. */
export function userScope(userId: number): ['user', number] {
  return ['user', userId];
}

/** `'3'` → 3; anything that is not one of the demo's users → null. */
export function parseUserId(value: unknown): number | null {
  if (typeof value !== 'string' || !/^[1-9]\d{0,8}$/.test(value)) return null;
  const id = Number(value);
  return DEMO_USERS.includes(id) ? id : null;
}
