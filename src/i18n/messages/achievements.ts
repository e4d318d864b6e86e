import type { CatalogueSection } from "../catalogue-section.js";

/** Replies of the achievements feature: the congratulation and /achievements. */
export const achievementMessages = {
  "achievements.command.achievements": { ru: "ваши достижения и прогресс", en: "your achievements and progress" },
  "achievements.unlocked": {
    ru: "🏆 {name} получает достижение «{achievement}»! Награда: {reward} монет (баланс: {balance}).",
    en: "🏆 {name} unlocked \"{achievement}\"! Reward: {reward} coins (balance: {balance}).",
  },
  "achievements.unlockedNoReward": {
    ru: "🏆 {name} получает достижение «{achievement}»!",
    en: "🏆 {name} unlocked \"{achievement}\"!",
  },
  "achievements.title": { ru: "🏆 Достижения: {unlocked} из {total}", en: "🏆 Achievements: {unlocked} of {total}" },
  "achievements.unlockedTitle": { ru: "Получены:", en: "Unlocked:" },
  "achievements.unlockedLine": { ru: "✅ {name} — {date} (+{reward})", en: "✅ {name} — {date} (+{reward})" },
  "achievements.lockedTitle": { ru: "Впереди:", en: "Still to come:" },
  "achievements.lockedLine": {
    ru: "▫️ {name}: {description} — {value}/{threshold} (+{reward})",
    en: "▫️ {name}: {description} — {value}/{threshold} (+{reward})",
  },
} satisfies CatalogueSection;
