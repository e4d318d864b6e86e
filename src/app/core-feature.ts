import { CommandHandlers } from "../bot/command-handlers.js";
import type { BotContext } from "../bot/context.js";
import { translate } from "../i18n/catalogue.js";
import type { CommandInfo, Feature, FeatureFactory } from "./services.js";

const CORE_COMMANDS: CommandInfo[] = [
  { command: "start", description: "core.command.start" },
  { command: "help", description: "core.command.help" },
];

/**
 * `/start` (registers that the user talks to the bot in private, so notices and
 * broadcasts may reach them) and `/help` (the commands the caller may use).
 */
export const createCoreFeature: FeatureFactory = (services) => {
  const handlers = new CommandHandlers<BotContext>();
  handlers.command("start", async (ctx) => {
    if (ctx.chat.type === "private" && ctx.from !== undefined) await services.roster.markStartedPrivate(ctx.from);
    await ctx.reply(ctx.t("core.start", { name: ctx.from?.first_name ?? "" }));
  });
  handlers.command("help", async (ctx) => {
    const isAdmin = await services.admins.isAdminIn(ctx.chat.type === "private" ? undefined : ctx.chat.id, ctx.from?.id);
    const all = [...services.features.values()].flatMap((feature) => feature.commands ?? []);
    const line = (info: CommandInfo) => `/${info.command} — ${translate(ctx.language, info.description)}`;
    const parts = [ctx.t("core.help.title"), ...all.filter((info) => !info.adminOnly).map(line)];
    if (isAdmin) parts.push("", ctx.t("core.help.adminTitle"), ...all.filter((info) => info.adminOnly).map(line));
    await ctx.reply(parts.join("\n"));
  });
  const feature: Feature = { name: "core", commandHandlers: handlers, commands: CORE_COMMANDS };
  return feature;
};
