import type { CatalogueSection } from "../catalogue-section.js";

/** Replies of the economy: balances, history, admin corrections. */
export const economyMessages = {
  "economy.command.balance": { ru: "ваш баланс монет", en: "your coin balance" },
  "economy.command.history": { ru: "последние 10 операций с монетами", en: "your last 10 coin transactions" },
  "economy.command.addCoins": {
    ru: "начислить монеты: /add_coins @user|ответ сумма [причина]",
    en: "add coins: /add_coins @user|reply amount [reason]",
  },
  "economy.command.removeCoins": {
    ru: "списать монеты: /remove_coins @user|ответ сумма [причина]",
    en: "remove coins: /remove_coins @user|reply amount [reason]",
  },
  "economy.balance": {
    ru: "💰 {user}, ваш баланс: {balance} монет.\nЗаработано всего: {earned} · потрачено: {spent}",
    en: "💰 {user}, your balance: {balance} coins.\nEarned in total: {earned} · spent: {spent}",
  },
  "economy.history.title": { ru: "🧾 Последние операции {user}:", en: "🧾 Last transactions of {user}:" },
  "economy.history.empty": { ru: "У вас ещё нет операций с монетами.", en: "You have no coin transactions yet." },
  "economy.history.line": {
    ru: "{date} {amount} — {reason}{source} · баланс {balance}",
    en: "{date} {amount} — {reason}{source} · balance {balance}",
  },
  "economy.reason.parse": { ru: "выигрыш в игре", en: "game win" },
  "economy.reason.purchase": { ru: "покупка", en: "purchase" },
  "economy.reason.refund": { ru: "возврат", en: "refund" },
  "economy.reason.admin_add": { ru: "начисление администратором", en: "added by an admin" },
  "economy.reason.admin_remove": { ru: "списание администратором", en: "removed by an admin" },
  "economy.reason.achievement": { ru: "достижение", en: "achievement" },
  "economy.addCoins.usage": { ru: "/add_coins @user|ответ сумма [причина]", en: "/add_coins @user|reply amount [reason]" },
  "economy.removeCoins.usage": { ru: "/remove_coins @user|ответ сумма [причина]", en: "/remove_coins @user|reply amount [reason]" },
  "economy.invalidAmount": {
    ru: "Сумма должна быть целым положительным числом монет (получено «{amount}»).",
    en: "The amount must be a positive whole number of coins (got \"{amount}\").",
  },
  "economy.added": {
    ru: "✅ {user}: +{amount} монет. Баланс: {balance}.",
    en: "✅ {user}: +{amount} coins. Balance: {balance}.",
  },
  "economy.removed": {
    ru: "✅ {user}: −{amount} монет. Баланс: {balance}.",
    en: "✅ {user}: −{amount} coins. Balance: {balance}.",
  },
  "economy.insufficient": {
    ru: "❌ Нельзя списать {amount} монет: у {user} только {balance}. Баланс не изменён (он не может стать отрицательным).",
    en: "❌ Cannot remove {amount} coins: {user} has only {balance}. The balance is unchanged (it cannot go below zero).",
  },
} satisfies CatalogueSection;
