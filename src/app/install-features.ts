import type { Bot } from "grammy";
import { CommandHandlers } from "../bot/command-handlers.js";
import type { BotContext } from "../bot/context.js";
import type { Feature } from "./services.js";

/**
 * Installs the features' handlers into the bot (after the core middleware):
 * first each feature's non-command middleware in feature order, then one
 * router for every feature's commands. A command registered by several
 * features runs theirs in feature order, each passing on with `next()`.
 *
 * The non-command middleware comes first and always passes commands on (the
 * parser only reads game bots' messages, the sticker check only stickers, the
 * announcement capture skips texts starting with "/"), so a command reaches
 * the router whatever the features' order.
 */
export function installFeatures(bot: Bot<BotContext>, features: Iterable<Feature>): void {
  const commands = new CommandHandlers<BotContext>();
  for (const feature of features) {
    if (feature.composer !== undefined) bot.use(feature.composer);
    if (feature.commandHandlers !== undefined) commands.include(feature.commandHandlers);
  }
  bot.use(commands.middleware());
}
