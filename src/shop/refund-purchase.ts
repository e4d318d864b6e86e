import type { Database } from "../database/open-database.js";
import type { AppEvents } from "../economy/app-events.js";
import type { Ledger } from "../economy/ledger.js";
import type { Clock } from "../time/clock.js";
import { purchaseReference, type PurchaseRow } from "./purchase-record.js";

/** What {@link refundPurchase} needs. */
export interface RefundDependencies {
  db: Database;
  ledger: Ledger;
  clock: Clock;
  events: AppEvents;
}

/** The result of a refund that happened. */
export interface RefundResult {
  purchase: PurchaseRow;
  /** The buyer's balance after the refund, in coins. */
  balanceAfter: number;
}

/**
 * Gives a purchase's price back, once: the status change from pending/active
 * to refunded is conditional, so a timeout racing a /cancel (or a restart
 * repeating a refund) refunds only once. The ledger row (`reason: "refund"`,
 * same `purchase:<id>` reference as the debit), the status and the purchase
 * count change in one transaction. Returns null when the purchase was already
 * refunded or completed.
 *
 * `reason` is stored in `purchases.refund_reason` (short, for people: "no admin could be reached").
 */
export async function refundPurchase(deps: RefundDependencies, purchaseId: number, reason: string): Promise<RefundResult | null> {
  const now = deps.clock.now();
  const result = await deps.db.transaction(async (trx) => {
    const changed = await trx("purchases")
      .where("id", purchaseId)
      .whereIn("status", ["pending", "active"])
      .update({ status: "refunded", refunded_at: now, refund_reason: reason.slice(0, 256) });
    if (changed === 0) return null;
    const purchase = (await trx("purchases").where("id", purchaseId).first()) as PurchaseRow;
    const { balanceAfter } = await deps.ledger.apply(trx, {
      userId: purchase.user_id,
      amount: Number(purchase.price),
      reason: "refund",
      source: purchase.item_name,
      reference: purchaseReference(purchase.id),
    });
    // A refunded purchase does not count (the purchase achievements read this).
    await trx("users").where("id", purchase.user_id).andWhere("purchase_count", ">", 0).decrement("purchase_count", 1);
    return { purchase, balanceAfter };
  });
  if (result !== null) {
    deps.events.emit("credited", { userId: result.purchase.user_id, amount: Number(result.purchase.price), reason: "refund", chatId: result.purchase.chat_id });
  }
  return result;
}
