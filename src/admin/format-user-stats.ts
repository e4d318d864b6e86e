import type { Language } from "../config/config.js";
import { translate } from "../i18n/catalogue.js";
import { displayName } from "../users/user-roster.js";
import { formatLocalizedDuration, formatTimestamp } from "./format-time.js";
import type { UserStats } from "./user-stats.js";

/** The /user_stats reply. */
export function formatUserStats(language: Language, stats: UserStats, now: number): string {
  const t = (key: Parameters<typeof translate>[1], params?: Parameters<typeof translate>[2]) => translate(language, key, params);
  const { user } = stats;
  const yesNo = (value: boolean | number) => t(value ? "admin.userStats.yes" : "admin.userStats.no");
  const left = (expiresAt: number) => formatLocalizedDuration(language, (expiresAt - now) / 1000);
  const lines = [
    t("admin.userStats.title", { name: displayName(user) || "—", username: user.username ? `@${user.username}, ` : "", id: String(user.id) }),
    t("admin.userStats.balance", { balance: Number(user.balance), earned: Number(user.total_earned), spent: Number(user.total_spent), purchases: stats.purchaseCount }),
  ];
  if (stats.stickerPass === null && stats.activePurchases.length === 0) {
    lines.push(t("admin.userStats.subscriptionsNone"));
  } else {
    lines.push(t("admin.userStats.subscriptions"));
    if (stats.stickerPass !== null) {
      lines.push(t("admin.userStats.stickerPass", { left: left(stats.stickerPass.expiresAt), until: formatTimestamp(stats.stickerPass.expiresAt) }));
    }
    for (const purchase of stats.activePurchases) {
      lines.push(t("admin.userStats.purchase", { item: purchase.itemName, left: left(purchase.expiresAt), until: formatTimestamp(purchase.expiresAt) }));
    }
  }
  const lastActive = Number(user.last_active_at);
  lines.push(
    t("admin.userStats.lastActive", {
      at: formatTimestamp(lastActive),
      ago: formatLocalizedDuration(language, (now - lastActive) / 1000),
      streak: Number(user.activity_streak_days),
    }),
    t("admin.userStats.private", { started: yesNo(user.started_private), unreachable: yesNo(user.unreachable) }),
  );
  lines.push(
    stats.achievements.length === 0
      ? t("admin.userStats.achievementsNone")
      : t("admin.userStats.achievements", {
          count: stats.achievements.length,
          list: stats.achievements.map((achievement) => (language === "ru" ? achievement.nameRu : achievement.nameEn)).join(", "),
        }),
  );
  if (stats.recentTransactions.length === 0) {
    lines.push(t("admin.userStats.transactionsNone"));
  } else {
    lines.push(t("admin.userStats.transactions"));
    for (const transaction of stats.recentTransactions) {
      lines.push(
        t("admin.userStats.transaction", {
          at: formatTimestamp(transaction.createdAt),
          source: transaction.sourceBot,
          original: transaction.originalAmount,
          currency: transaction.currency,
          converted: transaction.convertedAmount,
        }),
      );
    }
  }
  return lines.join("\n");
}
