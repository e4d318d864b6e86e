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
 * The INSERT is not awaited: the scheduler gathers deletions for a few
 * milliseconds into one statement, and the chat's next updates go on
 * meanwhile. Awaiting it would not make a crash safer: the runner confirms an
 * update's offset with its next getUpdates, while the update may still be in
 * progress, so a crash loses what is in flight either way (at most the few
 * milliseconds of gathered stickers here). A graceful stop writes them all.
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
    const fields = { component: "stickers", chatId: ctx.chat.id, messageId: ctx.msg.message_id, userId: from.id };
    const logger = ctx.services.logger;
    // Not awaited: the chat's next updates need not wait for the INSERT (the
    // scheduler gathers rows for a few ms), and shutdown writes what is queued.
    void parts.deletions
      .schedule({
        chatId: ctx.chat.id,
        messageId: ctx.msg.message_id,
        userId: from.id,
        kind: "sticker",
        sentAt: ctx.msg.date * 1000,
        dueAt: now + Math.round(config.timings.stickerDeleteDelaySeconds * 1000),
      })
      .then(
        () => logger.debug("sticker scheduled for deletion", fields),
        (error: unknown) => logger.error("could not store a sticker's deletion", { ...fields, error: error instanceof Error ? error.message : String(error) }),
      );
    if (enforcementOf(settings, ctx.chat.id) === "restrict" && !(await parts.permissions.isRestricted(ctx.chat.id, from.id))) {
      // Restrict mode: a user without a pass loses the permission here too, not only when a pass ends.
      await parts.permissions.restrict(ctx.chat.id, from.id);
    }
    await parts.notices.maybeNotify(ctx);
    return next();
  });
  return composer;
}
