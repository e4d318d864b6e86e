import type { Database } from "../database/open-database.js";
import type { Ledger } from "../economy/ledger.js";
import type { Logger } from "../logging/logger.js";
import type { Clock } from "../time/clock.js";
import type { UserRoster } from "../users/user-roster.js";
import { type CreditOutcome, creditReport, type ParsedCredit, reportReference, toParsedTransactionRow } from "./parsed-transactions.js";

/** Options of {@link CreditWriter}. */
export interface CreditWriterOptions {
  db: Database;
  ledger: Ledger;
  roster: UserRoster;
  clock: Clock;
  logger: Logger;
  /** Most credits written in one transaction. Default 100. */
  maxBatchSize?: number;
}

interface PendingCredit {
  credit: ParsedCredit;
  resolve(outcome: CreditOutcome): void;
  reject(error: unknown): void;
}

/** Rows per multi-row insert into `parsed_transactions` (10 columns; SQLite allows 999 parameters). */
const INSERT_CHUNK_ROWS = 50;

/**
 * Writes credited reports in groups: the credits that arrive while a write is
 * in progress (or in the same event-loop turn) share one transaction of a few
 * statements whatever their number — one multi-row insert that skips stored
 * reports, one balance update and one ledger insert (Ledger.applyCredits).
 * With the single database connection this keeps a busy group's reports from
 * queueing behind each other's BEGIN/COMMIT.
 *
 * Each credit is still all-or-nothing with its ledger row, and a report is
 * credited at most once (the unique (chat_id, message_id) key; duplicates in
 * the database or within a group come back as `duplicate`). If a group's
 * transaction fails, its credits are retried one transaction each, so one bad
 * credit fails alone.
 */
export class CreditWriter {
  private pending: PendingCredit[] = [];
  private writing: Promise<void> | null = null;
  private scheduled = false;
  private readonly maxBatchSize: number;

  constructor(private readonly options: CreditWriterOptions) {
    this.maxBatchSize = options.maxBatchSize ?? 100;
  }

  /** Queues a credit; resolves after its transaction committed. */
  submit(credit: ParsedCredit): Promise<CreditOutcome> {
    return new Promise<CreditOutcome>((resolve, reject) => {
      this.pending.push({ credit, resolve, reject });
      this.schedule();
    });
  }

  /** Resolves when every credit submitted so far has been written. */
  async drain(): Promise<void> {
    while (this.writing !== null || this.pending.length > 0 || this.scheduled) {
      if (this.writing !== null) await this.writing;
      else await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private schedule(): void {
    if (this.scheduled || this.writing !== null) return;
    this.scheduled = true;
    // Let the credits of this event-loop turn join the group.
    setImmediate(() => {
      this.scheduled = false;
      this.writeNext();
    });
  }

  private writeNext(): void {
    if (this.writing !== null || this.pending.length === 0) return;
    const batch = this.pending.splice(0, this.maxBatchSize);
    this.writing = this.write(batch).finally(() => {
      this.writing = null;
      if (this.pending.length > 0) this.schedule();
    });
  }

  private async write(batch: PendingCredit[]): Promise<void> {
    let outcomes: CreditOutcome[];
    try {
      outcomes = await this.writeTogether(batch.map((entry) => entry.credit));
    } catch (error) {
      this.options.logger.warn("a group of credits failed; writing them one by one", {
        count: batch.length,
        error: error instanceof Error ? error.message : String(error),
      });
      for (const entry of batch) {
        try {
          entry.resolve(await creditReport(this.options.db, this.options.ledger, this.options.roster, entry.credit, this.options.clock.now()));
        } catch (single) {
          entry.reject(single);
        }
      }
      return;
    }
    batch.forEach((entry, index) => entry.resolve(outcomes[index]));
  }

  private async writeTogether(credits: ParsedCredit[]): Promise<CreditOutcome[]> {
    const { db, ledger, roster, clock } = this.options;
    const now = clock.now();
    const key = (credit: ParsedCredit) => reportReference(credit.chatId, credit.messageId);
    return db.transaction(async (trx) => {
      // Players the roster has written need no lookup (the usual case: they spoke before the report).
      const newUsers = credits.filter((credit) => credit.user !== null && !roster.isStored(credit.userId));
      if (newUsers.length > 0) {
        const ids = [...new Set(newUsers.map((credit) => credit.userId))];
        const known = new Set(((await trx("users").whereIn("id", ids).select("id")) as Array<{ id: number }>).map((row) => Number(row.id)));
        for (const credit of newUsers) {
          if (known.has(credit.userId)) continue;
          await roster.ensureUser(credit.user!, trx);
          known.add(credit.userId);
        }
      }
      // The unique (chat_id, message_id) key decides what is new: a report
      // stored before, or twice in this group, inserts nothing.
      const inserted = new Set<string>();
      for (let i = 0; i < credits.length; i += INSERT_CHUNK_ROWS) {
        const rows = (await trx("parsed_transactions")
          .insert(credits.slice(i, i + INSERT_CHUNK_ROWS).map((credit) => toParsedTransactionRow(credit, now)))
          .onConflict(["chat_id", "message_id"])
          .ignore()
          .returning(["chat_id", "message_id"])) as Array<{ chat_id: number; message_id: number }>;
        for (const row of rows) inserted.add(reportReference(Number(row.chat_id), Number(row.message_id)));
      }
      const fresh = credits.filter((credit) => inserted.delete(key(credit)));
      const applied = await ledger.applyCredits(
        trx,
        fresh.map((credit) => ({ userId: credit.userId, amount: credit.converted, reason: "parse" as const, source: credit.sourceBot, reference: key(credit) })),
      );
      const outcomes = new Map<ParsedCredit, CreditOutcome>();
      fresh.forEach((credit, index) => outcomes.set(credit, { credited: true, ...applied[index] }));
      return credits.map((credit) => outcomes.get(credit) ?? ({ credited: false, duplicate: true } as const));
    });
  }
}
