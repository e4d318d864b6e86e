import type { Config } from "../config/config.js";
import type { Database } from "../database/open-database.js";
import type { AchievementDefinition } from "./achievement-definition.js";

/**
 * The default achievements. Every one uses a condition the checker measures
 * (see `achievement-conditions.ts`), so each can really be unlocked.
 */
export const DEFAULT_ACHIEVEMENTS: AchievementDefinition[] = [
  {
    code: "first_earning", sort_order: 10, condition: "earned_at_least", threshold: 1, reward: 10,
    name_ru: "Первый заработок", name_en: "First earnings",
    description_ru: "Заработать первые монеты в игре", description_en: "Earn your first coins in a game",
  },
  {
    code: "balance_1000", sort_order: 20, condition: "balance_at_least", threshold: 1000, reward: 50,
    name_ru: "Тысячник", name_en: "Thousandaire",
    description_ru: "Накопить 1 000 монет на балансе", description_en: "Have 1,000 coins on your balance",
  },
  {
    code: "balance_10000", sort_order: 30, condition: "balance_at_least", threshold: 10000, reward: 300,
    name_ru: "Богач", name_en: "Tycoon",
    description_ru: "Накопить 10 000 монет на балансе", description_en: "Have 10,000 coins on your balance",
  },
  {
    code: "first_purchase", sort_order: 40, condition: "purchases_at_least", threshold: 1, reward: 20,
    name_ru: "Первая покупка", name_en: "First purchase",
    description_ru: "Купить что-нибудь в магазине", description_en: "Buy something in the shop",
  },
  {
    code: "purchases_10", sort_order: 50, condition: "purchases_at_least", threshold: 10, reward: 100,
    name_ru: "Постоянный покупатель", name_en: "Regular customer",
    description_ru: "Совершить 10 покупок", description_en: "Make 10 purchases",
  },
  {
    code: "first_sticker_pass", sort_order: 60, condition: "sticker_passes_at_least", threshold: 1, reward: 20,
    name_ru: "Стикерный пропуск", name_en: "Sticker licence",
    description_ru: "Получить первый стикерпасс", description_en: "Get your first sticker pass",
  },
  {
    code: "parsed_wins_100", sort_order: 70, condition: "parsed_wins_at_least", threshold: 100, reward: 200,
    name_ru: "Сотня побед", name_en: "A hundred wins",
    description_ru: "100 засчитанных побед в играх", description_en: "100 credited game wins",
  },
  {
    code: "activity_streak_7", sort_order: 80, condition: "activity_streak_at_least", threshold: 7, reward: 70,
    name_ru: "Неделя подряд", name_en: "Seven-day streak",
    description_ru: "Быть активным 7 дней подряд", description_en: "Be active 7 days in a row",
  },
];

/**
 * Inserts the default achievements that are missing. Existing rows are left
 * as they are (an operator may have tuned a threshold or reward). Idempotent.
 */
export async function seedAchievements(db: Database, _config: Config, _now: number): Promise<void> {
  for (const definition of DEFAULT_ACHIEVEMENTS) {
    await db("achievements").insert(definition).onConflict("code").ignore();
  }
}
