/**
 * Helpers for tests of queues and schedulers: promises the test settles by
 * hand, a way to let pending callbacks run, and a look at a promise's state.
 *
 * @module
 */

/** Lets every pending promise callback and I/O callback run. */
export const flush = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

/** A promise with its resolve and reject, for the test to settle. */
export interface Deferred {
  promise: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

/** Creates a {@link Deferred}. */
export function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Tracks whether a promise has settled, without awaiting it. */
export function track<T>(promise: Promise<T>): { settled: boolean; value: T | undefined } {
  const state: { settled: boolean; value: T | undefined } = { settled: false, value: undefined };
  void promise.then((value) => {
    state.settled = true;
    state.value = value;
  });
  return state;
}
