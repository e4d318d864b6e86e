import type { ConfigHolder } from "../app/config-holder.js";
import type { BotContext } from "../bot/context.js";
import type { Database } from "../database/open-database.js";
import type { Logger } from "../logging/logger.js";
import type { Clock } from "../time/clock.js";
import { displayName } from "../users/user-roster.js";
import type { DeletionScheduler } from "./deletion-scheduler.js";
import { formatDuration } from "./format-duration.js";
import { InFlight } from "../tasks/in-flight.js";

/**
 * At most one notice per chat this often, whoever it is for, in ms: a raid of
 * new users must not turn into a wall of notices. Users skipped by it are told
 * with their next sticker.
 */
const MIN_CHAT_NOTICE_GAP_MILLISECONDS = 10_000;

/**
 * The "stickers are removed without a pass" notice: once per user and chat
 * within `stickers.noticeCooldownSeconds`, never more than one per chat every
 * 10 s, and it removes itself after `stickers.noticeLifetimeSeconds` through
 * the durable deletion schedule (so a restart does not leave it behind).
 *
 * The cooldown is checked in memory: `sticker_notices` is read once (it only
 * holds notices younger than the cooldown, the cleanup purges the rest) and
 * then kept in step with it, so a sticker costs no query here unless a notice
 * is actually sent.
 */
export class StickerNotices {
  private readonly lastNoticeAtByChat = new Map<number, number>();
  private readonly sending = new InFlight();
  /** When each user was last told, per chat (ms): a copy of `sticker_notices`, null until read. */
  private notifiedAt: Map<number, Map<number, number>> | null = null;
  private loading: Promise<Map<number, Map<number, number>>> | null = null;
  private readonly logger: Logger;

  constructor(
    private readonly options: { db: Database; clock: Clock; logger: Logger; settings: ConfigHolder; deletions: DeletionScheduler },
  ) {
    this.logger = options.logger.child({ component: "sticker-notices" });
  }

  /**
   * Tells the sender of the sticker in `ctx` (once within the cooldown) that
   * it will be removed. Decides at once (from memory) and sends in the
   * background: the chat's next updates do not wait for the message. Never
   * throws; see {@link idle}.
   */
  async maybeNotify(ctx: BotContext): Promise<void> {
    const chat = ctx.chat;
    const from = ctx.from;
    if (chat === undefined || from === undefined) return;
    const { stickers, timings } = this.options.settings.current;
    const now = this.options.clock.now();
    const warn = (error: unknown) => this.logger.warn("could not send the sticker notice", { chatId: chat.id, userId: from.id, error: String(error) });
    try {
      const notifiedAt = this.notifiedAt ?? (await this.loadNotifiedAt());
      const previous = notifiedAt.get(chat.id)?.get(from.id);
      if (previous !== undefined && now - previous < stickers.noticeCooldownSeconds * 1000) return;
      const lastInChat = this.lastNoticeAtByChat.get(chat.id);
      if (lastInChat !== undefined && now - lastInChat < MIN_CHAT_NOTICE_GAP_MILLISECONDS) return;
      this.lastNoticeAtByChat.set(chat.id, now);
      const text = ctx.t("stickers.notice", {
        name: displayName(from),
        delay: formatDuration(timings.stickerDeleteDelaySeconds * 1000, ctx.language),
      });
      const replyTo = ctx.msg!.message_id;
      const send = async () => {
        const sent = await ctx.api.sendMessage(chat.id, text, {
          reply_parameters: { message_id: replyTo, allow_sending_without_reply: true },
          disable_notification: true,
        });
        // Remembered as soon as it was sent: should the record fail below, the user is still not told twice.
        setNotifiedAt(notifiedAt, chat.id, from.id, now);
        await this.options.db("sticker_notices")
          .insert({ chat_id: chat.id, user_id: from.id, notified_at: now, message_id: sent.message_id })
          .onConflict(["chat_id", "user_id"])
          .merge(["notified_at", "message_id"]);
        await this.options.deletions.schedule({
          chatId: chat.id,
          messageId: sent.message_id,
          userId: from.id,
          kind: "notice",
          sentAt: sent.date * 1000,
          dueAt: now + stickers.noticeLifetimeSeconds * 1000,
        });
      };
      // Until the message is sent, further stickers of this user are held back by the chat's 10 s gap.
      this.sending.track(send(), warn);
    } catch (error) {
      warn(error);
    }
  }

  /** Resolves when every notice being sent is sent, recorded and scheduled for removal (tests, shutdown). */
  idle(): Promise<void> {
    return this.sending.idle();
  }

  /** Forgets notice records older than the cooldown (they no longer hold anyone back). Returns how many. */
  async purge(now: number): Promise<number> {
    const cutoff = now - this.options.settings.current.stickers.noticeCooldownSeconds * 1000;
    for (const [chatId, at] of this.lastNoticeAtByChat) if (now - at >= MIN_CHAT_NOTICE_GAP_MILLISECONDS) this.lastNoticeAtByChat.delete(chatId);
    if (this.notifiedAt !== null) {
      for (const [chatId, users] of this.notifiedAt) {
        for (const [userId, at] of users) if (at < cutoff) users.delete(userId);
        if (users.size === 0) this.notifiedAt.delete(chatId);
      }
    }
    return this.options.db("sticker_notices").where("notified_at", "<", cutoff).delete();
  }

  /**
   * Reads `sticker_notices` into memory once (concurrent callers share the
   * read; a failed read is retried next time). No notice is sent before it
   * completed, so nothing newer can be lost.
   */
  private loadNotifiedAt(): Promise<Map<number, Map<number, number>>> {
    this.loading ??= (async () => {
      const rows = (await this.options.db("sticker_notices").select("chat_id", "user_id", "notified_at")) as Array<{
        chat_id: number;
        user_id: number;
        notified_at: number;
      }>;
      const notifiedAt = new Map<number, Map<number, number>>();
      for (const row of rows) setNotifiedAt(notifiedAt, Number(row.chat_id), Number(row.user_id), Number(row.notified_at));
      this.notifiedAt = notifiedAt;
      return notifiedAt;
    })().finally(() => {
      this.loading = null;
    });
    return this.loading;
  }
}

function setNotifiedAt(notifiedAt: Map<number, Map<number, number>>, chatId: number, userId: number, at: number): void {
  let users = notifiedAt.get(chatId);
  if (users === undefined) notifiedAt.set(chatId, (users = new Map()));
  users.set(userId, at);
}
