import type { ShopItemType } from "./item-types.js";

/**
 * Where a purchase is:
 * - `pending`: charged, activation in progress (mention_all: waiting for the announcement text);
 * - `active`: delivered and running until `expires_at` (sticker passes);
 * - `completed`: delivered (admin calls, custom items, posted announcements);
 * - `refunded`: the price was given back (`refund_reason` says why).
 */
export type PurchaseStatus = "pending" | "active" | "completed" | "refunded";

/** A purchase as stored. */
export interface PurchaseRow {
  id: number;
  user_id: number;
  item_id: number;
  item_name: string;
  item_type: ShopItemType;
  chat_id: number;
  /** The price paid, in coins. */
  price: number;
  status: PurchaseStatus;
  created_at: number;
  expires_at: number | null;
  refunded_at: number | null;
  refund_reason: string | null;
}

/** The ledger reference of a purchase and of its refund: `purchase:<id>`. */
export function purchaseReference(purchaseId: number): string {
  return `purchase:${purchaseId}`;
}
