/**
 * Work started in the background (a message sent after a commit, say) that
 * shutdown must wait for. A handler tracks it instead of awaiting it, so the
 * chat's next updates need not wait for an HTTP round trip.
 */
export class InFlight {
  private readonly running = new Set<Promise<void>>();

  /** Tracks `work`; its rejection goes to `onError` (it must not throw). */
  track(work: Promise<unknown>, onError: (error: unknown) => void): void {
    const tracked: Promise<void> = work
      .then(() => undefined, onError)
      .finally(() => this.running.delete(tracked));
    this.running.add(tracked);
  }

  /** Pieces of work not finished. */
  get size(): number {
    return this.running.size;
  }

  /** Resolves when all work tracked so far, and any tracked meanwhile, is done. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}
