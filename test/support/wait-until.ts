/**
 * Polls `condition` every `intervalMilliseconds` until it returns a truthy
 * value (resolved with it) or `timeoutMilliseconds` pass (rejects with `what`).
 */
export async function waitUntil<T>(
  condition: () => T | Promise<T>,
  what: string,
  timeoutMilliseconds = 5000,
  intervalMilliseconds = 20,
): Promise<T> {
  const deadline = Date.now() + timeoutMilliseconds;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMilliseconds} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMilliseconds));
  }
}
