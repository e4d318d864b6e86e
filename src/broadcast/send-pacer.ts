import { sleep } from "../time/abortable-sleep.js";

/** Options of {@link SendPacer}. */
export interface SendPacerOptions {
  /** The limit, read at every acquisition so a config reload applies at once. */
  messagesPerSecond: () => number;
  /**
   * Safety added to every one-second window, in milliseconds: covers the
   * rounding of the server's clock. Default 2.
   */
  windowMarginMilliseconds?: number;
  /** Monotonic time in milliseconds. Default `performance.now()`. */
  now?: () => number;
}

/** A granted start; pass it to {@link SendPacer.complete} when the answer came (or the request failed). */
export interface SendTicket {
  readonly startedAt: number;
  answeredAt: number | null;
}

const WINDOW_MILLISECONDS = 1000;
/** How often an acquisition looks again while the request it must follow is still unanswered, in milliseconds. */
const IN_FLIGHT_POLL_MILLISECONDS = 5;
/** Longest an unanswered request holds back the request a window after it, in milliseconds. */
const MAX_UNANSWERED_WAIT_MILLISECONDS = 5000;

/**
 * Paces the requests of a broadcast: at most `messagesPerSecond` in any
 * one-second window (over all recipients: Telegram's bulk limit applies to the
 * bot), spread evenly rather than in bursts; a flood wait (429) pauses every
 * sender until `retry_after` has passed.
 *
 * The window is measured so that it holds as the server counts, whatever the
 * network or scheduling jitter: request k may start only one window after the
 * ANSWER to request k − limit. The server received that one before it
 * answered, and receives request k after we send it, so the two arrivals are
 * at least a window apart. The price is one round trip per window.
 *
 * Acquisitions are served one at a time in call order.
 */
export class SendPacer {
  private readonly tickets: SendTicket[] = [];
  private plannedAt = -Infinity;
  private pausedUntil = -Infinity;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly now: () => number;

  constructor(private readonly options: SendPacerOptions) {
    this.now = options.now ?? (() => performance.now());
  }

  /**
   * Resolves with a ticket when the caller may start one request, or with
   * null (at once) when `signal` aborts. Always {@link complete} the ticket.
   */
  acquire(signal?: AbortSignal): Promise<SendTicket | null> {
    const turn = this.chain.then(() => this.waitForSlot(signal));
    this.chain = turn.catch(() => undefined);
    return turn;
  }

  /** The request of `ticket` was answered (or failed): the window it opens starts now. */
  complete(ticket: SendTicket): void {
    ticket.answeredAt ??= this.now();
  }

  /**
   * Counts a message the bot sent outside the broadcast (the admin's reply,
   * the report) against the same limit: Telegram counts every message.
   */
  note(): void {
    const now = this.now();
    this.tickets.push({ startedAt: now, answeredAt: now });
    this.plannedAt = Math.max(this.plannedAt, now);
  }

  /** A 429 said: no requests for `seconds`. Every later acquisition waits until then. */
  pause(seconds: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + seconds * 1000);
  }

  /** Milliseconds until the flood wait ends, 0 when not paused. */
  pausedForMilliseconds(): number {
    return Math.max(0, this.pausedUntil - this.now());
  }

  private async waitForSlot(signal: AbortSignal | undefined): Promise<SendTicket | null> {
    for (;;) {
      if (signal?.aborted) return null;
      const perSecond = Math.max(0.001, this.options.messagesPerSecond());
      const limit = Math.max(1, Math.floor(perSecond));
      const intervalMilliseconds = WINDOW_MILLISECONDS / perSecond;
      const bound = this.tickets.length >= limit ? this.tickets[this.tickets.length - limit] : undefined;
      if (bound !== undefined && bound.answeredAt === null && this.now() < bound.startedAt + MAX_UNANSWERED_WAIT_MILLISECONDS) {
        await sleep(IN_FLIGHT_POLL_MILLISECONDS, signal);
        continue;
      }
      // A request that hangs holds the others back for a while, not until its timeout.
      const boundAt = bound === undefined ? -Infinity : (bound.answeredAt ?? bound.startedAt + MAX_UNANSWERED_WAIT_MILLISECONDS);
      const windowOpensAt = boundAt + WINDOW_MILLISECONDS + (this.options.windowMarginMilliseconds ?? 2);
      const slot = Math.max(this.plannedAt + intervalMilliseconds, windowOpensAt, this.pausedUntil);
      const wait = slot - this.now();
      if (wait > 0) {
        // Re-check after waking: a 429 may have extended the pause meanwhile.
        await sleep(Math.ceil(wait), signal);
        continue;
      }
      const started = this.now();
      // Planned times advance evenly, so a late timer does not push later slots
      // back; after an idle spell at most one request catches up at once.
      this.plannedAt = Math.max(slot, started - intervalMilliseconds);
      const ticket: SendTicket = { startedAt: started, answeredAt: null };
      this.tickets.push(ticket);
      if (this.tickets.length > 4 * limit + 64) this.tickets.splice(0, this.tickets.length - limit);
      return ticket;
    }
  }
}
