import { CommandHandlers } from "../bot/command-handlers.js";
import { replyOptions, requireAdmin } from "../admin/require-admin.js";
import type { BotContext } from "../bot/context.js";
import type { Database } from "../database/open-database.js";
import type { Clock } from "../time/clock.js";
import { computeParsingStats, STATS_PERIODS, type StatsPeriod } from "./parsing-stats.js";

/** How statistics name a source bot: `@username`, or the bare id. */
function showBot(sourceBot: string): string {
  return /^\d+$/.test(sourceBot) ? `id ${sourceBot}` : `@${sourceBot}`;
}

/** Formats the statistics of the given periods (numbers with the language's thousands separators). */
export async function formatParsingStats(ctx: BotContext, db: Database, now: number, periods: StatsPeriod[]): Promise<string> {
  const blocks: string[] = [];
  for (const period of periods) {
    const stats = await computeParsingStats(db, now - STATS_PERIODS[period]);
    const lines = [ctx.t("parsing.stats.title", { period: ctx.t(`parsing.stats.period.${period}` as const) })];
    if (stats.length === 0) lines.push(ctx.t("parsing.stats.none"));
    for (const entry of stats) {
      lines.push(
        ctx.t("parsing.stats.line", {
          bot: showBot(entry.sourceBot),
          successes: entry.successes,
          failures: entry.failures,
          percent: entry.successPercent,
          original: entry.totalOriginal,
          converted: entry.totalConverted,
        }),
      );
    }
    blocks.push(lines.join("\n"));
  }
  return blocks.join("\n\n");
}

/** `/parsing_stats [24h|7d|30d]` for bot admins: all three periods by default. */
export function createStatsCommand(db: Database, clock: Clock): CommandHandlers<BotContext> {
  const handlers = new CommandHandlers<BotContext>();
  handlers.command("parsing_stats", requireAdmin("bot"), async (ctx) => {
    const argument = ctx.match.trim().toLowerCase();
    let periods: StatsPeriod[];
    if (argument === "") periods = ["24h", "7d", "30d"];
    else if (Object.hasOwn(STATS_PERIODS, argument)) periods = [argument as StatsPeriod];
    else {
      await ctx.reply(ctx.t("core.usage", { usage: ctx.t("parsing.stats.usage") }), replyOptions(ctx));
      return;
    }
    await ctx.reply(await formatParsingStats(ctx, db, clock.now(), periods), replyOptions(ctx));
  });
  return handlers;
}
