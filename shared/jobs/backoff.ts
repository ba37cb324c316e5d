/** Exponential backoff with full jitter, for the delay before a failed job's next attempt. */
export interface BackoffOptions {
  /** Delay ceiling of the first retry, in ms. */
  baseMs: number;
  /** Largest delay, in ms. */
  maxMs: number;
  /** Source of randomness in [0, 1); injectable for tests. */
  random?: () => number;
}

/**
 * Delay in ms before attempt `attempt + 1`, after `attempt` failed attempts (1-based). "Full jitter" (a uniform
 * draw below the exponential ceiling) spreads retries of jobs that failed together, e.g. when a dependency was down.
 * Never below a quarter of the ceiling, so a retry never lands immediately.
 */
export function backoffDelayMs(attempt: number, options: BackoffOptions): number {
  const random = options.random ?? Math.random;
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 4 + random() * ceiling * 3 / 4);
}
