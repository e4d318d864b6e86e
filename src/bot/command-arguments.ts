/**
 * Splits a command's argument string into words. Double quotes (or « »)
 * group words: `"Gold pass" 500 sticker` → [`Gold pass`, `500`, `sticker`].
 * An unterminated quote takes the rest of the line.
 */
export function splitArguments(text: string): string[] {
  const words: string[] = [];
  const pattern = /"([^"]*)"?|«([^»]*)»?|(\S+)/gu;
  for (const match of text.matchAll(pattern)) {
    words.push(match[1] ?? match[2] ?? match[3] ?? "");
  }
  return words;
}

/** Parses a positive safe integer written in decimal digits (no signs, no decimals), else undefined. */
export function parsePositiveInteger(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d{1,15}$/.test(text)) return undefined;
  const value = Number(text);
  return value > 0 && Number.isSafeInteger(value) ? value : undefined;
}

/** Parses `30m`, `2h`, `1d`, `45s`, `1d12h` or a bare number of seconds into seconds; undefined when invalid. */
export function parseDurationSeconds(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const trimmed = text.trim().toLowerCase();
  if (/^\d+$/.test(trimmed)) return parsePositiveInteger(trimmed);
  const match = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(trimmed);
  if (match === null || trimmed === "") return undefined;
  const [, days, hours, minutes, seconds] = match;
  const total = Number(days ?? 0) * 86400 + Number(hours ?? 0) * 3600 + Number(minutes ?? 0) * 60 + Number(seconds ?? 0);
  return total > 0 && total <= 366 * 86400 ? total : undefined;
}
