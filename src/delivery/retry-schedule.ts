/** Share of a scheduled delay by which a retry is moved earlier or later at random. */
export const retryJitterRatio = 0.2;

/**
 * Returns when the next try of an event is due after `failedTries` consecutive failed tries,
 * or null when the schedule is used up and the event is dead. `scheduleSeconds[0]` is the delay
 * after the first failure. Each delay is varied by up to ±20%, so that receivers that failed
 * together are not retried together; `random` returns a number in [0, 1).
 */
export function nextAttemptAt(
  failedTries: number,
  scheduleSeconds: readonly number[],
  now: number,
  random: () => number = Math.random,
): number | null {
  const delaySeconds = scheduleSeconds[failedTries - 1];
  if (delaySeconds === undefined) return null;

  const factor = 1 + (random() * 2 - 1) * retryJitterRatio;
  return now + Math.round(delaySeconds * 1000 * factor);
}

/**
 * Counts the failed tries since the last successful one. A redelivered event that had been
 * delivered starts the schedule afresh; a redelivered dead event has no retries left, so it
 * gets the one try that redelivery asked for.
 */
export function countTrailingFailures(attempts: readonly { error: string | null }[]): number {
  let count = 0;
  for (let index = attempts.length - 1; index >= 0; index -= 1) {
    if (attempts[index]?.error === null) break;
    count += 1;
  }
  return count;
}
