import type { Logger } from "../logging/logger.js";
import type { Clock } from "../time/clock.js";
import { DueTimer } from "./due-timer.js";
import type { StickerManager } from "./sticker-manager.js";

/** Pause before retrying after the database failed, in ms. */
const RETRY_AFTER_ERROR_MILLISECONDS = 1_000;

/**
 * Revokes passes at their expiry time, not at the next 5-minute cleanup: one
 * timer is armed for the earliest pending expiry; when it fires, every pass
 * ended by then is processed and the timer is re-armed. A grant re-arms it
 * (the new pass may end sooner). At start, passes that expired while the
 * daemon was down are processed at once. The cleanup sweep stays as the
 * safety net.
 */
export class ExpiryScheduler {
  private readonly timer: DueTimer;
  private revokedSinceTaken = 0;

  constructor(
    private readonly manager: StickerManager,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    this.timer = new DueTimer(
      () => this.runAndRearm(),
      () => clock.now(),
      (error) => logger.error("pass expiry run failed", { component: "stickers", error: String(error) }),
    );
  }

  /** Processes what expired while the daemon was down and arms the timer. */
  async start(): Promise<void> {
    await this.timer.runNow();
  }

  /** Cancels the timer and waits for a run in progress. */
  async stop(): Promise<void> {
    await this.timer.stop();
  }

  /** A pass now ends at `expiresAt` (ms): make sure the timer fires by then. */
  expiresAt(expiresAt: number): void {
    this.timer.arm(expiresAt);
  }

  /** When the timer fires next (ms), or null. */
  nextAt(): number | null {
    return this.timer.nextAt();
  }

  /** Passes the timer revoked since the previous call (the cleanup reports them with its own). */
  takeRevokedCount(): number {
    const count = this.revokedSinceTaken;
    this.revokedSinceTaken = 0;
    return count;
  }

  private async runAndRearm(): Promise<void> {
    let next: number | null;
    try {
      this.revokedSinceTaken += await this.manager.cleanupExpiredPasses(this.clock.now());
      next = await this.manager.nextExpiryAt();
    } catch (error) {
      this.logger.error("could not process pass expiries; retrying", { component: "stickers", error: String(error) });
      next = this.clock.now() + RETRY_AFTER_ERROR_MILLISECONDS;
    }
    this.timer.arm(next);
  }
}
