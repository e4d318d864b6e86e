import type { Language } from "../config/config.js";
import { translate } from "../i18n/catalogue.js";

/**
 * A duration for a chat reply, in the reader's language, with the two largest
 * units: `2 д 3 ч` / `2d 3h`, `5 мин 10 с` / `5m 10s`, `42 с` / `42s`.
 */
export function formatLocalizedDuration(language: Language, totalSeconds: number): string {
  const seconds = Math.max(0, Math.round(totalSeconds));
  const parts: Array<["admin.duration.days" | "admin.duration.hours" | "admin.duration.minutes" | "admin.duration.seconds", number]> = [
    ["admin.duration.days", Math.floor(seconds / 86400)],
    ["admin.duration.hours", Math.floor((seconds % 86400) / 3600)],
    ["admin.duration.minutes", Math.floor((seconds % 3600) / 60)],
    ["admin.duration.seconds", seconds % 60],
  ];
  const first = parts.findIndex(([, value]) => value > 0);
  if (first === -1) return translate(language, "admin.duration.seconds", { n: 0 });
  return parts
    .slice(first, first + 2)
    .filter(([, value]) => value > 0)
    .map(([key, value]) => translate(language, key, { n: value }))
    .join(" ");
}

/** A point in time for a chat reply: `2026-12-03 10:18 UTC` (the same for every reader: the bot runs in UTC). */
export function formatTimestamp(milliseconds: number): string {
  return `${new Date(milliseconds).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}
