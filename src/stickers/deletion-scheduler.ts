import { GrammyError, HttpError, type Api } from "grammy";
import type { Database } from "../database/open-database.js";
import type { Logger } from "../logging/logger.js";
import type { Clock } from "../time/clock.js";
import { DueTimer } from "./due-timer.js";

/** What a scheduled deletion removes: a user's sticker, or the bot's own notice removing itself. */
export type DeletionKind = "sticker" | "notice";

/** A deletion to schedule. Times are ms since the epoch. */
export interface DeletionRequest {
  chatId: number;
  messageId: number;
  /** The sticker's sender (for notices: the user the notice was for). */
  userId: number;
  kind: DeletionKind;
  /** The message's date: the Bot API refuses to delete messages older than 48 hours. */
  sentAt: number;
  dueAt: number;
}

/** Counts of finished deletions. */
export interface DeletionCounts {
  executed: number;
  skipped: number;
  failed: number;
}

/** Options of {@link DeletionScheduler}. */
export interface DeletionSchedulerOptions {
  db: Database;
  /** The Bot API client (with auto-retry: 429 waits retry_after). */
  api: Api;
  clock: Clock;
  logger: Logger;
  /** Whether the sticker's sender had a pass active at `at`: such a sticker is kept. */
  hasActivePass(userId: number, at: number): Promise<boolean>;
  /** Attempts for transient failures (network, 5xx, 429 beyond auto-retry) before giving up. Default 5. */
  maxAttempts?: number;
  /** Deletions handled per batch. Default 100. */
  batchSize?: number;
  /**
   * How long new deletions are gathered before one INSERT stores them all.
   * A deletion falls due minutes later, so the wait costs nothing, and a
   * sticker flood becomes a few statements on the one database connection
   * that credits also need. 0 writes at once. Default 20.
   */
  writeDelayMilliseconds?: number;
}

interface DeletionRow {
  id: number;
  chat_id: number;
  message_id: number;
  user_id: number;
  kind: DeletionKind;
  sent_at: number;
  due_at: number;
  attempts: number;
}

/** Telegram refuses deleteMessage for messages older than 48 hours. */
export const MAX_DELETABLE_AGE_MILLISECONDS = 48 * 3_600_000;

/** How long one deleteMessage may take before it counts as a transient failure. */
const REQUEST_TIMEOUT_MILLISECONDS = 30_000;

/** Pause before retrying a transient failure, times the attempt number. */
const RETRY_BASE_MILLISECONDS = 5_000;

/** Rows per INSERT statement: 9 values each stays under the oldest SQLite bound-variable limit (999). */
const MAX_ROWS_PER_INSERT = 100;

/** A {@link DeletionScheduler.schedule} call waiting for its row to be written. */
interface QueuedDeletion {
  request: DeletionRequest;
  createdAt: number;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * The durable schedule of deletions (`sticker_deletions`). A deletion is a
 * row first, so a restart loses none; one timer is armed for the next due row
 * (no polling), and at start everything that fell due while the daemon was
 * down runs at once.
 *
 * Outcomes: `executed`; `skipped` (older than 48 h, or the sender's pass
 * started before it fell due); `failed` with the Bot API's reason (message
 * already gone, no rights) — permanent errors are not retried, transient ones
 * a few times. One failing deletion never stops the others.
 */
export class DeletionScheduler {
  private readonly timer: DueTimer;
  private readonly logger: Logger;
  private counts: DeletionCounts = { executed: 0, skipped: 0, failed: 0 };
  private started = false;
  /** Runs are serialized: two at once could delete (and count) one message twice. */
  private lastRun: Promise<unknown> = Promise.resolve();
  /** Deletions waiting for the next INSERT, while one is being written. */
  private queued: QueuedDeletion[] = [];
  /** The loop writing {@link queued}; settled when the queue is empty. */
  private writing: Promise<void> = Promise.resolve();
  private isWriting = false;
  /** Armed by the first deletion queued while nothing is being written. */
  private gatherTimer: NodeJS.Timeout | null = null;

  constructor(private readonly options: DeletionSchedulerOptions) {
    this.logger = options.logger.child({ component: "sticker-deletions" });
    this.timer = new DueTimer(
      () => this.runDueAndRearm(),
      () => options.clock.now(),
      (error) => this.logger.error("deletion run failed", { error: String(error) }),
    );
  }

  /**
   * Starts the timer at once, so the deletions that fell due while the daemon
   * was down run now — in the background: many of them (or a 429) must not
   * hold up the startup.
   */
  async start(): Promise<void> {
    this.started = true;
    this.timer.arm(this.options.clock.now());
  }

  /** Cancels the timer and waits for a deletion in progress and for scheduled rows still being written. Pending rows stay for the next start. */
  async stop(): Promise<void> {
    this.started = false;
    await this.timer.stop();
    await this.lastRun;
    await this.flush();
  }

  /** Writes the queued deletions now; resolves when every deletion scheduled so far is stored (or failed). */
  async flush(): Promise<void> {
    this.startWriting();
    await this.writing;
  }

  /**
   * Stores a deletion (idempotent per chat and message) and arms the timer
   * for it. Resolves once the row is written.
   *
   * Group commit: deletions are gathered for `writeDelayMilliseconds`, and
   * those made while an INSERT is being written go into the next one: one
   * statement for many stickers. Each caller still learns its own outcome:
   * if a shared statement fails, its rows are written one by one.
   */
  schedule(request: DeletionRequest): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queued.push({ request, createdAt: this.options.clock.now(), resolve, reject });
      const delay = this.options.writeDelayMilliseconds ?? 20;
      if (this.isWriting || this.gatherTimer !== null) {
        if (this.queued.length >= MAX_ROWS_PER_INSERT) this.startWriting();
      } else if (delay <= 0) {
        this.startWriting();
      } else {
        this.gatherTimer = setTimeout(() => this.startWriting(), delay);
      }
    });
  }

  private startWriting(): void {
    if (this.gatherTimer !== null) clearTimeout(this.gatherTimer);
    this.gatherTimer = null;
    if (this.isWriting || this.queued.length === 0) return;
    this.isWriting = true;
    this.writing = this.writeQueued();
  }

  /**
   * Writes until the queue is empty. The flag drops in the same synchronous
   * step as the last emptiness check (one function, no await between them),
   * so a call cannot be left in the queue with nobody writing it.
   */
  private async writeQueued(): Promise<void> {
    try {
      while (this.queued.length > 0) {
        const batch = this.queued.splice(0, MAX_ROWS_PER_INSERT);
        try {
          await this.insert(batch);
          for (const entry of batch) entry.resolve();
        } catch (error) {
          if (batch.length === 1) {
            batch[0].reject(error);
            continue;
          }
          // One bad row must not fail the others: each gets its own statement and outcome.
          for (const entry of batch) {
            try {
              await this.insert([entry]);
              entry.resolve();
            } catch (rowError) {
              entry.reject(rowError);
            }
          }
        }
      }
    } finally {
      this.isWriting = false;
    }
  }

  private async insert(batch: QueuedDeletion[]): Promise<void> {
    await this.options.db("sticker_deletions")
      .insert(
        batch.map(({ request, createdAt }) => ({
          chat_id: request.chatId,
          message_id: request.messageId,
          user_id: request.userId,
          kind: request.kind,
          sent_at: request.sentAt,
          due_at: request.dueAt,
          status: "pending",
          attempts: 0,
          created_at: createdAt,
        })),
      )
      .onConflict(["chat_id", "message_id"])
      .ignore();
    // Before start() the rows wait: start() runs everything due.
    if (this.started) this.timer.arm(Math.min(...batch.map((entry) => entry.request.dueAt)));
  }

  /** Counts of deletions finished since the previous call (for the cleanup report), and resets them. */
  takeCounts(): DeletionCounts {
    const counts = this.counts;
    this.counts = { executed: 0, skipped: 0, failed: 0 };
    return counts;
  }

  /** How many deletions are waiting. */
  async countPending(): Promise<number> {
    const row = (await this.options.db("sticker_deletions").where({ status: "pending" }).count({ count: "*" }).first()) as
      | { count: number | string }
      | undefined;
    return Number(row?.count ?? 0);
  }

  /** When the next deletion falls due (ms), or null. */
  async nextDueAt(): Promise<number | null> {
    const row = (await this.options.db("sticker_deletions").where({ status: "pending" }).min({ next: "due_at" }).first()) as
      | { next: number | null }
      | undefined;
    return row?.next ?? null;
  }

  /** Removes finished records (executed, skipped, cancelled, failed) finished before `cutoff` (ms); pending ones always stay. */
  async purgeFinished(cutoff: number): Promise<number> {
    return this.options.db("sticker_deletions")
      .whereIn("status", ["executed", "skipped", "cancelled", "failed"])
      .andWhere("finished_at", "<", cutoff)
      .delete();
  }

  /**
   * Runs every deletion due at `now` (ms), in batches, and returns what
   * happened. Called by the timer; tests call it directly with a manual clock.
   */
  async runDue(now: number = this.options.clock.now()): Promise<DeletionCounts> {
    const run = this.lastRun.then(() => this.runDueNow(now));
    this.lastRun = run.catch(() => undefined);
    return run;
  }

  private async runDueNow(now: number): Promise<DeletionCounts> {
    const done: DeletionCounts = { executed: 0, skipped: 0, failed: 0 };
    const batchSize = this.options.batchSize ?? 100;
    const seen = new Set<number>();
    for (;;) {
      const rows = (await this.options.db("sticker_deletions")
        .where({ status: "pending" })
        .andWhere("due_at", "<=", now)
        .orderBy("due_at", "asc")
        .limit(batchSize)) as DeletionRow[];
      const fresh = rows.filter((row) => !seen.has(row.id));
      if (fresh.length === 0) break;
      for (const row of fresh) {
        seen.add(row.id);
        const outcome = await this.runOne(row);
        if (outcome !== "retry") done[outcome] += 1;
      }
    }
    this.counts.executed += done.executed;
    this.counts.skipped += done.skipped;
    this.counts.failed += done.failed;
    return done;
  }

  private async runDueAndRearm(): Promise<void> {
    try {
      await this.runDue();
    } finally {
      this.timer.arm(await this.nextDueAt().catch(() => this.options.clock.now() + RETRY_BASE_MILLISECONDS));
    }
  }

  private async runOne(row: DeletionRow): Promise<keyof DeletionCounts | "retry"> {
    const now = this.options.clock.now();
    try {
      // Telegram refuses deletions of messages older than 48 hours: do not try.
      if (now - row.sent_at > MAX_DELETABLE_AGE_MILLISECONDS) {
        return await this.finish(row, "skipped", "older than 48 hours: the Bot API no longer deletes it");
      }
      if (row.kind === "sticker" && (await this.options.hasActivePass(row.user_id, Math.min(row.due_at, now)))) {
        return await this.finish(row, "skipped", "the sender's pass started before the deletion fell due");
      }
      // A hung request must not hold up every other deletion for grammY's 500 s default.
      const signal = AbortSignal.timeout(REQUEST_TIMEOUT_MILLISECONDS) as Parameters<Api["deleteMessage"]>[2];
      await this.options.api.deleteMessage(row.chat_id, row.message_id, signal);
      return await this.finish(row, "executed", null);
    } catch (error) {
      return this.recordFailure(row, error);
    }
  }

  private async recordFailure(row: DeletionRow, error: unknown): Promise<keyof DeletionCounts | "retry"> {
    const attempts = row.attempts + 1;
    const permanent = error instanceof GrammyError && error.error_code !== 429 && error.error_code < 500;
    const reason = describeError(error);
    const context = { deletionId: row.id, chatId: row.chat_id, messageId: row.message_id, attempts, reason };
    try {
      if (permanent || attempts >= (this.options.maxAttempts ?? 5)) {
        this.logger.warn("sticker deletion failed", context);
        return await this.finish(row, "failed", reason, attempts);
      }
      const retryAt = this.options.clock.now() + RETRY_BASE_MILLISECONDS * attempts;
      await this.options.db("sticker_deletions").where({ id: row.id }).update({ attempts, reason, due_at: retryAt });
      this.logger.warn("sticker deletion will be retried", { ...context, retryAt });
      return "retry";
    } catch (recordError) {
      // Even the database failed: leave the row pending; the next run tries again.
      this.logger.error("could not record a deletion failure", { ...context, error: String(recordError) });
      return "retry";
    }
  }

  private async finish(row: DeletionRow, status: keyof DeletionCounts, reason: string | null, attempts = row.attempts + (status === "executed" ? 1 : 0)) {
    await this.options.db("sticker_deletions")
      .where({ id: row.id, status: "pending" })
      .update({ status, reason, attempts, finished_at: this.options.clock.now() });
    this.logger.debug("sticker deletion finished", { deletionId: row.id, chatId: row.chat_id, messageId: row.message_id, status, reason });
    return status;
  }
}

/** The Bot API's description ("Bad Request: message to delete not found"), or the network error, without the token. */
function describeError(error: unknown): string {
  if (error instanceof GrammyError) return `${error.error_code}: ${error.description}`.slice(0, 256);
  if (error instanceof HttpError) return `network: ${String((error.error as Error | undefined)?.message ?? "request failed")}`.slice(0, 256);
  return (error instanceof Error ? error.message : String(error)).slice(0, 256);
}
