import { Composer } from "grammy";
import { replyOptions } from "../admin/require-admin.js";
import type { BotContext } from "../bot/context.js";
import type { MentionAllService } from "./mention-all-service.js";

/**
 * The capture of a mention-all announcement: the buyer's next text message in
 * the chat that is not a command. Everything else passes on. Commands are not
 * announcements: /cancel cancels, and /shop still works while waiting.
 */
export function createMentionTextCapture(mentions: MentionAllService): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.on("message:text", async (ctx, next) => {
    const prompt = ctx.from.is_bot ? undefined : mentions.findWaiting(ctx.chat.id, ctx.from.id);
    if (prompt === undefined || ctx.msg.text.startsWith("/")) return next();
    const outcome = await mentions.submitText(prompt, ctx.from, ctx.msg.text, ctx.msg.entities, ctx.language);
    if (outcome === "tooLong") await ctx.reply(ctx.t("shop.mention.tooLong"), replyOptions(ctx));
    else if (outcome === "notWaiting") await next();
  });
  return composer;
}
