import { expected } from './errors.js';

/**
 * The checks every options resolver runs (Progresser, stores, HTTP handler, BullMQ, ui), so that
 * one kind of value is checked one way and every message has one format:
 * "Expected `intervalMs` to be a finite number ≥ 0, got `-1`". Each returns the value it checked.
 */

/** setTimeout fires at once for longer delays (with a warning), so longer timers are refused. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** An object (not null); options and nested option groups. */
export function checkObject<T>(name: string, value: T): T {
  if (value === null || typeof value !== 'object') throw expected(name, 'an object', value);
  return value;
}

/** A finite number ≥ 0, and at most `max` when given (a timer's delay: `MAX_TIMER_MS`). */
export function checkNonNegative(
  name: string,
  value: unknown,
  max: number = Number.POSITIVE_INFINITY,
): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw expected(name, 'a finite number ≥ 0', value);
  }
  if (value > max) throw expected(name, `a number ≤ ${max}`, value);
  return value;
}

/** A finite number > 0. */
export function checkPositive(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw expected(name, 'a finite number > 0', value);
  }
  return value;
}

/** A whole number ≥ `min` (≥ 1 for counts and limits). */
export function checkInteger(name: string, value: unknown, min = 1): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw expected(name, `an integer ≥ ${min}`, value);
  }
  return value;
}

/** A number from `min` to `max`, both included. */
export function checkRange(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !(value >= min && value <= max)) {
    throw expected(name, `a number from ${min} to ${max}`, value);
  }
  return value;
}

/** A string of at least one character. */
export function checkNonEmptyString(name: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw expected(name, 'a non-empty string', value);
  }
  return value;
}

/** `true` or `false`. */
export function checkBoolean(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw expected(name, 'a boolean', value);
  return value;
}

/** A function, or null/undefined for an option left out. */
export function checkOptionalFunction<T>(name: string, value: T): T {
  if (value !== null && value !== undefined && typeof value !== 'function') {
    throw expected(name, 'a function', value);
  }
  return value;
}

/** Anything else: `valid` decides, `what` says what was expected. */
export function check<T>(name: string, what: string, value: T, valid: (value: T) => boolean): T {
  if (!valid(value)) throw expected(name, what, value);
  return value;
}
