import type { Database } from "../database/open-database.js";
import type { Logger } from "../logging/logger.js";
import type { Clock } from "../time/clock.js";
import { MAX_DELETABLE_AGE_MILLISECONDS } from "./deletion-scheduler.js";

/** A pass row's period as stored (ms since the epoch): active while `startsAt <= t < expiresAt`. */
interface PassPeriod {
  startsAt: number;
  expiresAt: number;
}

/** Options of {@link ActivePassView}. */
export interface ActivePassViewOptions {
  db: Database;
  clock: Clock;
  logger: Logger;
  /**
   * How far back (ms) answers come from memory: ended passes stay in memory
   * this long, so "was the pass active when the deletion fell due" is
   * answered without a query. Default 48 h, the age after which a sticker
   * deletion is skipped without asking. Older times are read from the database.
   */
  retainMilliseconds?: number;
}

/** Ended passes are dropped from memory at most this often (ms): the walk is over every entry. */
const PRUNE_INTERVAL_MILLISECONDS = 600_000;

/**
 * An exact in-memory copy of the `sticker_passes` periods, so that "does this
 * user have a pass now" — asked for every sticker and every deletion — costs
 * no query on the one database connection.
 *
 * Exact because every write to `sticker_passes` goes through
 * {@link StickerManager}, which brackets it with {@link beginChange} and
 * {@link endChange}: while a change is in flight (from before its statement is
 * issued until it committed or rolled back and the row was read back), that
 * user's questions go to the database, which answers in commit order on the
 * single connection. So a pass is visible from the moment its transaction
 * committed, including a grant inside someone else's transaction (the shop's
 * purchase), and a revoke from the moment its statement ran.
 *
 * Holds every row with `expires_at` after `now - retainMilliseconds` (active
 * passes and those ended within the window). A question about an earlier
 * time, a question before the initial load succeeded, or about a user whose
 * read-back failed, is answered from the database as before.
 *
 * Assumes the daemon is the only writer of `sticker_passes` while it runs (the
 * CLI goes through its control socket; seeding a database happens before start).
 */
export class ActivePassView {
  private readonly periods = new Map<number, PassPeriod>();
  private readonly retainMilliseconds: number;
  private readonly logger: Logger;
  private ready = false;
  private loading: Promise<void> | null = null;
  /** Every row with `expires_at > exactFrom` is in {@link periods}. */
  private exactFrom = Number.POSITIVE_INFINITY;
  private lastPrunedAt = Number.NEGATIVE_INFINITY;
  /** Users with changes in flight, and how many. */
  private readonly changing = new Map<number, number>();
  /** Users whose read-back failed: asked from the database (and re-read) until one succeeds. */
  private readonly unknown = new Set<number>();
  /** While the initial load runs: users changed or read meanwhile, whose own read-back is newer than the load. */
  private touchedWhileLoading: Set<number> | null = null;
  /** The sequence number of the latest read-back issued per user: an older one arriving late is dropped. */
  private readonly latestRead = new Map<number, number>();
  private readSequence = 0;

  constructor(private readonly options: ActivePassViewOptions) {
    this.retainMilliseconds = options.retainMilliseconds ?? MAX_DELETABLE_AGE_MILLISECONDS;
    this.logger = options.logger.child({ component: "sticker-pass-view" });
  }

  /** Whether the initial load has completed (until then every question goes to the database). */
  isLoaded(): boolean {
    return this.ready;
  }

  /** How many pass periods are held in memory. */
  size(): number {
    return this.periods.size;
  }

  /**
   * Reads the passes that are active or ended within the retention window
   * (one query). Idempotent; after a failure the next call tries again.
   */
  load(): Promise<void> {
    if (this.ready) return Promise.resolve();
    this.loading ??= this.loadNow().finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  /**
   * Whether `userId` has a pass active at `at` (ms): `starts_at <= at < expires_at`,
   * the same predicate as the database query it replaces.
   */
  async isActive(userId: number, at: number): Promise<boolean> {
    if (!this.ready) {
      await this.load().catch((error: unknown) => {
        this.logger.warn("could not load the active passes; asking the database", { error: String(error) });
      });
    }
    if (this.unknown.has(userId) && !this.changing.has(userId)) await this.readBack(userId);
    // Everything below is synchronous: no change can slip in between the checks and the answer.
    if (!this.ready || at < this.exactFrom || this.changing.has(userId) || this.unknown.has(userId)) {
      return this.queryIsActive(userId, at);
    }
    const period = this.periods.get(userId);
    return period !== undefined && period.startsAt <= at && at < period.expiresAt;
  }

  /** A write to `userId`'s pass row is about to be issued: until {@link endChange}, ask the database. */
  beginChange(userId: number): void {
    this.changing.set(userId, (this.changing.get(userId) ?? 0) + 1);
    this.touchedWhileLoading?.add(userId);
  }

  /**
   * The write begun with {@link beginChange} committed or rolled back: reads
   * the row back (one query) and answers from memory again. Never throws; if
   * the read fails, the user stays on the database until a read succeeds.
   */
  async endChange(userId: number): Promise<void> {
    try {
      await this.readBack(userId);
    } finally {
      const count = (this.changing.get(userId) ?? 1) - 1;
      if (count <= 0) this.changing.delete(userId);
      else this.changing.set(userId, count);
    }
  }

  /**
   * Drops passes that ended before the retention window (at most every 10
   * minutes: the walk visits every entry). Questions about earlier times go
   * to the database.
   */
  prune(now: number): void {
    if (!this.ready || now - this.lastPrunedAt < PRUNE_INTERVAL_MILLISECONDS) return;
    this.lastPrunedAt = now;
    const cutoff = now - this.retainMilliseconds;
    if (cutoff <= this.exactFrom) return;
    for (const [userId, period] of this.periods) {
      if (period.expiresAt <= cutoff && !this.changing.has(userId)) this.periods.delete(userId);
    }
    this.exactFrom = cutoff;
  }

  private async loadNow(): Promise<void> {
    const now = this.options.clock.now();
    const from = now - this.retainMilliseconds;
    const touched = new Set<number>();
    this.touchedWhileLoading = touched;
    try {
      const rows = (await this.options.db("sticker_passes")
        .where("expires_at", ">", from)
        .select("user_id", "starts_at", "expires_at")) as Array<{ user_id: number; starts_at: number; expires_at: number }>;
      for (const row of rows) {
        const userId = Number(row.user_id);
        // A change or read-back issued after this query began saw a newer row.
        if (touched.has(userId)) continue;
        this.periods.set(userId, { startsAt: Number(row.starts_at), expiresAt: Number(row.expires_at) });
      }
      this.exactFrom = from;
      this.lastPrunedAt = now;
      this.ready = true;
      this.logger.debug("active passes loaded", { count: rows.length });
    } finally {
      this.touchedWhileLoading = null;
    }
  }

  /** Reads the user's row into memory. The single connection answers in order, so the latest read issued is the newest state. */
  private async readBack(userId: number): Promise<void> {
    const sequence = ++this.readSequence;
    this.latestRead.set(userId, sequence);
    this.touchedWhileLoading?.add(userId);
    try {
      const row = (await this.options.db("sticker_passes").where({ user_id: userId }).first("starts_at", "expires_at")) as
        | { starts_at: number; expires_at: number }
        | undefined;
      if (this.latestRead.get(userId) !== sequence) return;
      this.latestRead.delete(userId);
      if (row === undefined) this.periods.delete(userId);
      else this.periods.set(userId, { startsAt: Number(row.starts_at), expiresAt: Number(row.expires_at) });
      this.unknown.delete(userId);
    } catch (error) {
      if (this.latestRead.get(userId) === sequence) this.latestRead.delete(userId);
      this.unknown.add(userId);
      this.logger.warn("could not read a pass back; asking the database for this user", { userId, error: String(error) });
    }
  }

  private async queryIsActive(userId: number, at: number): Promise<boolean> {
    const row = await this.options.db("sticker_passes")
      .where({ user_id: userId })
      .andWhere("starts_at", "<=", at)
      .andWhere("expires_at", ">", at)
      .first("user_id");
    return row !== undefined;
  }
}
