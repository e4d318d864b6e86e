import type { Knex } from "knex";
import type { Database } from "../database/open-database.js";
import type { AppEvents } from "../economy/app-events.js";
import type { Logger } from "../logging/logger.js";
import type { Clock } from "../time/clock.js";
import { ActivePassView } from "./active-pass-view.js";

/** Where a pass came from. */
export type PassSource = "purchase" | "admin";

/** Why a pass ended: it ran out, or an admin revoked it. */
export type PassEndReason = "expired" | "admin";

/** A user's sticker pass as stored (one row per user; extending moves `expiresAt`). Times are ms since the epoch. */
export interface StickerPass {
  userId: number;
  startsAt: number;
  /** The pass is active while `startsAt <= now < expiresAt`. A revoke moves it to the revoke time. */
  expiresAt: number;
  /** When an admin revoked it, else null. */
  revokedAt: number | null;
  /** `admin` when an admin revoked it, else null. */
  revokeReason: "admin" | null;
  /** Whether the end of the pass was processed (permissions updated, the user told): false while it runs. */
  endProcessed: boolean;
  source: PassSource;
  grantedBy: number | null;
}

/** What {@link StickerManager.grantPass} did. */
export interface PassGrant {
  startsAt: number;
  expiresAt: number;
  /** True when an active pass was extended from its current end (not started from now). */
  extended: boolean;
}

/** Options of {@link StickerManager.grantPass}. */
export interface GrantPassOptions {
  source: PassSource;
  /** The admin who granted it; null for purchases. */
  grantedBy?: number | null;
  /**
   * Run inside this transaction (the shop's purchase transaction) instead of
   * starting one. Then nothing happens outside the database: after your
   * transaction commits, call {@link StickerManager.afterPassGranted} yourself.
   * The pass counts for {@link StickerManager.hasActivePass} from the moment
   * your transaction commits (never after a rollback), before afterPassGranted.
   */
  trx?: Knex;
}

/** A pass whose end was just processed. */
export interface EndedPass {
  userId: number;
  /** When it ended (its expiry, or the revoke time). */
  endedAt: number;
  reason: PassEndReason;
}

/**
 * Reacts to passes starting and ending, after the change committed
 * (permissions in restrict chats, the expiry timer, notices). A listener
 * handles its own errors; a throw is logged and the others still run.
 */
export interface PassListener {
  passStarted?(userId: number, pass: StickerPass): Promise<void> | void;
  passesEnded?(passes: EndedPass[]): Promise<void> | void;
}

/** Options of {@link StickerManager}. */
export interface StickerManagerOptions {
  db: Database;
  clock: Clock;
  logger: Logger;
  /** Where `passGranted` is announced. Optional for benchmarks and unit tests. */
  events?: AppEvents;
}

interface PassRow {
  user_id: number;
  starts_at: number;
  expires_at: number;
  revoked_at: number | null;
  revoke_reason: string | null;
  source: string;
  granted_by: number | null;
}

/** `whereIn` lists are chunked so a statement stays far below SQLite's bound-variable limit. */
const CHUNK_SIZE = 500;

/**
 * Sticker passes: grant (extending an active pass from its current end),
 * revoke, the expiry sweep, and queries. Every change is one atomic statement
 * or one transaction; nothing reads a value and writes it back unconditionally
 * (the sweep moves its watermark only if it is still the value it read).
 *
 * A pass is active at time `t` when `starts_at <= t < expires_at`; that
 * predicate alone decides, so no pass is ever active after its end even
 * before the expiry was processed.
 *
 * Which expiries were processed (restrictions applied, the user told) is one
 * durable watermark, `sticker_pass_sweeps.processed_until`: the sweep takes
 * the passes with `processed_until < expires_at <= now` from a covering index
 * and moves the watermark to `now`. It writes no pass rows, so its cost
 * follows the number expired, not the number of users. A grant always ends
 * after now (so after the watermark); an admin revoke processes its pass at
 * once and marks it `revoke_reason = admin`, which the sweep skips.
 *
 * {@link hasActivePass} — asked for every sticker — is answered from an exact
 * in-memory copy of the pass periods ({@link ActivePassView}), which every
 * write here keeps up to date after it commits. So nothing else may write
 * `sticker_passes` while a manager is in use.
 */
export class StickerManager {
  private readonly listeners: PassListener[] = [];
  private readonly logger: Logger;
  private readonly view: ActivePassView;

  constructor(private readonly options: StickerManagerOptions) {
    this.logger = options.logger.child({ component: "stickers" });
    this.view = new ActivePassView({ db: options.db, clock: options.clock, logger: options.logger });
  }

  /**
   * Loads the active passes into memory (one query), so the first stickers
   * are answered without one. Optional: {@link hasActivePass} loads on first use.
   */
  async loadActivePasses(): Promise<void> {
    await this.view.load();
  }

  /** Adds a listener for passes starting and ending (called after commit). */
  addListener(listener: PassListener): void {
    this.listeners.push(listener);
  }

  /**
   * Grants `userId` a pass of `seconds` (decimals allowed), or extends an
   * active one from its current end. Pending deletions of the user's stickers
   * are cancelled in the same transaction (their pass starts before they fall due).
   *
   * Without `options.trx` this runs its own transaction and then calls
   * {@link afterPassGranted}. With `options.trx` it only writes inside that
   * transaction: call {@link afterPassGranted} after your commit.
   */
  async grantPass(userId: number, seconds: number, options: GrantPassOptions): Promise<PassGrant> {
    const durationMilliseconds = Math.round(seconds * 1000);
    if (!Number.isFinite(seconds) || durationMilliseconds <= 0) {
      throw new RangeError(`grantPass: seconds must be a positive number (got ${seconds}) for user ${userId}`);
    }
    const now = this.options.clock.now();
    const write = async (trx: Knex): Promise<PassGrant> => {
      // One upsert: an active pass (expires_at > now) keeps its start and grows
      // from its end; an ended or missing one starts now.
      await trx("sticker_passes")
        .insert({
          user_id: userId,
          starts_at: now,
          expires_at: now + durationMilliseconds,
          revoked_at: null,
          revoke_reason: null,
          source: options.source,
          granted_by: options.grantedBy ?? null,
          updated_at: now,
        })
        .onConflict("user_id")
        .merge({
          starts_at: trx.raw("CASE WHEN sticker_passes.expires_at > ? THEN sticker_passes.starts_at ELSE ? END", [now, now]),
          expires_at: trx.raw("CASE WHEN sticker_passes.expires_at > ? THEN sticker_passes.expires_at + ? ELSE ? END", [
            now,
            durationMilliseconds,
            now + durationMilliseconds,
          ]),
          revoked_at: null,
          revoke_reason: null,
          source: options.source,
          granted_by: options.grantedBy ?? null,
          updated_at: now,
        });
      await trx("sticker_deletions")
        .where({ user_id: userId, kind: "sticker", status: "pending" })
        .update({ status: "cancelled", reason: "pass granted before the deletion fell due", finished_at: now });
      const row = (await trx("sticker_passes").where({ user_id: userId }).first()) as PassRow;
      // Fresh: expires_at - duration == starts_at. Extended: the old end, which is later than the start.
      return { startsAt: row.starts_at, expiresAt: row.expires_at, extended: row.expires_at - durationMilliseconds > row.starts_at };
    };
    this.view.beginChange(userId);
    if (options.trx !== undefined) {
      const trx = options.trx;
      const transaction = (trx as { executionPromise?: Promise<unknown> }).executionPromise;
      if (trx.isTransaction === true && transaction !== undefined) {
        // The row counts from the moment the caller's transaction commits (or
        // not at all after a rollback): until it settled, this user is asked
        // from the database, which answers in commit order.
        void transaction.then(
          () => this.view.endChange(userId),
          () => this.view.endChange(userId),
        );
        return write(trx);
      }
      try {
        return await write(trx);
      } finally {
        await this.view.endChange(userId);
      }
    }
    let grant: PassGrant;
    try {
      grant = await this.options.db.transaction(write);
    } finally {
      await this.view.endChange(userId);
    }
    await this.afterPassGranted(userId);
    return grant;
  }

  /**
   * The side effects of a grant, to run after its transaction committed:
   * announces `passGranted`, restores permissions in restrict chats, re-arms
   * the expiry timer. Never throws (failures are logged).
   */
  async afterPassGranted(userId: number): Promise<void> {
    const pass = await this.getPass(userId);
    if (pass === undefined) {
      this.logger.warn("afterPassGranted: the user has no pass (was the transaction rolled back?)", { userId });
      return;
    }
    this.logger.info("sticker pass granted", { userId, startsAt: pass.startsAt, expiresAt: pass.expiresAt, source: pass.source, grantedBy: pass.grantedBy });
    this.options.events?.emit("passGranted", { userId, expiresAt: pass.expiresAt, source: pass.source });
    for (const listener of this.listeners) {
      try {
        await listener.passStarted?.(userId, pass);
      } catch (error) {
        this.logger.error("pass listener failed", { userId, error: String(error) });
      }
    }
  }

  /**
   * Whether `userId` has a pass active at `at` (default now). Answered from
   * memory (no query) except while the user's pass is being changed, or for
   * `at` more than 48 h back. Pass `db` (a transaction) to read inside it.
   */
  async hasActivePass(userId: number, at: number = this.options.clock.now(), db: Knex = this.options.db): Promise<boolean> {
    if (db === this.options.db) return this.view.isActive(userId, at);
    const row = await db("sticker_passes")
      .where({ user_id: userId })
      .andWhere("starts_at", "<=", at)
      .andWhere("expires_at", ">", at)
      .first("user_id");
    return row !== undefined;
  }

  /** The user's pass row (active or not), or undefined when they never had one. */
  async getPass(userId: number): Promise<StickerPass | undefined> {
    const row = (await this.options.db("sticker_passes").where({ user_id: userId }).first()) as PassRow | undefined;
    return row === undefined ? undefined : toPass(row, await readWatermark(this.options.db));
  }

  /**
   * Ends the user's active pass now (an admin's decision). Returns false when
   * there was no active pass. Permissions are updated after commit.
   */
  async revokePass(userId: number, by: number | null = null): Promise<boolean> {
    const now = this.options.clock.now();
    this.view.beginChange(userId);
    let changed: number;
    try {
      changed = await this.options.db("sticker_passes")
        .where({ user_id: userId })
        .andWhere("expires_at", ">", now)
        .update({ expires_at: now, revoked_at: now, revoke_reason: "admin", updated_at: now });
    } finally {
      await this.view.endChange(userId);
    }
    if (changed === 0) return false;
    this.logger.info("sticker pass revoked", { userId, by });
    await this.notifyEnded([{ userId, endedAt: now, reason: "admin" }]);
    return true;
  }

  /** The passes active now, soonest expiry first. */
  async listActivePasses(now: number = this.options.clock.now()): Promise<StickerPass[]> {
    const rows = (await this.options.db("sticker_passes")
      .where("starts_at", "<=", now)
      .andWhere("expires_at", ">", now)
      .orderBy("expires_at", "asc")) as PassRow[];
    const watermark = await readWatermark(this.options.db);
    return rows.map((row) => toPass(row, watermark));
  }

  /** How many passes are active now. */
  async countActivePasses(now: number = this.options.clock.now()): Promise<number> {
    const row = (await this.options.db("sticker_passes")
      .where("starts_at", "<=", now)
      .andWhere("expires_at", ">", now)
      .count({ count: "*" })
      .first()) as { count: number | string } | undefined;
    return Number(row?.count ?? 0);
  }

  /** The earliest expiry still to process (ms), or null. One index lookup. */
  async nextExpiryAt(): Promise<number | null> {
    const watermark = await readWatermark(this.options.db);
    const row = (await this.options.db("sticker_passes")
      .where("expires_at", ">", watermark)
      .whereNull("revoke_reason")
      .orderBy("expires_at", "asc")
      .first("expires_at")) as { expires_at: number } | undefined;
    return row === undefined ? null : Number(row.expires_at);
  }

  /**
   * Processes every pass that ended at or before `now` and was not processed
   * yet: moves the watermark to `now`, then (after commit) tells the
   * listeners. Returns how many. Reads one range of a covering index and
   * writes one row, whatever the number of users.
   */
  async cleanupExpiredPasses(now: number = this.options.clock.now()): Promise<number> {
    // The sweep writes no pass rows (an ended pass is inactive by its times alone); it only lets memory forget old ones.
    this.view.prune(now);
    const ended = await this.options.db.transaction(async (trx) => {
      const watermark = await readWatermark(trx);
      if (now <= watermark) return [];
      const rows = (await trx("sticker_passes")
        .where("expires_at", ">", watermark)
        .andWhere("expires_at", "<=", now)
        .whereNull("revoke_reason")
        .select("user_id", "expires_at")) as Array<{ user_id: number; expires_at: number }>;
      // Conditional on the watermark read: a second sweeper (another process) cannot process the same range twice.
      const moved = await trx("sticker_pass_sweeps").where({ id: 1, processed_until: watermark }).update({ processed_until: now, updated_at: now });
      if (moved === 0) return [];
      return rows.map((row): EndedPass => ({ userId: Number(row.user_id), endedAt: Number(row.expires_at), reason: "expired" }));
    });
    if (ended.length > 0) {
      this.logger.info("sticker passes expired", { count: ended.length, userIds: ended.slice(0, 20).map((pass) => pass.userId) });
      await this.notifyEnded(ended);
    }
    return ended.length;
  }

  private async notifyEnded(passes: EndedPass[]): Promise<void> {
    for (const listener of this.listeners) {
      try {
        await listener.passesEnded?.(passes);
      } catch (error) {
        this.logger.error("pass listener failed", { count: passes.length, error: String(error) });
      }
    }
  }
}

/** Every expiry at or before this time (ms) has been processed. */
async function readWatermark(db: Knex): Promise<number> {
  const row = (await db("sticker_pass_sweeps").where({ id: 1 }).first("processed_until")) as { processed_until: number } | undefined;
  if (row === undefined) throw new Error("sticker_pass_sweeps has no row 1: was migration 002_stickers applied?");
  return Number(row.processed_until);
}

function toPass(row: PassRow, watermark: number): StickerPass {
  const revokedByAdmin = row.revoke_reason === "admin";
  return {
    userId: Number(row.user_id),
    startsAt: Number(row.starts_at),
    expiresAt: Number(row.expires_at),
    revokedAt: revokedByAdmin && row.revoked_at !== null ? Number(row.revoked_at) : null,
    revokeReason: revokedByAdmin ? "admin" : null,
    endProcessed: revokedByAdmin || Number(row.expires_at) <= watermark,
    source: row.source as PassSource,
    grantedBy: row.granted_by === null ? null : Number(row.granted_by),
  };
}

/** Splits `items` into chunks of {@link CHUNK_SIZE} (for `whereIn` lists). */
export function chunk<T>(items: T[], size: number = CHUNK_SIZE): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}
