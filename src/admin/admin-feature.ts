import { CommandHandlers } from "../bot/command-handlers.js";
import type { CommandInfo, Feature, FeatureFactory, Services } from "../app/services.js";
import type { BotContext } from "../bot/context.js";
import { splitArguments } from "../bot/command-arguments.js";
import type { CleanupResult } from "../tasks/cleanup.js";
import { resolveTargetUser } from "../users/resolve-target.js";
import { formatBackgroundStatus, formatPurged } from "./format-background-status.js";
import { formatUserStats } from "./format-user-stats.js";
import { replyOptions, requireAdmin } from "./require-admin.js";
import { loadUserStats } from "./user-stats.js";

const ADMIN_COMMANDS: CommandInfo[] = [
  { command: "user_stats", description: "admin.command.userStats", adminOnly: true },
  { command: "bg_status", description: "admin.command.bgStatus", adminOnly: true },
  { command: "cleanup_now", description: "admin.command.cleanupNow", adminOnly: true },
];

/**
 * Admin tools in chat:
 * - `/user_stats @username | id | reply` — bot admins anywhere; a group's
 *   Telegram administrators too, in that group and only about users seen in it;
 * - `/bg_status` — the facts of `stickerbot status` (bot admins only);
 * - `/cleanup_now` — runs the cleanup like `stickerbot cleanup` (bot admins only).
 */
export const createAdminFeature: FeatureFactory = (services) => {
  const handlers = new CommandHandlers<BotContext>();

  handlers.command("user_stats", requireAdmin("chat"), async (ctx) => {
    const [argument] = splitArguments(ctx.match);
    const target = await resolveTargetUser(ctx, argument);
    if (!target.ok) {
      const text =
        target.reason === "core.target.missing"
          ? `${ctx.t("core.target.missing")}\n${ctx.t("core.usage", { usage: ctx.t("admin.userStats.usage") })}`
          : ctx.t(target.reason, { user: target.shown });
      await ctx.reply(text, replyOptions(ctx));
      return;
    }
    // A group's administrators see the members of their group only; bot admins see everyone.
    if (!services.admins.isBotAdmin(ctx.from?.id) && !(await isSeenInChat(services, ctx.chat.id, target.user.id))) {
      await ctx.reply(ctx.t("core.target.unknown", { user: argument ?? String(target.user.id) }), replyOptions(ctx));
      return;
    }
    const now = services.clock.now();
    const stats = await loadUserStats(services.db, target.user, now);
    await ctx.reply(formatUserStats(ctx.language, stats, now), replyOptions(ctx));
  });

  handlers.command("bg_status", requireAdmin("bot"), async (ctx) => {
    const features: Record<string, unknown> = {};
    for (const feature of services.features.values()) {
      if (feature.status === undefined) continue;
      try {
        features[feature.name] = await feature.status();
      } catch (error) {
        features[feature.name] = { error: String(error) };
      }
    }
    const text = formatBackgroundStatus(ctx.language, {
      tasksRunning: services.tasks.isRunning(),
      tasks: services.tasks.status(),
      health: services.health.report(),
      features,
      pid: process.pid,
      uptimeSeconds: process.uptime(),
      rssBytes: process.memoryUsage().rss,
      now: services.clock.now(),
    });
    await ctx.reply(text, replyOptions(ctx));
  });

  handlers.command("cleanup_now", requireAdmin("bot"), async (ctx) => {
    services.logger.info("cleanup requested from chat", { component: "admin", userId: ctx.from?.id, chatId: ctx.chat.id });
    // The same path as `stickerbot cleanup`: waits for a run in progress, never overlaps one.
    const record = await services.tasks.runNow("cleanup");
    if (record.outcome === "error") {
      await ctx.reply(ctx.t("admin.cleanup.failed", { error: record.error ?? "" }), replyOptions(ctx));
      return;
    }
    const result = record.result as CleanupResult;
    await ctx.reply(
      ctx.t("admin.cleanup.result", {
        milliseconds: record.durationMilliseconds,
        revoked: result.revokedPasses,
        executed: result.deletions.executed,
        skipped: result.deletions.skipped,
        failed: result.deletions.failed,
        purged: formatPurged(ctx.language, result.purged),
        errors: result.errors.length === 0 ? ctx.t("admin.none") : result.errors.join("\n"),
      }),
      replyOptions(ctx),
    );
  });

  const feature: Feature = { name: "admin", commandHandlers: handlers, commands: ADMIN_COMMANDS };
  return feature;
};

async function isSeenInChat(services: Services, chatId: number, userId: number): Promise<boolean> {
  if (chatId > 0) return false;
  await services.roster.flush();
  const row = await services.db("chat_members").where({ chat_id: chatId, user_id: userId }).first("user_id");
  return row !== undefined;
}
