/**
 * Reading the amount a game bot reported, e.g. `14`, `3,000`, `3 000` or
 * `1 250 000` written with the narrow no-break space (U+202F) Russian
 * locales use.
 */

/**
 * Characters game bots put between groups of three digits: comma, space,
 * no-break space (U+00A0), thin space (U+2009), narrow no-break space (U+202F),
 * apostrophe and underscore.
 */
export const THOUSANDS_SEPARATORS = [",", " ", "\u00A0", "\u2009", "\u202F", "'", "_"] as const;

const SEPARATOR_CLASS = "[, \\u00A0\\u2009\\u202F'_]";
const PLAIN = /^\d+$/;
// Separators only count between groups of exactly three digits: "3,000" is
// three thousand, while "3,5" (a decimal comma) is refused rather than read as 35.
const GROUPED = new RegExp(`^\\d{1,3}(?:${SEPARATOR_CLASS}\\d{3})+$`);
const SEPARATORS = new RegExp(SEPARATOR_CLASS, "g");

/** The outcome of {@link parseReportedAmount}. */
export type ReportedAmount = { ok: true; amount: bigint; digits: string } | { ok: false; reason: string };

/**
 * Turns a captured amount into an integer. Leading `+` and surrounding
 * whitespace are ignored; thousands separators are removed; anything else
 * (decimals, signs, letters) is refused with the reason.
 */
export function parseReportedAmount(captured: string): ReportedAmount {
  const text = captured.trim().replace(/^\+/, "");
  if (text === "") return { ok: false, reason: "the amount capture is empty" };
  if (!PLAIN.test(text) && !GROUPED.test(text)) {
    return { ok: false, reason: `"${captured}" is not a whole number of coins` };
  }
  const digits = text.replace(SEPARATORS, "");
  return { ok: true, amount: BigInt(digits), digits };
}
