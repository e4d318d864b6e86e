import { CommandHandlers } from "../bot/command-handlers.js";
import { replyOptions } from "../admin/require-admin.js";
import type { CommandInfo, Feature, FeatureFactory } from "../app/services.js";
import type { BotContext } from "../bot/context.js";
import { formatUtc } from "../stickers/format-duration.js";
import { achievementDescription, achievementName } from "./achievement-definition.js";
import { AchievementService } from "./achievement-service.js";

const ACHIEVEMENT_COMMANDS: CommandInfo[] = [{ command: "achievements", description: "achievements.command.achievements" }];

/** The achievements feature, with its service (tests wait on `service.idle()`). */
export type AchievementsFeature = Feature & { service: AchievementService };

/**
 * Achievements: checked on the app events (credits, game wins, purchases,
 * sticker passes, activity), rewarded through the ledger, listed by
 * /achievements. Comes after the features that emit those events.
 */
export const createAchievementsFeature: FeatureFactory = (services) => {
  const service = new AchievementService(services);
  const handlers = new CommandHandlers<BotContext>();
  handlers.command("achievements", async (ctx) => {
    if (ctx.from === undefined) return;
    await services.roster.flush();
    const progress = await service.progressOf(ctx.from.id);
    const unlocked = progress.filter((entry) => entry.unlockedAt !== null);
    const locked = progress.filter((entry) => entry.unlockedAt === null);
    const lines = [ctx.t("achievements.title", { unlocked: unlocked.length, total: progress.length })];
    if (unlocked.length > 0) {
      lines.push("", ctx.t("achievements.unlockedTitle"));
      for (const entry of unlocked) {
        lines.push(ctx.t("achievements.unlockedLine", {
          name: achievementName(entry.definition, ctx.language),
          date: formatUtc(entry.unlockedAt!).slice(0, 10),
          reward: entry.definition.reward,
        }));
      }
    }
    if (locked.length > 0) {
      lines.push("", ctx.t("achievements.lockedTitle"));
      for (const entry of locked) {
        lines.push(ctx.t("achievements.lockedLine", {
          name: achievementName(entry.definition, ctx.language),
          description: achievementDescription(entry.definition, ctx.language),
          value: entry.value,
          threshold: entry.definition.threshold,
          reward: entry.definition.reward,
        }));
      }
    }
    await ctx.reply(lines.join("\n"), replyOptions(ctx));
  });
  const feature: AchievementsFeature = {
    name: "achievements",
    commandHandlers: handlers,
    commands: ACHIEVEMENT_COMMANDS,
    service,
    start: () => service.start(),
    stop: () => service.stop(),
    reload: () => service.loadDefinitions(),
    status: () => ({ definitions: service.list().length, rememberedUsers: service.rememberedUsers, pendingChecks: service.pendingChecks }),
  };
  return feature;
};
