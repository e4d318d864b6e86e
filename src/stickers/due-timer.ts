/** Longest single setTimeout: Node clamps larger delays to 1 ms. We also wake at least hourly to absorb clock jumps. */
const MAX_DELAY_MILLISECONDS = 3_600_000;

/**
 * One timer for "the next thing due" (the next sticker deletion, the next
 * pass expiry) instead of polling every second. `arm(at)` moves the timer
 * earlier when `at` is sooner than the armed time; when it fires, `run` is
 * called (never twice at once) and is expected to process what is due and
 * call `arm` with the next due time.
 */
export class DueTimer {
  private timer: NodeJS.Timeout | null = null;
  private armedAt: number | null = null;
  private running: Promise<void> | null = null;
  private rerun = false;
  private stopped = false;

  /**
   * @param run processes what is due; its errors are passed to `onError`.
   * @param now the clock (ms since the epoch).
   */
  constructor(
    private readonly run: () => Promise<void>,
    private readonly now: () => number,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Makes sure the timer fires no later than `at` (ms). `null` does nothing. */
  arm(at: number | null): void {
    if (at === null || this.stopped) return;
    if (this.armedAt !== null && this.armedAt <= at) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.armedAt = at;
    const delay = Math.min(Math.max(0, at - this.now()), MAX_DELAY_MILLISECONDS);
    this.timer = setTimeout(() => this.fire(), delay);
  }

  /** Runs now (after a run in progress), e.g. at startup. Resolves when that run finished. */
  async runNow(): Promise<void> {
    if (this.stopped) return;
    if (this.running !== null) {
      this.rerun = true;
      await this.running;
      return;
    }
    this.fire();
    await this.running;
  }

  /** The time the timer is armed for, or null. */
  nextAt(): number | null {
    return this.armedAt;
  }

  /** Cancels the timer and waits for a run in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.armedAt = null;
    await this.running;
  }

  private fire(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.armedAt = null;
    if (this.stopped) return;
    if (this.running !== null) {
      this.rerun = true;
      return;
    }
    this.running = (async () => {
      do {
        this.rerun = false;
        try {
          await this.run();
        } catch (error) {
          this.onError(error);
        }
      } while (this.rerun && !this.stopped);
    })().finally(() => {
      this.running = null;
    });
  }
}
