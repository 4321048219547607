/** SQS refuses a `DelaySeconds` above 15 minutes; longer waits are chained through `notBeforeEpochMs`. */
export const MAX_DELAY_SECONDS = 900;

export interface BackoffOptions {
  baseSeconds: number;
  capSeconds: number;
}

/**
 * Full-jitter exponential backoff: a uniform random wait in [0, min(cap, base * 2^attempt)),
 * in seconds. `random` returns values in [0, 1) and is injected so tests are deterministic.
 */
export function fullJitterBackoffSeconds(attempt: number, options: BackoffOptions, random: () => number): number {
  const exponent = Math.min(Math.max(attempt, 0), 30);
  const ceilingSeconds = Math.min(options.capSeconds, options.baseSeconds * 2 ** exponent);
  return random() * ceilingSeconds;
}

/**
 * Clamps any wait to a valid SQS `DelaySeconds`: an integer in 0..900. A longer wait keeps its
 * full length in the message's `notBeforeEpochMs`, and the worker re-sends the message on
 * receipt until that time has come.
 */
export function toDelaySeconds(waitSeconds: number): number {
  if (!Number.isFinite(waitSeconds) || waitSeconds <= 0) return 0;
  return Math.min(MAX_DELAY_SECONDS, Math.ceil(waitSeconds));
}
