import type { MessageEntity } from "grammy/types";
import type { Language } from "../config/config.js";
import type { Database } from "../database/open-database.js";

/** A broadcast job's state: waiting its turn, sending, finished, or stopped by an admin. */
export type BroadcastStatus = "queued" | "running" | "done" | "cancelled";

/** A recipient's state. `sending` means a request may be in flight (or was, at a crash). */
export type RecipientStatus = "pending" | "sending" | "sent" | "failed" | "unreachable";

/** A broadcast row. */
export interface BroadcastJob {
  id: number;
  adminId: number;
  adminChatId: number;
  language: Language;
  progressMessageId: number | null;
  text: string;
  entities: MessageEntity[] | undefined;
  status: BroadcastStatus;
  total: number;
  rateLimitedCount: number;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}

/** Counts of a job's recipients by state, plus the failure reasons. */
export interface BroadcastCounts {
  total: number;
  pending: number;
  sending: number;
  sent: number;
  failed: number;
  unreachable: number;
  /** Recipients that may have received it twice (in flight at a crash, or a network error). */
  possiblyDuplicated: number;
  /** Failed recipients by reason (the error description), most frequent first. */
  failedByReason: Array<{ reason: string; count: number }>;
}

/** What {@link BroadcastStore.create} needs. */
export interface NewBroadcast {
  adminId: number;
  adminChatId: number;
  language: Language;
  text: string;
  entities?: MessageEntity[];
}

interface BroadcastRow {
  id: number;
  admin_id: number;
  admin_chat_id: number;
  language: string;
  progress_message_id: number | null;
  text: string;
  entities: string | null;
  status: string;
  total: number;
  rate_limited_count: number;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
}

/** Rows per INSERT statement when snapshotting recipients (5 columns each, well under SQLite's variable limit). */
const INSERT_CHUNK_ROWS = 150;
/** Longest error text stored (the column is 256). */
const MAX_ERROR_LENGTH = 250;

/**
 * The durable state of broadcasts: jobs and their recipients. Every state
 * change is written before the next step depends on it, so a crash loses at
 * most the sends in flight.
 */
export class BroadcastStore {
  constructor(
    private readonly db: Database,
    private readonly now: () => number,
  ) {}

  /**
   * Creates a queued job whose recipients are every user who started the bot
   * in private and is not known to be unreachable (bots excluded), as of now.
   */
  async create(input: NewBroadcast): Promise<BroadcastJob> {
    const at = this.now();
    const id = await this.db.transaction(async (trx) => {
      const [inserted] = await trx("broadcasts")
        .insert({
          admin_id: input.adminId,
          admin_chat_id: input.adminChatId,
          language: input.language,
          text: input.text,
          entities: input.entities === undefined || input.entities.length === 0 ? null : JSON.stringify(input.entities),
          status: "queued",
          total: 0,
          created_at: at,
        })
        .returning("id");
      const jobId = Number(typeof inserted === "object" ? (inserted as { id: number }).id : inserted);
      const users = (await trx("users")
        .where({ started_private: true, unreachable: false, is_bot: false })
        .orderBy("id")
        .select("id")) as Array<{ id: number }>;
      for (let index = 0; index < users.length; index += INSERT_CHUNK_ROWS) {
        await trx("broadcast_recipients").insert(
          users.slice(index, index + INSERT_CHUNK_ROWS).map((user) => ({
            broadcast_id: jobId,
            user_id: user.id,
            status: "pending",
            attempts: 0,
            updated_at: at,
          })),
        );
      }
      await trx("broadcasts").where({ id: jobId }).update({ total: users.length });
      return jobId;
    });
    return (await this.get(id))!;
  }

  /** The job with this id, or undefined. */
  async get(id: number): Promise<BroadcastJob | undefined> {
    const row = (await this.db("broadcasts").where({ id }).first()) as BroadcastRow | undefined;
    return row === undefined ? undefined : toJob(row);
  }

  /** Jobs not finished yet (`running` first, then `queued`), oldest first: the order they run in. */
  async listUnfinished(): Promise<BroadcastJob[]> {
    const rows = (await this.db("broadcasts").whereIn("status", ["running", "queued"]).orderBy("id")) as BroadcastRow[];
    const jobs = rows.map(toJob);
    return [...jobs.filter((job) => job.status === "running"), ...jobs.filter((job) => job.status === "queued")];
  }

  /** The most recently finished (done or cancelled) job, or undefined. */
  async lastFinished(): Promise<BroadcastJob | undefined> {
    const row = (await this.db("broadcasts").whereIn("status", ["done", "cancelled"]).orderBy("id", "desc").first()) as BroadcastRow | undefined;
    return row === undefined ? undefined : toJob(row);
  }

  /**
   * Marks the job running. Recipients left `sending` by a crash go back to
   * `pending`, flagged as possibly duplicated (the message may have reached
   * them before the crash). Returns how many were flagged now.
   */
  async markRunning(id: number): Promise<number> {
    return this.db.transaction(async (trx) => {
      const at = this.now();
      const flagged = await trx("broadcast_recipients")
        .where({ broadcast_id: id, status: "sending" })
        .update({ status: "pending", possibly_duplicated: true, updated_at: at });
      await trx("broadcasts").where({ id }).update({ status: "running" });
      await trx("broadcasts").where({ id }).whereNull("started_at").update({ started_at: at });
      return flagged;
    });
  }

  /** Records the admin's progress message. */
  async setProgressMessage(id: number, messageId: number): Promise<void> {
    await this.db("broadcasts").where({ id }).update({ progress_message_id: messageId });
  }

  /** Finishes a job (`done` or `cancelled`). Only a job not finished yet changes; returns whether it did. */
  async finish(id: number, status: "done" | "cancelled", cancelledBy?: number): Promise<boolean> {
    const changed = await this.db("broadcasts")
      .where({ id })
      .whereIn("status", ["queued", "running"])
      .update({ status, finished_at: this.now(), cancelled_by: cancelledBy ?? null });
    return changed > 0;
  }

  /** Adds to the job's count of 429 answers. */
  async addRateLimited(id: number, count: number): Promise<void> {
    if (count > 0) await this.db("broadcasts").where({ id }).increment("rate_limited_count", count);
  }

  /** User ids of recipients still to send, in order; at most `limit`, after `afterUserId`. */
  async pendingRecipients(id: number, afterUserId: number, limit: number): Promise<number[]> {
    const rows = (await this.db("broadcast_recipients")
      .where({ broadcast_id: id, status: "pending" })
      .andWhere("user_id", ">", afterUserId)
      .orderBy("user_id")
      .limit(limit)
      .select("user_id")) as Array<{ user_id: number }>;
    return rows.map((row) => Number(row.user_id));
  }

  /** Records that a request to the recipient is about to be made (written before the request). */
  async markSending(id: number, userId: number): Promise<void> {
    await this.setRecipient(id, userId, { status: "sending" });
  }

  /** The message was delivered. */
  async markSent(id: number, userId: number, attempts: number): Promise<void> {
    await this.setRecipient(id, userId, { status: "sent", attempts, error: null });
  }

  /** The request did not go through and will be tried again (429, a retryable error), or was never made. */
  async markRetry(id: number, userId: number, attempts: number, error: string | null): Promise<void> {
    await this.setRecipient(id, userId, { status: "pending", attempts, error: error === null ? null : truncate(error) });
  }

  /** A network error: the message may or may not have arrived; it is tried again and counted as possibly duplicated. */
  async markUncertainRetry(id: number, userId: number, attempts: number, error: string): Promise<void> {
    await this.setRecipient(id, userId, { status: "pending", attempts, error: truncate(error), possibly_duplicated: true });
  }

  /** The recipient blocked the bot or was deactivated (403). */
  async markUnreachable(id: number, userId: number, attempts: number, error: string): Promise<void> {
    await this.setRecipient(id, userId, { status: "unreachable", attempts, error: truncate(error) });
  }

  /** Gave up on the recipient. */
  async markFailed(id: number, userId: number, attempts: number, error: string): Promise<void> {
    await this.setRecipient(id, userId, { status: "failed", attempts, error: truncate(error) });
  }

  /** Counts of the job's recipients by state. */
  async counts(id: number): Promise<BroadcastCounts> {
    const byStatus = (await this.db("broadcast_recipients")
      .where({ broadcast_id: id })
      .groupBy("status")
      .select("status")
      .count({ count: "*" })) as Array<{ status: RecipientStatus; count: number | string }>;
    const counts: BroadcastCounts = { total: 0, pending: 0, sending: 0, sent: 0, failed: 0, unreachable: 0, possiblyDuplicated: 0, failedByReason: [] };
    for (const row of byStatus) {
      counts[row.status] = Number(row.count);
      counts.total += Number(row.count);
    }
    const duplicated = (await this.db("broadcast_recipients")
      .where({ broadcast_id: id, possibly_duplicated: true })
      .count({ count: "*" })
      .first()) as { count: number | string } | undefined;
    counts.possiblyDuplicated = Number(duplicated?.count ?? 0);
    const reasons = (await this.db("broadcast_recipients")
      .where({ broadcast_id: id, status: "failed" })
      .groupBy("error")
      .select("error")
      .count({ count: "*" })) as Array<{ error: string | null; count: number | string }>;
    counts.failedByReason = reasons
      .map((row) => ({ reason: row.error ?? "unknown", count: Number(row.count) }))
      .sort((left, right) => right.count - left.count || left.reason.localeCompare(right.reason));
    return counts;
  }

  /** Deletes finished jobs (and their recipients) that finished before `cutoff`; returns how many jobs. */
  async purgeFinishedBefore(cutoff: number): Promise<number> {
    return this.db.transaction(async (trx) => {
      const ids = ((await trx("broadcasts")
        .whereIn("status", ["done", "cancelled"])
        .andWhere("finished_at", "<", cutoff)
        .select("id")) as Array<{ id: number }>).map((row) => row.id);
      for (let index = 0; index < ids.length; index += 500) {
        const chunk = ids.slice(index, index + 500);
        await trx("broadcast_recipients").whereIn("broadcast_id", chunk).delete();
        await trx("broadcasts").whereIn("id", chunk).delete();
      }
      return ids.length;
    });
  }

  private async setRecipient(id: number, userId: number, fields: Record<string, unknown>): Promise<void> {
    await this.db("broadcast_recipients")
      .where({ broadcast_id: id, user_id: userId })
      .update({ ...fields, updated_at: this.now() });
  }
}

function toJob(row: BroadcastRow): BroadcastJob {
  return {
    id: Number(row.id),
    adminId: Number(row.admin_id),
    adminChatId: Number(row.admin_chat_id),
    language: row.language === "en" ? "en" : "ru",
    progressMessageId: row.progress_message_id === null ? null : Number(row.progress_message_id),
    text: row.text,
    entities: row.entities === null ? undefined : (JSON.parse(row.entities) as MessageEntity[]),
    status: row.status as BroadcastStatus,
    total: Number(row.total),
    rateLimitedCount: Number(row.rate_limited_count),
    createdAt: Number(row.created_at),
    startedAt: row.started_at === null ? null : Number(row.started_at),
    finishedAt: row.finished_at === null ? null : Number(row.finished_at),
  };
}

function truncate(text: string): string {
  return text.length <= MAX_ERROR_LENGTH ? text : `${text.slice(0, MAX_ERROR_LENGTH - 1)}…`;
}
