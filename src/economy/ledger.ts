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
    if (reason === "parse" || reason === "achievement" || reason === "admin_add") {
      updates.total_earned = trx.raw("total_earned + ?", [amount]);
    } else if (reason === "purchase" || reason === "refund") {
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
    const [inserted] = await trx("ledger")
      .insert({
        user_id: userId,
        amount,
        balance_after: balance,
        reason,
        source: change.source ?? null,
        reference: change.reference ?? null,
        actor_id: change.actorId ?? null,
        created_at: this.clock.now(),
      })
      .returning("id");
    const ledgerId = typeof inserted === "object" ? (inserted as { id: number }).id : (inserted as number);
    return { ledgerId, balanceAfter: balance };
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
