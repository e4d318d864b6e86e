/**
 * Exact conversion of a reported amount into coins.
 *
 * A multiplier is stored as the decimal string the admin wrote ("1", "0.5",
 * "2.75"), never as a float. It is read as the fraction `numerator / 10^scale`
 * (e.g. "2.75" → 275 / 100) and the conversion is done in BigInt:
 *
 *     converted = floor(amount × numerator / 10^scale)
 *
 * Both factors are non-negative, so BigInt division (which truncates) is the
 * floor. No intermediate value is ever a float, so "0.1" × 30 is exactly 3.
 */

/** The longest multiplier accepted, in characters (the column is 32 wide). */
export const MAX_MULTIPLIER_LENGTH = 32;

/** A multiplier as an exact fraction `numerator / 10^scale`. */
export interface Multiplier {
  /** The decimal string as stored, e.g. `"0.5"`. */
  text: string;
  /** The digits without the decimal point, e.g. 5n for "0.5". */
  numerator: bigint;
  /** 10^(digits after the point), e.g. 10n for "0.5". */
  denominator: bigint;
}

/** The outcome of {@link parseMultiplier}: the fraction, or why the text is not one. */
export type MultiplierParse = { ok: true; multiplier: Multiplier } | { ok: false; reason: string };

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/**
 * Reads a positive decimal multiplier such as `"1"`, `"0.5"` or `"12.345"`.
 * Signs, exponents, commas and zero are refused with the reason.
 */
export function parseMultiplier(text: string): MultiplierParse {
  if (text.length === 0 || text.length > MAX_MULTIPLIER_LENGTH) {
    return { ok: false, reason: `multiplier must be 1 to ${MAX_MULTIPLIER_LENGTH} characters (got "${text}")` };
  }
  const match = DECIMAL.exec(text);
  if (match === null) {
    return { ok: false, reason: `multiplier must be a positive decimal number such as "1" or "0.5" (got "${text}")` };
  }
  const fraction = match[2] ?? "";
  const numerator = BigInt(match[1] + fraction);
  if (numerator === 0n) return { ok: false, reason: `multiplier must be greater than zero (got "${text}")` };
  return { ok: true, multiplier: { text, numerator, denominator: 10n ** BigInt(fraction.length) } };
}

/** The outcome of {@link convertAmount}. */
export type Conversion = { ok: true; converted: number } | { ok: false; reason: string };

/**
 * `floor(amount × multiplier)` as a safe integer number of coins. A zero
 * amount, a zero result (e.g. 1 × 0.5) and results above
 * `Number.MAX_SAFE_INTEGER` are refused with the reason.
 */
export function convertAmount(amount: bigint, multiplier: Multiplier): Conversion {
  if (amount <= 0n) return { ok: false, reason: `amount must be positive (got ${amount})` };
  if (amount > BigInt(Number.MAX_SAFE_INTEGER)) {
    return { ok: false, reason: `amount ${amount} is larger than ${Number.MAX_SAFE_INTEGER}` };
  }
  const converted = (amount * multiplier.numerator) / multiplier.denominator;
  if (converted === 0n) return { ok: false, reason: `amount ${amount} × ${multiplier.text} rounds down to 0 coins` };
  if (converted > BigInt(Number.MAX_SAFE_INTEGER)) {
    return { ok: false, reason: `amount ${amount} × ${multiplier.text} = ${converted} is larger than ${Number.MAX_SAFE_INTEGER}` };
  }
  return { ok: true, converted: Number(converted) };
}
