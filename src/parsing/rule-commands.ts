import { CommandHandlers } from "../bot/command-handlers.js";
import { replyOptions, requireAdmin } from "../admin/require-admin.js";
import type { BotContext } from "../bot/context.js";
import { compileRuleRow, describeRuleBot } from "./parsing-rule.js";
import type { RuleBook } from "./rule-book.js";
import type { RuleManager } from "./rule-manager.js";

/** Telegram's limit is 4096 characters a message; keep a margin. */
const MAX_REPLY_LENGTH = 4000;

/** The parts of `/add_rule name @bot multiplier currency regex…`. */
export interface AddRuleArguments {
  name: string;
  botUsername: string | null;
  botId: number | null;
  multiplier: string;
  currency: string;
  /** Everything after the currency, as written (spaces and line breaks inside are kept). */
  pattern: string;
}

/**
 * Splits `/add_rule` arguments: four words, then the regular expression as
 * the rest of the message (it may contain spaces, so it comes last and is not
 * quoted). The bot is `@username` or its numeric id. Undefined when a part is missing.
 */
export function parseAddRuleArguments(text: string): AddRuleArguments | undefined {
  const match = /^\s*(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+([\s\S]+?)\s*$/u.exec(text);
  if (match === null) return undefined;
  const [, name, bot, multiplier, currency, pattern] = match;
  const isId = /^\d{1,16}$/.test(bot);
  return { name, botUsername: isId ? null : bot, botId: isId ? Number(bot) : null, multiplier, currency, pattern };
}

/** Joins lines into messages under Telegram's length limit. */
export function chunkLines(lines: string[], limit = MAX_REPLY_LENGTH): string[] {
  const chunks: string[] = [];
  let current = "";
  for (const line of lines) {
    const piece = line.length > limit ? `${line.slice(0, limit - 1)}…` : line;
    if (current !== "" && current.length + 1 + piece.length > limit) {
      chunks.push(current);
      current = "";
    }
    current = current === "" ? piece : `${current}\n${piece}`;
  }
  if (current !== "") chunks.push(current);
  return chunks;
}

/**
 * `/rules`, `/add_rule`, `/disable_rule`, `/enable_rule`, `/reload_rules`:
 * bot admins manage the parsing rules without a code change. A refused rule's
 * reply says why; the other rules are untouched.
 */
export function createRuleCommands(manager: RuleManager, book: RuleBook, reloadRules: () => Promise<void>): CommandHandlers<BotContext> {
  const handlers = new CommandHandlers<BotContext>();

  handlers.command("rules", requireAdmin("bot"), async (ctx) => {
    const rows = await manager.listRows();
    if (rows.length === 0) {
      await ctx.reply(ctx.t("parsing.rules.empty"), replyOptions(ctx));
      return;
    }
    const lines = [ctx.t("parsing.rules.title")];
    for (const row of rows) {
      const compiled = compileRuleRow(row);
      if (!compiled.ok) {
        lines.push(ctx.t("parsing.rules.broken", { id: String(row.id), name: row.name, reasons: compiled.reasons.join("; ") }));
        continue;
      }
      const rule = compiled.rule;
      lines.push(
        ctx.t("parsing.rules.line", {
          id: String(rule.id),
          name: rule.name,
          bot: describeRuleBot(rule),
          multiplier: rule.multiplier.text,
          currency: rule.currency,
          state: ctx.t(rule.active ? "parsing.rules.active" : "parsing.rules.inactive"),
          origin: rule.origin,
          pattern: rule.pattern,
        }),
      );
    }
    for (const chunk of chunkLines(lines)) await ctx.reply(chunk, replyOptions(ctx));
  });

  handlers.command("add_rule", requireAdmin("bot"), async (ctx) => {
    const parts = parseAddRuleArguments(ctx.match);
    if (parts === undefined) {
      await ctx.reply(ctx.t("core.usage", { usage: ctx.t("parsing.addRule.usage") }), replyOptions(ctx));
      return;
    }
    const outcome = await manager.addRule({ ...parts, active: true }, ctx.from!.id);
    if (!outcome.ok) {
      const text =
        "configOwned" in outcome
          ? ctx.t("parsing.addRule.configOwned", { name: parts.name })
          : ctx.t("parsing.addRule.refused", { reasons: outcome.reasons.join("; ") });
      await ctx.reply(text, replyOptions(ctx));
      return;
    }
    const rule = outcome.rule;
    await ctx.reply(
      ctx.t(outcome.saved === "created" ? "parsing.addRule.created" : "parsing.addRule.updated", {
        name: rule.name,
        bot: describeRuleBot(rule),
        multiplier: rule.multiplier.text,
        currency: rule.currency,
        active: book.activeRules().length,
      }),
      replyOptions(ctx),
    );
  });

  for (const [command, active] of [["disable_rule", false], ["enable_rule", true]] as const) {
    handlers.command(command, requireAdmin("bot"), async (ctx) => {
      const wanted = ctx.match.trim();
      if (wanted === "") {
        await ctx.reply(ctx.t("parsing.rule.usage"), replyOptions(ctx));
        return;
      }
      const outcome = await manager.setActive(wanted, active, ctx.from!.id);
      if (!outcome.found) {
        await ctx.reply(ctx.t("parsing.rule.unknown", { rule: wanted }), replyOptions(ctx));
        return;
      }
      const name = outcome.row.name;
      const lines = outcome.changed
        ? [ctx.t(active ? "parsing.rule.enabled" : "parsing.rule.disabled", { name })]
        : [ctx.t("parsing.rule.unchanged", { name, state: ctx.t(active ? "parsing.rules.active" : "parsing.rules.inactive") })];
      if (outcome.row.origin === "config") lines.push(ctx.t("parsing.rule.configNote"));
      await ctx.reply(lines.join("\n"), replyOptions(ctx));
    });
  }

  handlers.command("reload_rules", requireAdmin("bot"), async (ctx) => {
    try {
      await reloadRules();
    } catch (error) {
      await ctx.reply(ctx.t("parsing.reload.failed", { reason: error instanceof Error ? error.message : String(error) }), replyOptions(ctx));
      return;
    }
    await ctx.reply(ctx.t("parsing.reload.done", { active: book.activeRules().length, total: book.list().length }), replyOptions(ctx));
  });

  return handlers;
}
