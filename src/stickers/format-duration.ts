import type { Language } from "../config/config.js";
import { translate } from "../i18n/catalogue.js";

/**
 * A duration in human units, largest two: `1 d 3 h`, `2 h 5 min`, `45 s`
 * (ru: `1 д 3 ч`). Seconds are rounded up, so a pass with 0.2 s left reads `1 s`.
 */
export function formatDuration(milliseconds: number, language: Language): string {
  let seconds = Math.max(0, Math.ceil(milliseconds / 1000));
  const parts: Array<[number, "stickers.unit.day" | "stickers.unit.hour" | "stickers.unit.minute" | "stickers.unit.second"]> = [];
  const days = Math.floor(seconds / 86400);
  seconds -= days * 86400;
  const hours = Math.floor(seconds / 3600);
  seconds -= hours * 3600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  if (days > 0) parts.push([days, "stickers.unit.day"]);
  if (hours > 0) parts.push([hours, "stickers.unit.hour"]);
  if (minutes > 0) parts.push([minutes, "stickers.unit.minute"]);
  if (seconds > 0 || parts.length === 0) parts.push([seconds, "stickers.unit.second"]);
  return parts
    .slice(0, 2)
    .map(([n, key]) => translate(language, key, { n }))
    .join(" ");
}

/** `2026-01-01 12:30` (UTC), for "valid until". */
export function formatUtc(milliseconds: number): string {
  return new Date(milliseconds).toISOString().slice(0, 16).replace("T", " ");
}
