import { CommandHandlers } from "../bot/command-handlers.js";
import type { CommandInfo } from "../app/services.js";
import { replyOptions, requireAdmin } from "../admin/require-admin.js";
import { parseDurationSeconds, splitArguments } from "../bot/command-arguments.js";
import type { BotContext } from "../bot/context.js";
import { resolveTargetUser } from "../users/resolve-target.js";
import { displayName } from "../users/user-roster.js";
import { formatDuration, formatUtc } from "./format-duration.js";
import type { StickerManager } from "./sticker-manager.js";

/** The sticker commands, for /help. */
export const STICKER_COMMANDS: CommandInfo[] = [
  { command: "sticker_status", description: "stickers.command.status" },
  { command: "pass", description: "stickers.command.pass" },
  { command: "grant_pass", description: "stickers.command.grant", adminOnly: true },
  { command: "revoke_pass", description: "stickers.command.revoke", adminOnly: true },
];

/**
 * `/sticker_status` and `/pass` (the caller's pass and time left), and the
 * admin commands `/grant_pass @user|reply [duration]` and
 * `/revoke_pass @user|reply` (configured admins anywhere, chat admins in their group).
 */
export function createStickerCommands(manager: StickerManager): CommandHandlers<BotContext> {
  const handlers = new CommandHandlers<BotContext>();

  handlers.command(["sticker_status", "pass"], async (ctx) => {
    if (ctx.from === undefined) return;
    const { clock, settings, admins } = ctx.services;
    const now = clock.now();
    const pass = await manager.getPass(ctx.from.id);
    if (pass !== undefined && pass.startsAt <= now && pass.expiresAt > now) {
      await ctx.reply(
        ctx.t("stickers.status.active", { remaining: formatDuration(pass.expiresAt - now, ctx.language), until: formatUtc(pass.expiresAt) }),
        replyOptions(ctx),
      );
      return;
    }
    const groupId = ctx.chat.type === "private" ? undefined : ctx.chat.id;
    if (settings.current.stickers.exemptAdmins && (await admins.isAdminIn(groupId, ctx.from.id))) {
      await ctx.reply(ctx.t("stickers.status.exempt"), replyOptions(ctx));
      return;
    }
    const delay = formatDuration(settings.current.timings.stickerDeleteDelaySeconds * 1000, ctx.language);
    await ctx.reply(ctx.t("stickers.status.none", { delay }), replyOptions(ctx));
  });

  handlers.command("grant_pass", requireAdmin("chat"), async (ctx) => {
    const args = splitArguments(ctx.match);
    const target = await resolveTargetUser(ctx, args[0]);
    if (!target.ok) {
      await ctx.reply(`${ctx.t(target.reason, { user: target.shown })}\n${ctx.t("core.usage", { usage: ctx.t("stickers.grant.usage") })}`, replyOptions(ctx));
      return;
    }
    const durationText = target.consumedArgument ? args[1] : args[0];
    let seconds = ctx.services.settings.current.timings.stickerPassSeconds;
    if (durationText !== undefined) {
      const parsed = parseDurationSeconds(durationText);
      if (parsed === undefined) {
        await ctx.reply(`${ctx.t("stickers.grant.badDuration", { value: durationText })}\n${ctx.t("core.usage", { usage: ctx.t("stickers.grant.usage") })}`, replyOptions(ctx));
        return;
      }
      seconds = parsed;
    }
    const grant = await manager.grantPass(target.user.id, seconds, { source: "admin", grantedBy: ctx.from?.id ?? null });
    const params = { user: nameOf(target.user), duration: formatDuration(seconds * 1000, ctx.language), until: formatUtc(grant.expiresAt) };
    await ctx.reply(ctx.t(grant.extended ? "stickers.grant.extended" : "stickers.grant.done", params), replyOptions(ctx));
  });

  handlers.command("revoke_pass", requireAdmin("chat"), async (ctx) => {
    const args = splitArguments(ctx.match);
    const target = await resolveTargetUser(ctx, args[0]);
    if (!target.ok) {
      await ctx.reply(`${ctx.t(target.reason, { user: target.shown })}\n${ctx.t("core.usage", { usage: ctx.t("stickers.revoke.usage") })}`, replyOptions(ctx));
      return;
    }
    const revoked = await manager.revokePass(target.user.id, ctx.from?.id ?? null);
    await ctx.reply(ctx.t(revoked ? "stickers.revoke.done" : "stickers.revoke.none", { user: nameOf(target.user) }), replyOptions(ctx));
  });

  return handlers;
}

function nameOf(user: { username: string | null; first_name: string; last_name: string | null }): string {
  return user.username !== null ? `@${user.username}` : displayName(user);
}
