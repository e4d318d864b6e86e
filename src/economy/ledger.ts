import type { Database } from "../database/open-database.js";
import type { Clock } from "../time/clock.js";

/** Why a balance changed. `earned`/`spent` totals follow from it. */
export type LedgerReason = "parse" | "purchase" | "refund" | "admin_add" | "admin_remove" | "achievement";

/** One balance change. `amount` is a signed integer number of coins. */
export interface BalanceChange {
  userId: number;
  amount: number;
  reason: LedgerReason;
  /** E.g. the game bot's username, the item's name. */
  source?: string | null;
  /** E.g. `chat:message` of the report, `purchase:12`. */
  reference?: string | null;
  /** The admin who made a manual change. */
  actorId?: number | null;
}

/** A ledger row as stored. */
export interface LedgerRow {
  id: number;
  user_id: number;
  amount: number;
  balance_after: number;
  reason: LedgerReason;
  source: string | null;
  reference: string | null;
  actor_id: number | null;
  created_at: number;
}

/** Thrown when a debit would make the balance negative. Nothing was changed. */
export class InsufficientFundsError extends Error {
  override readonly name = "InsufficientFundsError";
  constructor(
    readonly userId: number,
    readonly amount: number,
  ) {
    super(`user ${userId} cannot afford ${-amount} coins`);
  }
}

/** Thrown when the user has no row yet (call `UserRoster.ensureUser` first). */
export class UnknownUserError extends Error {
  override readonly name = "UnknownUserError";
  constructor(readonly userId: number) {
    super(`user ${userId} is not registered`);
  }
}

/** The `ledger` row of a change (without its id). */
function toLedgerRow(change: BalanceChange, balanceAfter: number, now: number): Omit<LedgerRow, "id"> {
  return {
    user_id: change.userId,
    amount: change.amount,
    balance_after: balanceAfter,
    reason: change.reason,
    source: change.source ?? null,
    reference: change.reference ?? null,
    actor_id: change.actorId ?? null,
    created_at: now,
  };
}

/** Reasons that count in a user's `total_earned`. */
const EARNING_REASONS: ReadonlySet<LedgerReason> = new Set(["parse", "achievement", "admin_add"]);
/** Reasons that count in `total_spent` (a refund takes its purchase back). */
const SPENDING_REASONS: ReadonlySet<LedgerReason> = new Set(["purchase", "refund"]);
/** Users per balance update in {@link Ledger.applyCredits} (7 parameters each; SQLite allows 32,766). */
const CREDIT_CHUNK_USERS = 200;
/** Rows per ledger insert in {@link Ledger.applyCredits} (8 parameters each). */
const LEDGER_CHUNK_ROWS = 100;

/**
 * Moves money. Every change is one conditional update of the balance (it can
 * never go below zero, whatever runs concurrently) plus a ledger row, in the
 * caller's transaction: a balance always equals the sum of its ledger.
 * Amounts are integers; floats are rejected.
 */
export class Ledger {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  /**
   * Applies one change inside `trx` (pass the transaction of the surrounding
   * operation, e.g. the purchase). Throws {@link InsufficientFundsError} when
   * a debit exceeds the balance.
   */
  async apply(trx: Database, change: BalanceChange): Promise<{ ledgerId: number; balanceAfter: number }> {
    const { userId, amount, reason } = change;
    if (!Number.isSafeInteger(amount) || amount === 0) {
      throw new RangeError(`a balance change must be a non-zero safe integer (got ${amount})`);
    }
    const updates: Record<string, unknown> = { balance: trx.raw("balance + ?", [amount]) };
    if (EARNING_REASONS.has(reason)) {
      updates.total_earned = trx.raw("total_earned + ?", [amount]);
    } else if (SPENDING_REASONS.has(reason)) {
      updates.total_spent = trx.raw("total_spent - ?", [amount]);
    }
    const affected = await trx("users")
      .where("id", userId)
      .andWhere("balance", ">=", amount < 0 ? -amount : 0)
      .update(updates);
    if (affected === 0) {
      const exists = await trx("users").where("id", userId).first("id");
      if (exists === undefined) throw new UnknownUserError(userId);
      throw new InsufficientFundsError(userId, amount);
    }
    const { balance } = (await trx("users").where("id", userId).first("balance")) as { balance: number };
    const [inserted] = await trx("ledger").insert(toLedgerRow(change, balance, this.clock.now())).returning("id");
    const ledgerId = typeof inserted === "object" ? (inserted as { id: number }).id : (inserted as number);
    return { ledgerId, balanceAfter: balance };
  }

  /**
   * Applies many credits (positive amounts) inside `trx` in two statements:
   * one update of all their users' balances and one multi-row ledger insert,
   * instead of three statements per credit. The ledger rows are written in
   * the given order, and each row's `balance_after` is the balance right after
   * that credit, exactly as if they were applied one by one. Throws
   * {@link UnknownUserError} (nothing changed once `trx` rolls back) when a
   * user has no row.
   */
  async applyCredits(trx: Database, changes: BalanceChange[]): Promise<Array<{ ledgerId: number; balanceAfter: number }>> {
    if (changes.length === 0) return [];
    const totals = new Map<number, { amount: number; earned: number; spent: number }>();
    for (const { userId, amount, reason } of changes) {
      if (!Number.isSafeInteger(amount) || amount <= 0) throw new RangeError(`a credit must be a positive safe integer (got ${amount})`);
      const total = totals.get(userId) ?? { amount: 0, earned: 0, spent: 0 };
      total.amount += amount;
      if (EARNING_REASONS.has(reason)) total.earned += amount;
      else if (SPENDING_REASONS.has(reason)) total.spent -= amount;
      if (!Number.isSafeInteger(total.amount)) throw new RangeError(`credits to user ${userId} exceed the safe integer range`);
      totals.set(userId, total);
    }
    const balances = new Map<number, number>();
    const users = [...totals];
    for (let i = 0; i < users.length; i += CREDIT_CHUNK_USERS) {
      const chunk = users.slice(i, i + CREDIT_CHUNK_USERS);
      const caseOf = (pick: (total: { amount: number; earned: number; spent: number }) => number) =>
        trx.raw(`case id ${chunk.map(() => "when ? then ?").join(" ")} else 0 end`, chunk.flatMap(([userId, total]) => [userId, pick(total)]));
      const rows = (await trx("users")
        .whereIn(
          "id",
          chunk.map(([userId]) => userId),
        )
        .update({
          balance: trx.raw("balance + ?", [caseOf((total) => total.amount)]),
          total_earned: trx.raw("total_earned + ?", [caseOf((total) => total.earned)]),
          total_spent: trx.raw("total_spent + ?", [caseOf((total) => total.spent)]),
        })
        .returning(["id", "balance"])) as Array<{ id: number; balance: number }>;
      for (const row of rows) balances.set(Number(row.id), Number(row.balance));
      for (const [userId] of chunk) if (!balances.has(userId)) throw new UnknownUserError(userId);
    }
    // Walk back from each user's final balance to the balance after each credit.
    const balanceAfter = new Array<number>(changes.length);
    const running = new Map(balances);
    for (let index = changes.length - 1; index >= 0; index -= 1) {
      const { userId, amount } = changes[index];
      balanceAfter[index] = running.get(userId)!;
      running.set(userId, balanceAfter[index] - amount);
    }
    const now = this.clock.now();
    const ledgerIds = new Map<string, number>();
    for (let i = 0; i < changes.length; i += LEDGER_CHUNK_ROWS) {
      const rows = changes.slice(i, i + LEDGER_CHUNK_ROWS).map((change, offset) => toLedgerRow(change, balanceAfter[i + offset], now));
      // RETURNING lists rows in no promised order. Within one call a user's
      // balance_after strictly grows (every amount is positive), so user and
      // balance_after name each row.
      const inserted = (await trx("ledger").insert(rows).returning(["id", "user_id", "balance_after"])) as Array<{ id: number; user_id: number; balance_after: number }>;
      for (const row of inserted) ledgerIds.set(`${row.user_id}:${row.balance_after}`, Number(row.id));
    }
    return changes.map((change, index) => ({ ledgerId: ledgerIds.get(`${change.userId}:${balanceAfter[index]}`)!, balanceAfter: balanceAfter[index] }));
  }

  /** Applies one change in its own transaction. */
  async change(change: BalanceChange): Promise<{ ledgerId: number; balanceAfter: number }> {
    return this.db.transaction((trx) => this.apply(trx, change));
  }

  /** The user's balance, 0 when unknown. */
  async balanceOf(userId: number): Promise<number> {
    const row = (await this.db("users").where("id", userId).first("balance")) as { balance: number } | undefined;
    return row?.balance ?? 0;
  }

  /** The user's last `limit` ledger rows, newest first. */
  async history(userId: number, limit = 10): Promise<LedgerRow[]> {
    return (await this.db("ledger").where("user_id", userId).orderBy("id", "desc").limit(limit)) as LedgerRow[];
  }
}
