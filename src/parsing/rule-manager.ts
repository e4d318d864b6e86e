import type { ParsingRuleConfig } from "../config/config.js";
import type { Database } from "../database/open-database.js";
import type { Logger } from "../logging/logger.js";
import type { Clock } from "../time/clock.js";
import { type CompiledRule, type RuleInput, type RuleRow, validateRule } from "./parsing-rule.js";
import type { RuleBook } from "./rule-book.js";
import { findRuleRow, listRuleRows, saveRule, setRuleActive } from "./rule-repository.js";

/** Thrown by {@link RuleManager.syncConfigRules} in strict mode when config rules do not validate. */
export class InvalidConfigRulesError extends Error {
  override readonly name = "InvalidConfigRulesError";
  constructor(readonly problems: string[]) {
    super(`invalid parsing rules in the config: ${problems.join("; ")}`);
  }
}

/** The outcome of {@link RuleManager.addRule}. */
export type AddRuleOutcome =
  | { ok: true; saved: "created" | "updated"; rule: CompiledRule }
  | { ok: false; reasons: string[] }
  | { ok: false; configOwned: true };

/** The outcome of {@link RuleManager.setActive}. */
export type SetActiveOutcome = { found: false } | { found: true; changed: boolean; row: RuleRow };

/**
 * Keeps the stored rules, the config file's rules and the compiled rules in
 * memory in step. Every change goes to the database first, then the
 * in-memory {@link RuleBook} is rebuilt from it.
 */
export class RuleManager {
  constructor(
    private readonly db: Database,
    private readonly book: RuleBook,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /**
   * Writes the config file's rules to the database (by name; the file wins)
   * and disables config rules no longer in the file. `strict` (reload): any
   * invalid rule rejects the whole set and nothing is written. Otherwise
   * (startup) invalid rules are logged and skipped.
   */
  async syncConfigRules(rules: readonly ParsingRuleConfig[], strict: boolean): Promise<void> {
    const problems: string[] = [];
    const valid: CompiledRule[] = [];
    rules.forEach((input, index) => {
      const validation = validateRule(input);
      if (validation.ok) valid.push({ ...validation.rule, id: 0, origin: "config" });
      else problems.push(`parsing.rules[${index}] (${input.name}): ${validation.reasons.join(", ")}`);
    });
    if (problems.length > 0) {
      if (strict) throw new InvalidConfigRulesError(problems);
      for (const problem of problems) this.logger.error("a parsing rule in the config is invalid and is ignored", { problem });
    }
    const now = this.clock.now();
    await this.db.transaction(async (trx) => {
      for (const rule of valid) {
        const outcome = await saveRule(trx, rule, "config", now);
        if (outcome !== "unchanged") this.logger.info(`config parsing rule ${outcome}`, { rule: rule.name });
      }
      const names = rules.map((rule) => rule.name);
      const dropped = await trx("parsing_rules")
        .where("origin", "config")
        .andWhere("active", true)
        .whereNotIn("name", names)
        .update({ active: false, updated_at: now });
      if (dropped > 0) this.logger.info("parsing rules removed from the config were disabled", { count: dropped });
    });
  }

  /** Rebuilds the in-memory rules from the database. */
  async load(): Promise<void> {
    await this.book.load(this.db);
  }

  /** Adds (or replaces, unless it belongs to the config file) an admin's rule, then reloads. */
  async addRule(input: RuleInput, actorId: number): Promise<AddRuleOutcome> {
    const validation = validateRule(input);
    if (!validation.ok) return validation;
    const existing = await findRuleRow(this.db, validation.rule.name);
    if (existing !== undefined && existing.name === validation.rule.name && existing.origin === "config") {
      return { ok: false, configOwned: true };
    }
    const saved = await saveRule(this.db, validation.rule, "admin", this.clock.now(), actorId);
    await this.load();
    const rule = this.book.list().find((candidate) => candidate.name === validation.rule.name)!;
    this.logger.info("parsing rule saved by an admin", { rule: rule.name, saved, actorId, bot: rule.botUsernameFolded ?? rule.botId });
    return { ok: true, saved: saved === "created" ? "created" : "updated", rule };
  }

  /** Switches the rule with this name or id on or off, then reloads. */
  async setActive(nameOrId: string, active: boolean, actorId: number): Promise<SetActiveOutcome> {
    const row = await findRuleRow(this.db, nameOrId);
    if (row === undefined) return { found: false };
    const changed = await setRuleActive(this.db, row.id, active, this.clock.now());
    if (changed) {
      await this.load();
      this.logger.info(active ? "parsing rule enabled" : "parsing rule disabled", { rule: row.name, actorId });
    }
    return { found: true, changed, row };
  }

  /** Every stored row, for /rules. */
  async listRows(): Promise<RuleRow[]> {
    return listRuleRows(this.db);
  }
}
