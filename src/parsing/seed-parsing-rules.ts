import type { Config } from "../config/config.js";
import type { Database } from "../database/open-database.js";
import type { RuleRow } from "./parsing-rule.js";
import { validateRule } from "./parsing-rule.js";
import { saveRule } from "./rule-repository.js";

/**
 * An amount as game bots write it: plain digits (`14`) or groups of three
 * separated by a comma, space, no-break space or narrow no-break space
 * (`3,000`, `1 250 000`). The grouped form is tried first so `3,000` is not
 * cut to `3`; `14 (3947)` still yields 14.
 */
export const AMOUNT_PATTERN = "(\\d{1,3}(?:[,\\u00A0\\u202F ]\\d{3})+|\\d+)";

/**
 * GDcards replies to the player's `/card@gdcardsBot` with a photo captioned
 * `🃏 НОВАЯ КАРТА 🃏 … Игрок: <text mention> … Очки: +2 …`.
 */
export const GDCARDS_PATTERN = `Очки:\\s*\\+${AMOUNT_PATTERN}`;

/**
 * Shmalala names the player in plain text (`Рыбак: LucasTeam Luke`) and then
 * `Монеты: +14 (3947)💰` (14 earned, 3947 the total there). The `user` part is
 * optional: a report that replies to the player credits the reply's author.
 */
export const SHMALALA_PATTERN = `(?:Рыбак:[ \\t]*(?<user>[^\\n]+?)[ \\t]*$[\\s\\S]*?)?Монеты:\\s*\\+${AMOUNT_PATTERN}`;

/** Names of the seeded rules. */
export const SEEDED_RULE_NAMES = { gdcards: "gdcards-points", shmalala: "shmalala-coins" } as const;

/**
 * Seeds the GDcards and Shmalala rules (usernames from `parsing.gdcardsUsername`
 * and `parsing.shmalalaUsername`). Idempotent: an existing rule keeps the
 * admin's changes (pattern, multiplier, active flag); only a seeded rule's
 * bot username follows the config.
 */
export async function seedParsingRules(db: Database, config: Config, now: number): Promise<void> {
  const seeds = [
    { name: SEEDED_RULE_NAMES.gdcards, botUsername: config.parsing.gdcardsUsername, pattern: GDCARDS_PATTERN, currency: "points" },
    { name: SEEDED_RULE_NAMES.shmalala, botUsername: config.parsing.shmalalaUsername, pattern: SHMALALA_PATTERN, currency: "coins" },
  ];
  for (const seed of seeds) {
    const validation = validateRule({ ...seed, multiplier: "1", active: true });
    if (!validation.ok) throw new Error(`seeded parsing rule ${seed.name} is invalid: ${validation.reasons.join(", ")}`);
    const outcome = await saveRule(db, validation.rule, "seed", now);
    if (outcome !== "kept") continue;
    const existing = (await db("parsing_rules").where("name", seed.name).first()) as RuleRow;
    if (existing.origin === "seed" && existing.bot_username_folded !== validation.rule.botUsernameFolded) {
      await db("parsing_rules").where("id", existing.id).update({ bot_username_folded: validation.rule.botUsernameFolded, updated_at: now });
    }
  }
}
