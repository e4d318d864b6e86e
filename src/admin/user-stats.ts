import type { Database } from "../database/open-database.js";
import type { UserRow } from "../users/user-roster.js";

/** Everything /user_stats shows about one user. Money is integer coins; times are milliseconds. */
export interface UserStats {
  user: UserRow;
  /** Purchases that were not refunded. */
  purchaseCount: number;
  /** The sticker pass, when one is in force now. */
  stickerPass: { expiresAt: number } | null;
  /** Purchases other than sticker passes still in force (status active, expires in the future), soonest expiry first. */
  activePurchases: Array<{ itemName: string; expiresAt: number }>;
  achievements: Array<{ code: string; nameRu: string; nameEn: string; unlockedAt: number }>;
  /** The latest credits from game bots' reports, newest first. */
  recentTransactions: Array<{ createdAt: number; sourceBot: string; originalAmount: number; convertedAmount: number; currency: string }>;
}

/** How many parsed transactions /user_stats lists. */
export const RECENT_TRANSACTION_COUNT = 10;

/** Reads a user's statistics at time `now` (ms), from the economy, sticker and shop tables. */
export async function loadUserStats(db: Database, user: UserRow, now: number): Promise<UserStats> {
  const userId = user.id;
  const purchaseRow = (await db("purchases").where({ user_id: userId }).whereNot({ status: "refunded" }).count({ count: "*" }).first()) as
    | { count: number | string }
    | undefined;
  const pass = (await db("sticker_passes")
    .where({ user_id: userId })
    .whereNull("revoked_at")
    .andWhere("expires_at", ">", now)
    .first("expires_at")) as { expires_at: number } | undefined;
  // Sticker-pass purchases are shown through the pass itself (extensions move its expiry).
  const purchases = (await db("purchases")
    .where({ user_id: userId, status: "active" })
    .whereNot({ item_type: "sticker" })
    .whereNotNull("expires_at")
    .andWhere("expires_at", ">", now)
    .orderBy("expires_at")
    .select("item_name", "item_id", "expires_at")) as Array<{ item_name: string | null; item_id: number; expires_at: number }>;
  const achievements = (await db("user_achievements")
    .join("achievements", "achievements.code", "user_achievements.code")
    .where("user_achievements.user_id", userId)
    .orderBy("user_achievements.unlocked_at")
    .select("achievements.code", "achievements.name_ru", "achievements.name_en", "user_achievements.unlocked_at")) as Array<{
    code: string;
    name_ru: string;
    name_en: string;
    unlocked_at: number;
  }>;
  const transactions = (await db("parsed_transactions")
    .where({ user_id: userId })
    .orderBy([{ column: "created_at", order: "desc" }, { column: "id", order: "desc" }])
    .limit(RECENT_TRANSACTION_COUNT)
    .select("created_at", "source_bot", "original_amount", "converted_amount", "currency")) as Array<{
    created_at: number;
    source_bot: string;
    original_amount: number;
    converted_amount: number;
    currency: string;
  }>;
  return {
    user,
    purchaseCount: Number(purchaseRow?.count ?? 0),
    stickerPass: pass === undefined ? null : { expiresAt: Number(pass.expires_at) },
    activePurchases: purchases.map((row) => ({ itemName: row.item_name ?? `#${row.item_id}`, expiresAt: Number(row.expires_at) })),
    achievements: achievements.map((row) => ({ code: row.code, nameRu: row.name_ru, nameEn: row.name_en, unlockedAt: Number(row.unlocked_at) })),
    recentTransactions: transactions.map((row) => ({
      createdAt: Number(row.created_at),
      sourceBot: row.source_bot,
      originalAmount: Number(row.original_amount),
      convertedAmount: Number(row.converted_amount),
      currency: row.currency,
    })),
  };
}
