import type { Language } from "../config/config.js";
import { coreMessages } from "./messages/core.js";
import { shopMessages } from "./messages/shop.js";
import { achievementMessages } from "./messages/achievements.js";
import { adminMessages } from "./messages/admin.js";
import { economyMessages } from "./messages/economy.js";
import { parsingMessages } from "./messages/parsing.js";
import { stickerMessages } from "./messages/stickers.js";

/**
 * The one message catalogue: every chat reply comes from here, in Russian and
 * English. Each feature keeps its texts in `messages/<feature>.ts`.
 */
export const catalogue = {
  ...coreMessages,
  ...shopMessages,
  ...achievementMessages,
  ...adminMessages,
  ...economyMessages,
  ...parsingMessages,
  ...stickerMessages,
};

/** A key of the catalogue, e.g. `core.notAdmin`. */
export type MessageKey = keyof typeof catalogue;

/** Values for `{placeholders}`. Numbers are formatted with thousands separators. */
export type MessageParams = Record<string, string | number>;

/** Picks the reply language from Telegram's `language_code` (`ru`, `ru-RU`, `en-US`, ...). */
export function pickLanguage(languageCode: string | undefined, fallback: Language): Language {
  const base = languageCode?.toLowerCase().split(/[-_]/)[0];
  if (base === "ru" || base === "en") return base;
  return fallback;
}

/**
 * One formatter per language, made on first use: creating an
 * Intl.NumberFormat costs far more than formatting with one (and loading the
 * locale data at startup would cost an idle daemon memory).
 */
const numberFormats = new Map<Language, Intl.NumberFormat>();

/** Formats an integer with the language's thousands separator: 12 345 (ru), 12,345 (en). */
export function formatNumber(value: number, language: Language): string {
  let format = numberFormats.get(language);
  if (format === undefined) {
    format = new Intl.NumberFormat(language === "ru" ? "ru-RU" : "en-US", { maximumFractionDigits: 2 });
    numberFormats.set(language, format);
  }
  return format.format(value);
}

/** The text for `key` in `language`, with `{placeholders}` filled in. */
export function translate(language: Language, key: MessageKey, params: MessageParams = {}): string {
  const entry = catalogue[key];
  const template = entry[language];
  return template.replace(/\{(\w+)\}/g, (match, name: string) => {
    const value = params[name];
    if (value === undefined) return match;
    return typeof value === "number" ? formatNumber(value, language) : value;
  });
}
