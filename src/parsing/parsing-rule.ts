import { type Multiplier, parseMultiplier } from "./multiplier.js";

/** Where a rule came from. Config rules are rewritten from the config file at startup and reload. */
export type RuleOrigin = "seed" | "config" | "admin";

/** A rule as written by an admin, the config file or a seeder, before validation. */
export interface RuleInput {
  name: string;
  /** The game bot's username, with or without @, matched case-insensitively. */
  botUsername?: string | null;
  /** The game bot's Telegram user id. */
  botId?: number | null;
  /** A JavaScript regular expression (compiled with the `m` and `u` flags). */
  pattern: string;
  /** Exact decimal string, e.g. "1" or "0.5". */
  multiplier: string;
  /** The reported currency, e.g. `coins`, `points`. */
  currency: string;
  active: boolean;
}

/** A `parsing_rules` row. */
export interface RuleRow {
  id: number;
  name: string;
  bot_username_folded: string | null;
  bot_id: number | null;
  pattern: string;
  multiplier: string;
  currency: string;
  active: boolean | number;
  origin: RuleOrigin;
  created_by: number | null;
  created_at: number;
  updated_at: number;
}

/** A validated rule, ready to match messages. */
export interface CompiledRule {
  id: number;
  name: string;
  botUsernameFolded: string | null;
  botId: number | null;
  pattern: string;
  regex: RegExp;
  /** Index of the amount's group in a match (the `amount` group, else the first group that is not `user`). */
  amountGroup: number;
  /** Index of the `user` group in a match, null when the rule has none. */
  userGroup: number | null;
  multiplier: Multiplier;
  currency: string;
  active: boolean;
  origin: RuleOrigin;
}

/** The validation outcome: the normalized fields, or every reason the rule is refused. */
export type RuleValidation =
  | { ok: true; rule: Omit<CompiledRule, "id" | "origin"> }
  | { ok: false; reasons: string[] };

/** Longest pattern accepted, in characters. */
export const MAX_PATTERN_LENGTH = 1000;

const RULE_NAME = /^[\p{L}\p{N}_.-]{1,64}$/u;
const BOT_USERNAME = /^[A-Za-z][A-Za-z0-9_]{2,31}$/;
const CURRENCY = /^[\p{L}\p{N}_-]{1,32}$/u;

/**
 * Rule patterns are compiled with `m` (so `^`/`$` match at the lines of a
 * multi-line report; `\s` already crosses line breaks) and `u` (so emoji
 * and Cyrillic are single characters).
 */
export const RULE_REGEX_FLAGS = "mu";

/**
 * Compiles `pattern` the way rules are used. The amount is the named group
 * `amount` when there is one, else the first numbered group; a named group
 * `user` is the optional target.
 */
export function compileRulePattern(
  pattern: string,
): { ok: true; regex: RegExp; amountGroup: number; userGroup: number | null } | { ok: false; reason: string } {
  if (pattern.length === 0) return { ok: false, reason: "the regular expression is empty" };
  if (pattern.length > MAX_PATTERN_LENGTH) {
    return { ok: false, reason: `the regular expression is longer than ${MAX_PATTERN_LENGTH} characters` };
  }
  let regex: RegExp;
  try {
    regex = new RegExp(pattern, RULE_REGEX_FLAGS);
  } catch (error) {
    return { ok: false, reason: `invalid regular expression: ${(error as Error).message}` };
  }
  const groups = listCaptureGroups(pattern);
  const amountGroup = groups.indexOf("amount") !== -1 ? groups.indexOf("amount") : groups.findIndex((name) => name !== "user");
  if (amountGroup === -1) {
    return { ok: false, reason: "the regular expression needs a capture group for the amount, e.g. Монеты:\\s*\\+(\\d+)" };
  }
  if (regex.test("")) return { ok: false, reason: "the regular expression matches an empty message" };
  const userIndex = groups.indexOf("user");
  // Match indices are 1-based: group 0 is the whole match.
  return { ok: true, regex, amountGroup: amountGroup + 1, userGroup: userIndex === -1 ? null : userIndex + 1 };
}

/**
 * Checks a rule: name, source bot (username and/or id), pattern, multiplier,
 * currency. Returns every reason it is refused, for the admin's reply.
 */
export function validateRule(input: RuleInput): RuleValidation {
  const reasons: string[] = [];
  const name = input.name.trim();
  if (!RULE_NAME.test(name)) reasons.push(`name must be 1 to 64 letters, digits, "_", "." or "-" (got "${input.name}")`);
  const username = input.botUsername?.trim().replace(/^@/, "") || null;
  if (username !== null && !BOT_USERNAME.test(username)) reasons.push(`"${input.botUsername}" is not a Telegram username`);
  const botId = input.botId ?? null;
  if (botId !== null && (!Number.isSafeInteger(botId) || botId <= 0)) reasons.push(`bot id must be a positive integer (got ${botId})`);
  if (username === null && botId === null) reasons.push("the source bot is missing: give its @username or id");
  const compiled = compileRulePattern(input.pattern);
  if (!compiled.ok) reasons.push(compiled.reason);
  const multiplier = parseMultiplier(input.multiplier.trim());
  if (!multiplier.ok) reasons.push(multiplier.reason);
  const currency = input.currency.trim();
  if (!CURRENCY.test(currency)) reasons.push(`currency must be 1 to 32 letters or digits (got "${input.currency}")`);
  if (reasons.length > 0 || !compiled.ok || !multiplier.ok) return { ok: false, reasons };
  return {
    ok: true,
    rule: {
      name,
      botUsernameFolded: username?.toLowerCase() ?? null,
      botId,
      pattern: input.pattern,
      regex: compiled.regex,
      amountGroup: compiled.amountGroup,
      userGroup: compiled.userGroup,
      multiplier: multiplier.multiplier,
      currency,
      active: input.active,
    },
  };
}

/** Compiles a stored row; rows that no longer validate come back with their reasons. */
export function compileRuleRow(row: RuleRow): { ok: true; rule: CompiledRule } | { ok: false; reasons: string[] } {
  const validation = validateRule({
    name: row.name,
    botUsername: row.bot_username_folded,
    botId: row.bot_id === null ? null : Number(row.bot_id),
    pattern: row.pattern,
    multiplier: row.multiplier,
    currency: row.currency,
    active: Boolean(row.active),
  });
  if (!validation.ok) return validation;
  return { ok: true, rule: { ...validation.rule, id: row.id, origin: row.origin } };
}

/** How a rule names its source bot in replies and statistics: `@username`, else the id. */
export function describeRuleBot(rule: { botUsernameFolded: string | null; botId: number | null }): string {
  return rule.botUsernameFolded !== null ? `@${rule.botUsernameFolded}` : `id ${rule.botId}`;
}

/**
 * The capturing groups of a (valid) pattern in the order JavaScript numbers
 * them: the group's name, or null for an unnamed group. Escapes, character
 * classes, non-capturing groups and lookarounds are skipped.
 */
export function listCaptureGroups(pattern: string): Array<string | null> {
  const groups: Array<string | null> = [];
  let inClass = false;
  for (let i = 0; i < pattern.length; i += 1) {
    const char = pattern[i];
    if (char === "\\") {
      i += 1; // the escaped character, whatever it is
    } else if (inClass) {
      if (char === "]") inClass = false;
    } else if (char === "[") {
      inClass = true;
    } else if (char === "(") {
      if (pattern[i + 1] !== "?") {
        groups.push(null);
      } else if (pattern[i + 2] === "<" && pattern[i + 3] !== "=" && pattern[i + 3] !== "!") {
        const end = pattern.indexOf(">", i + 3);
        groups.push(pattern.slice(i + 3, end));
      }
    }
  }
  return groups;
}
