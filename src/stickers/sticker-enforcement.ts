import { Composer } from "grammy";
import type { BotContext } from "../bot/context.js";
import { enforcementOf, type StickerPermissions } from "./chat-permissions.js";
import type { DeletionScheduler } from "./deletion-scheduler.js";
import type { StickerManager } from "./sticker-manager.js";
import type { StickerNotices } from "./sticker-notice.js";

/** What the enforcement needs. */
export interface StickerEnforcementParts {
  manager: StickerManager;
  deletions: DeletionScheduler;
  notices: StickerNotices;
  permissions: StickerPermissions;
}

/**
 * The group handler: a sticker from a user without an active pass is put on
 * the durable deletion schedule (due after `timings.stickerDeleteDelaySeconds`)
 * and the sender is told once. Never scheduled: stickers from bot accounts
 * (game bots post stickers as part of their games; anonymous admins post as
 * GroupAnonymousBot), from pass holders, and — with `stickers.exemptAdmins` —
 * from the configured admins and the chat's administrators.
 *
 * Cheap checks come first; the chat-admin check is last and uses the cached
 * administrator list (one getChatAdministrators per chat per cache period,
 * however many stickers arrive). The pass check and the notice cooldown are
 * answered from memory, so a sticker costs one database statement — its
 * deletion's INSERT, shared with the stickers scheduled at the same time —
 * plus the restriction check in `restrict` chats only.
 *
 * The INSERT is awaited on purpose: when the handler returns, the deletion is
 * stored, so a crash after handling cannot lose it. (Group commit in
 * {@link DeletionScheduler.schedule} makes that wait short and cheap.)
 */
export function createStickerEnforcement(parts: StickerEnforcementParts): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.chatType(["group", "supergroup"]).on("message:sticker", async (ctx, next) => {
    const { settings, admins, clock } = ctx.services;
    const from = ctx.from;
    const config = settings.current;
    if (from.is_bot) return next();
    const exempt = config.stickers.exemptAdmins;
    if (exempt && admins.isBotAdmin(from.id)) return next();
    const now = clock.now();
    if (await parts.manager.hasActivePass(from.id, now)) return next();
    if (exempt && (await admins.isChatAdmin(ctx.chat.id, from.id))) return next();
    await parts.deletions.schedule({
      chatId: ctx.chat.id,
      messageId: ctx.msg.message_id,
      userId: from.id,
      kind: "sticker",
      sentAt: ctx.msg.date * 1000,
      dueAt: now + Math.round(config.timings.stickerDeleteDelaySeconds * 1000),
    });
    ctx.services.logger.debug("sticker scheduled for deletion", {
      component: "stickers",
      chatId: ctx.chat.id,
      messageId: ctx.msg.message_id,
      userId: from.id,
    });
    if (enforcementOf(settings, ctx.chat.id) === "restrict" && !(await parts.permissions.isRestricted(ctx.chat.id, from.id))) {
      // Restrict mode: a user without a pass loses the permission here too, not only when a pass ends.
      await parts.permissions.restrict(ctx.chat.id, from.id);
    }
    await parts.notices.maybeNotify(ctx);
    return next();
  });
  return composer;
}
