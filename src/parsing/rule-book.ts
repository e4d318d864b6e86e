import type { User } from "grammy/types";
import type { Database } from "../database/open-database.js";
import type { Logger } from "../logging/logger.js";
import { type CompiledRule, compileRuleRow, type RuleRow } from "./parsing-rule.js";
import { listRuleRows } from "./rule-repository.js";

/** A stored rule that no longer compiles (e.g. edited in the database by hand), with the reasons. */
export interface BrokenRule {
  row: RuleRow;
  reasons: string[];
}

/**
 * The parsing rules in memory, compiled, indexed by the game bot's folded
 * username and id, so the message parser never reads the database to decide
 * whether a message is a report. {@link load} replaces them all at once.
 */
export class RuleBook {
  private byUsername = new Map<string, CompiledRule[]>();
  private byBotId = new Map<number, CompiledRule[]>();
  private all: CompiledRule[] = [];
  private broken: BrokenRule[] = [];

  constructor(private readonly logger: Logger) {}

  /** Reads every rule from the database and swaps the in-memory set. */
  async load(db: Database): Promise<void> {
    const rows = await listRuleRows(db);
    const all: CompiledRule[] = [];
    const broken: BrokenRule[] = [];
    for (const row of rows) {
      const compiled = compileRuleRow(row);
      if (compiled.ok) all.push(compiled.rule);
      else {
        broken.push({ row, reasons: compiled.reasons });
        this.logger.error("a stored parsing rule is invalid and is ignored", { rule: row.name, reasons: compiled.reasons });
      }
    }
    this.replace(all, broken);
  }

  /** Replaces the rules (used by {@link load}, and by tests). */
  replace(rules: CompiledRule[], broken: BrokenRule[] = []): void {
    const byUsername = new Map<string, CompiledRule[]>();
    const byBotId = new Map<number, CompiledRule[]>();
    for (const rule of rules) {
      if (!rule.active) continue;
      if (rule.botUsernameFolded !== null) push(byUsername, rule.botUsernameFolded, rule);
      if (rule.botId !== null) push(byBotId, rule.botId, rule);
    }
    this.byUsername = byUsername;
    this.byBotId = byBotId;
    this.all = rules;
    this.broken = broken;
  }

  /**
   * The active rules of the bot that sent a message (by username,
   * case-insensitively, or by id), in rule order. Empty for humans.
   */
  rulesFor(from: User | undefined): CompiledRule[] {
    if (from === undefined || !from.is_bot) return [];
    const byId = this.byBotId.get(from.id);
    const byName = from.username === undefined ? undefined : this.byUsername.get(from.username.toLowerCase());
    if (byId === undefined) return byName ?? [];
    if (byName === undefined) return byId;
    return [...new Set([...byId, ...byName])].sort((a, b) => a.id - b.id);
  }

  /** Every active rule, for checking what a human or forwarded message would have matched. */
  activeRules(): CompiledRule[] {
    return this.all.filter((rule) => rule.active);
  }

  /** All compiled rules (active or not), by id. */
  list(): CompiledRule[] {
    return [...this.all];
  }

  /** Rules stored but not compiling. */
  listBroken(): BrokenRule[] {
    return [...this.broken];
  }
}

function push<K>(map: Map<K, CompiledRule[]>, key: K, rule: CompiledRule): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [rule]);
  else list.push(rule);
}
