import type { Database } from "../database/open-database.js";
import type { CompiledRule, RuleOrigin, RuleRow } from "./parsing-rule.js";

/** Fields of a validated rule that are stored. */
export type StoredRuleFields = Pick<CompiledRule, "name" | "botUsernameFolded" | "botId" | "pattern" | "currency" | "active"> & {
  multiplier: { text: string };
};

/** What {@link saveRule} did. */
export type SaveOutcome = "created" | "updated" | "unchanged" | "kept";

function rowFields(rule: StoredRuleFields) {
  return {
    bot_username_folded: rule.botUsernameFolded,
    bot_id: rule.botId,
    pattern: rule.pattern,
    multiplier: rule.multiplier.text,
    currency: rule.currency,
    active: rule.active,
  };
}

/** Every stored rule, oldest first. */
export async function listRuleRows(db: Database): Promise<RuleRow[]> {
  return (await db("parsing_rules").orderBy("id")) as RuleRow[];
}

/** The rule with this name (exact) or numeric id, or undefined. */
export async function findRuleRow(db: Database, nameOrId: string): Promise<RuleRow | undefined> {
  const byName = (await db("parsing_rules").where("name", nameOrId).first()) as RuleRow | undefined;
  if (byName !== undefined || !/^\d{1,9}$/.test(nameOrId)) return byName;
  return (await db("parsing_rules").where("id", Number(nameOrId)).first()) as RuleRow | undefined;
}

/**
 * Stores a validated rule under its name.
 * - `seed`: inserted only when no rule has the name (an admin's change to a
 *   seeded rule, e.g. disabling it, survives restarts) → `created` or `kept`.
 * - `config`: the config file is the truth for its rules: inserted, or updated
 *   to match it → `created`, `updated` or `unchanged`.
 * - `admin`: inserted, or replaces the stored rule of that name → `created` or `updated`.
 */
export async function saveRule(
  db: Database,
  rule: StoredRuleFields,
  origin: RuleOrigin,
  now: number,
  actorId: number | null = null,
): Promise<SaveOutcome> {
  const existing = (await db("parsing_rules").where("name", rule.name).first()) as RuleRow | undefined;
  const fields = rowFields(rule);
  if (existing === undefined) {
    await db("parsing_rules").insert({ name: rule.name, ...fields, origin, created_by: actorId, created_at: now, updated_at: now });
    return "created";
  }
  if (origin === "seed") return "kept";
  const same =
    existing.bot_username_folded === fields.bot_username_folded &&
    (existing.bot_id === null ? null : Number(existing.bot_id)) === fields.bot_id &&
    existing.pattern === fields.pattern &&
    existing.multiplier === fields.multiplier &&
    existing.currency === fields.currency &&
    Boolean(existing.active) === fields.active &&
    existing.origin === origin;
  if (same) return "unchanged";
  await db("parsing_rules").where("id", existing.id).update({ ...fields, origin, created_by: actorId ?? existing.created_by, updated_at: now });
  return "updated";
}

/** Switches a rule on or off. Returns false when it was already so. */
export async function setRuleActive(db: Database, id: number, active: boolean, now: number): Promise<boolean> {
  const changed = await db("parsing_rules").where("id", id).andWhereNot("active", active).update({ active, updated_at: now });
  return changed > 0;
}
