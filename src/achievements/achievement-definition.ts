import type { Language } from "../config/config.js";
import type { AchievementCondition } from "./achievement-conditions.js";

/** An achievement as stored in `achievements`. `reward` is integer coins. */
export interface AchievementDefinition {
  code: string;
  name_ru: string;
  name_en: string;
  description_ru: string;
  description_en: string;
  condition: AchievementCondition;
  threshold: number;
  reward: number;
  sort_order: number;
}

/** The achievement's name in `language`. */
export function achievementName(definition: AchievementDefinition, language: Language): string {
  return language === "ru" ? definition.name_ru : definition.name_en;
}

/** The achievement's description in `language`. */
export function achievementDescription(definition: AchievementDefinition, language: Language): string {
  return language === "ru" ? definition.description_ru : definition.description_en;
}
