/** The longest item name accepted, in characters (the column is 128 wide). */
export const MAX_ITEM_NAME_LENGTH = 64;

/**
 * The form of an item name that the unique key compares, so `Пропуск`,
 * `ПРОПУСК` and `пропуск` are one name (SQLite's NOCASE and lower() fold
 * ASCII only, so the folding happens here).
 *
 * NFKC first (full-width `ＡＢＣ` → `ABC`, ligatures split), then
 * upper-casing followed by lower-casing: JavaScript's locale-independent
 * case mappings turn `ß` into `SS` → `ss` and final `ς` into `Σ` → `σ`,
 * which approximates Unicode full case folding more closely than lower-casing
 * alone. Runs of whitespace count as one space; leading and trailing space is
 * ignored. `ё` and `е` stay different letters (they are different in Russian).
 */
export function foldItemName(name: string): string {
  return normalizeItemName(name).toUpperCase().toLowerCase().normalize("NFKC");
}

/** The name as stored and shown: NFKC, trimmed, inner whitespace collapsed to single spaces. */
export function normalizeItemName(name: string): string {
  return name.normalize("NFKC").replace(/\s+/gu, " ").trim();
}
