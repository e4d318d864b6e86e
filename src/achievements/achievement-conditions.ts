import type { Database } from "../database/open-database.js";
import type { AppEventMap } from "../economy/app-events.js";
import { DAY_MILLISECONDS } from "../time/durations.js";

/**
 * What an achievement measures. Each condition is a number per user compared
 * with the achievement's `threshold` (unlocked when value ≥ threshold):
 * - `earned_at_least`: coins earned from game reports and admin grants (ledger `parse` + `admin_add`; rewards and refunds do not count);
 * - `balance_at_least`: the current balance;
 * - `purchases_at_least`: completed purchases (`users.purchase_count`; refunds take one back);
 * - `sticker_passes_at_least`: 1 once the user ever had a sticker pass (bought or granted), else 0;
 * - `parsed_wins_at_least`: game wins credited from reports (ledger rows `parse`; the ledger is never purged);
 * - `activity_streak_at_least`: consecutive UTC days with activity, up to today or yesterday (else 0).
 */
export type AchievementCondition =
  | "earned_at_least"
  | "balance_at_least"
  | "purchases_at_least"
  | "sticker_passes_at_least"
  | "parsed_wins_at_least"
  | "activity_streak_at_least";

/** Every condition the checker knows; a definition with another condition is refused at startup. */
export const ACHIEVEMENT_CONDITIONS: readonly AchievementCondition[] = [
  "earned_at_least",
  "balance_at_least",
  "purchases_at_least",
  "sticker_passes_at_least",
  "parsed_wins_at_least",
  "activity_streak_at_least",
];

/** Which events can change each condition's value: the checker looks only at those. */
export const CONDITION_EVENTS: Record<AchievementCondition, ReadonlyArray<keyof AppEventMap>> = {
  earned_at_least: ["credited", "parsed"],
  balance_at_least: ["credited", "parsed", "purchased"],
  purchases_at_least: ["purchased"],
  sticker_passes_at_least: ["passGranted", "purchased"],
  parsed_wins_at_least: ["parsed"],
  activity_streak_at_least: ["active"],
};

/** Whether `text` is a known condition. */
export function isAchievementCondition(text: string): text is AchievementCondition {
  return (ACHIEVEMENT_CONDITIONS as readonly string[]).includes(text);
}


/**
 * The activity streak a users row shows at `now` (ms): its
 * `activity_streak_days`, or 0 when the last active UTC day is before
 * yesterday (a streak that missed a whole day is over, even before the next
 * activity resets it).
 */
export function streakValue(row: { activity_streak_days: number; last_active_day: number | null }, now: number): number {
  const today = Math.floor(now / DAY_MILLISECONDS);
  return row.last_active_day !== null && Number(row.last_active_day) >= today - 1 ? Number(row.activity_streak_days) : 0;
}

/** The user's current value of `condition` (0 for an unknown user). `now` in ms decides whether a streak is still alive. */
export async function measureCondition(db: Database, condition: AchievementCondition, userId: number, now: number): Promise<number> {
  switch (condition) {
    case "earned_at_least": {
      const row = (await db("ledger").where("user_id", userId).whereIn("reason", ["parse", "admin_add"]).sum({ total: "amount" }).first()) as
        | { total: number | string | null }
        | undefined;
      return Number(row?.total ?? 0);
    }
    case "parsed_wins_at_least": {
      const row = (await db("ledger").where({ user_id: userId, reason: "parse" }).count({ count: "*" }).first()) as { count: number | string } | undefined;
      return Number(row?.count ?? 0);
    }
    case "sticker_passes_at_least": {
      const row = await db("sticker_passes").where("user_id", userId).first("user_id");
      return row === undefined ? 0 : 1;
    }
    case "balance_at_least":
    case "purchases_at_least":
    case "activity_streak_at_least": {
      const row = (await db("users").where("id", userId).first("balance", "purchase_count", "activity_streak_days", "last_active_day")) as
        | { balance: number; purchase_count: number; activity_streak_days: number; last_active_day: number | null }
        | undefined;
      if (row === undefined) return 0;
      if (condition === "balance_at_least") return Number(row.balance);
      if (condition === "purchases_at_least") return Number(row.purchase_count);
      return streakValue(row, now);
    }
  }
}
