/**
 * Polls `probe` until it returns something other than undefined, and returns that. Generous by
 * default: CI is a loaded 2-core machine, and this waits on a condition, never a fixed time.
 * `problem` says what never happened, with what was last seen.
 */
export async function eventually<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  problem: () => string,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) {
      return found;
    }
    if (Date.now() > deadline) {
      throw new Error(`${problem()} (waited ${timeoutMs / 1000}s)`);
    }
    await new Promise((wait) => setTimeout(wait, 150));
  }
}
