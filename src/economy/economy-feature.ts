import { CommandHandlers } from "../bot/command-handlers.js";
import { replyOptions, requireAdmin } from "../admin/require-admin.js";
import type { CommandInfo, Feature, FeatureFactory } from "../app/services.js";
import type { BotContext } from "../bot/context.js";
import { parsePositiveInteger, splitArguments } from "../bot/command-arguments.js";
import { displayName, type UserRow } from "../users/user-roster.js";
import { resolveTargetUser } from "../users/resolve-target.js";
import { formatHistoryLine } from "./format-history.js";
import { InsufficientFundsError } from "./ledger.js";

const ECONOMY_COMMANDS: CommandInfo[] = [
  { command: "balance", description: "economy.command.balance" },
  { command: "history", description: "economy.command.history" },
  { command: "add_coins", description: "economy.command.addCoins", adminOnly: true },
  { command: "remove_coins", description: "economy.command.removeCoins", adminOnly: true },
];

/** How many ledger rows /history shows. */
export const HISTORY_LENGTH = 10;

/** The ledger's `source` column is 128 characters wide. */
const MAX_SOURCE_LENGTH = 128;

function labelOf(user: Pick<UserRow, "username" | "first_name" | "last_name">): string {
  return user.username !== null && user.username !== "" ? `@${user.username}` : displayName(user);
}

/**
 * Balances and their history for everyone; manual corrections for bot admins
 * (`/add_coins`, `/remove_coins`), written to the ledger with the admin's id.
 * A removal never takes a balance below zero: it is refused whole.
 */
export const createEconomyFeature: FeatureFactory = (services) => {
  const logger = services.logger.child({ component: "economy" });
  const handlers = new CommandHandlers<BotContext>();

  handlers.command("balance", async (ctx) => {
    if (ctx.from === undefined) return;
    const row = await services.roster.ensureUser(ctx.from);
    await ctx.reply(
      ctx.t("economy.balance", {
        user: labelOf(row),
        balance: Number(row.balance),
        earned: Number(row.total_earned),
        spent: Number(row.total_spent),
      }),
      replyOptions(ctx),
    );
  });

  handlers.command("history", async (ctx) => {
    if (ctx.from === undefined) return;
    const rows = await services.ledger.history(ctx.from.id, HISTORY_LENGTH);
    if (rows.length === 0) {
      await ctx.reply(ctx.t("economy.history.empty"), replyOptions(ctx));
      return;
    }
    const name = ctx.from.username !== undefined ? `@${ctx.from.username}` : displayName(ctx.from);
    const lines = [ctx.t("economy.history.title", { user: name }), ...rows.map((row) => formatHistoryLine(row, ctx.language))];
    await ctx.reply(lines.join("\n"), replyOptions(ctx));
  });

  for (const [command, sign] of [["add_coins", 1], ["remove_coins", -1]] as const) {
    const usageKey = sign > 0 ? "economy.addCoins.usage" : "economy.removeCoins.usage";
    handlers.command(command, requireAdmin("bot"), async (ctx) => {
      const words = splitArguments(ctx.match);
      const target = await resolveTargetUser(ctx, words[0]);
      if (!target.ok) {
        const text =
          target.reason === "core.target.missing" ? ctx.t("core.usage", { usage: ctx.t(usageKey) }) : ctx.t(target.reason, { user: target.shown });
        await ctx.reply(text, replyOptions(ctx));
        return;
      }
      const rest = target.consumedArgument ? words.slice(1) : words;
      const amount = parsePositiveInteger(rest[0]);
      if (amount === undefined) {
        const text = rest[0] === undefined ? ctx.t("core.usage", { usage: ctx.t(usageKey) }) : ctx.t("economy.invalidAmount", { amount: rest[0] });
        await ctx.reply(text, replyOptions(ctx));
        return;
      }
      const note = rest.slice(1).join(" ").trim().slice(0, MAX_SOURCE_LENGTH) || null;
      const user = target.user;
      const userId = Number(user.id);
      let balanceAfter: number;
      try {
        const applied = await services.ledger.change({
          userId,
          amount: sign * amount,
          reason: sign > 0 ? "admin_add" : "admin_remove",
          source: note,
          reference: ctx.chat === undefined ? null : `${ctx.chat.id}:${ctx.msg?.message_id ?? 0}`,
          actorId: ctx.from!.id,
        });
        balanceAfter = applied.balanceAfter;
      } catch (error) {
        if (!(error instanceof InsufficientFundsError)) throw error;
        const balance = await services.ledger.balanceOf(userId);
        await ctx.reply(ctx.t("economy.insufficient", { user: labelOf(user), amount, balance }), replyOptions(ctx));
        return;
      }
      logger.info(sign > 0 ? "coins added by an admin" : "coins removed by an admin", { userId, amount, actorId: ctx.from!.id, note, balanceAfter });
      if (sign > 0) {
        try {
          services.events.emit("credited", { userId, amount, reason: "admin_add", chatId: ctx.chat?.id ?? null });
        } catch (error) {
          logger.error("an event listener failed", { error: error instanceof Error ? error.message : String(error) });
        }
      }
      await ctx.reply(ctx.t(sign > 0 ? "economy.added" : "economy.removed", { user: labelOf(user), amount, balance: balanceAfter }), replyOptions(ctx));
    });
  }

  const feature: Feature = { name: "economy", commandHandlers: handlers, commands: ECONOMY_COMMANDS };
  return feature;
};
