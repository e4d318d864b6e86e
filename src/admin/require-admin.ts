import type { Middleware } from "grammy";
import type { BotContext } from "../bot/context.js";

/** Who may use a command guarded by {@link requireAdmin}. */
export type AdminScope = "bot" | "chat";

/**
 * Guards an admin command. `bot`: only the configured admins; `chat`: also the
 * Telegram administrators of the group the command is sent in. Everyone else
 * gets a short refusal, and the attempt is logged.
 */
export function requireAdmin(scope: AdminScope = "bot"): Middleware<BotContext> {
  return async (ctx, next) => {
    const userId = ctx.from?.id;
    const admins = ctx.services.admins;
    const allowed = scope === "bot" ? admins.isBotAdmin(userId) : await admins.isAdminIn(ctx.chat?.id, userId);
    if (allowed) return next();
    ctx.services.logger.warn("admin command refused", {
      component: "admin",
      userId,
      username: ctx.from?.username,
      chatId: ctx.chat?.id,
      text: ctx.msg?.text?.slice(0, 64),
    });
    await ctx.reply(ctx.t("core.notAdmin"), replyOptions(ctx));
  };
}

/** Reply parameters that quote the command message when there is one (keeps groups readable). */
export function replyOptions(ctx: BotContext): { reply_parameters?: { message_id: number; allow_sending_without_reply: boolean } } {
  const id = ctx.msg?.message_id;
  return id === undefined || ctx.chat?.type === "private" ? {} : { reply_parameters: { message_id: id, allow_sending_without_reply: true } };
}
