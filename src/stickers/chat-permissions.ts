import { GrammyError, type Api } from "grammy";
import type { ChatMember, ChatPermissions } from "grammy/types";
import type { ConfigHolder } from "../app/config-holder.js";
import type { StickerEnforcement } from "../config/config.js";
import type { Database } from "../database/open-database.js";
import type { Logger } from "../logging/logger.js";
import type { Clock } from "../time/clock.js";
import { chunk } from "./sticker-manager.js";

/** The permissions restrictChatMember takes, every one spelled out (an omitted flag counts as false). */
const PERMISSION_FLAGS = [
  "can_send_messages",
  "can_send_audios",
  "can_send_documents",
  "can_send_photos",
  "can_send_videos",
  "can_send_video_notes",
  "can_send_voice_notes",
  "can_send_polls",
  "can_send_other_messages",
  "can_add_web_page_previews",
  "can_react_to_messages",
  "can_change_info",
  "can_invite_users",
  "can_pin_messages",
  "can_edit_tag",
  "can_manage_topics",
] as const satisfies ReadonlyArray<keyof ChatPermissions>;

/** The enforcement of `chatId`: its override in `stickers.chatEnforcement`, else `stickers.enforcement`. */
export function enforcementOf(settings: ConfigHolder, chatId: number): StickerEnforcement {
  const stickers = settings.current.stickers;
  return stickers.chatEnforcement[String(chatId)] ?? stickers.enforcement;
}

/**
 * Restrict mode: in chats configured `restrict`, users without a pass lose
 * `can_send_other_messages` and get it back when a pass starts. Note that this
 * one Bot API permission covers stickers, GIFs, games and inline bots alike:
 * restricted users lose all four.
 *
 * Which chats: those where the roster saw the user (`chat_members`), limited
 * to restrict chats. `chat_restrictions` records every restriction we applied,
 * so a new pass lifts exactly those (and nothing an admin set by hand).
 *
 * The current member state is read first (getChatMember) so only the one flag
 * changes: a user an admin muted stays muted.
 */
export class StickerPermissions {
  private readonly logger: Logger;

  constructor(
    private readonly options: { db: Database; api: Api; clock: Clock; logger: Logger; settings: ConfigHolder },
  ) {
    this.logger = options.logger.child({ component: "sticker-permissions" });
  }

  /** Whether any chat can be in restrict mode (nothing to do otherwise). */
  isRestrictConfigured(): boolean {
    const stickers = this.options.settings.current.stickers;
    return stickers.enforcement === "restrict" || Object.values(stickers.chatEnforcement).includes("restrict");
  }

  /** Whether we already restricted `userId` in `chatId`. */
  async isRestricted(chatId: number, userId: number): Promise<boolean> {
    return (await this.options.db("chat_restrictions").where({ chat_id: chatId, user_id: userId }).first()) !== undefined;
  }

  /** Removes `can_send_other_messages` from `userId` in every restrict chat they were seen in. */
  async restrictEverywhere(userIds: number[]): Promise<void> {
    if (!this.isRestrictConfigured() || userIds.length === 0) return;
    for (const ids of chunk(userIds)) {
      const rows = (await this.options.db("chat_members")
        .join("chats", "chats.id", "chat_members.chat_id")
        .whereIn("chat_members.user_id", ids)
        .whereIn("chats.type", ["group", "supergroup"])
        .select("chat_members.chat_id as chatId", "chat_members.user_id as userId")) as Array<{ chatId: number; userId: number }>;
      for (const { chatId, userId } of rows) {
        if (enforcementOf(this.options.settings, chatId) !== "restrict") continue;
        await this.restrict(chatId, userId);
      }
    }
  }

  /** Gives `userId` back `can_send_other_messages` in every chat where we took it. */
  async restoreEverywhere(userId: number): Promise<void> {
    const rows = (await this.options.db("chat_restrictions").where({ user_id: userId }).select("chat_id")) as Array<{ chat_id: number }>;
    for (const { chat_id: chatId } of rows) await this.restore(chatId, userId);
  }

  /** Restricts one user in one chat and records it. Failures are logged (the bot may lack the right). */
  async restrict(chatId: number, userId: number): Promise<boolean> {
    try {
      const member = await this.options.api.getChatMember(chatId, userId);
      // Admins cannot be restricted; users who left have nothing to restrict.
      if (member.status !== "member" && member.status !== "restricted") return false;
      const permissions = { ...currentPermissions(member), can_send_other_messages: false };
      await this.options.api.restrictChatMember(chatId, userId, permissions, { use_independent_chat_permissions: true });
      await this.options.db("chat_restrictions")
        .insert({ chat_id: chatId, user_id: userId, restricted_at: this.options.clock.now() })
        .onConflict(["chat_id", "user_id"])
        .ignore();
      this.logger.info("sticker permission removed", { chatId, userId });
      return true;
    } catch (error) {
      this.logger.warn("could not restrict a user", { chatId, userId, error: describe(error) });
      return false;
    }
  }

  /** Lifts our restriction of one user in one chat and forgets it. */
  async restore(chatId: number, userId: number): Promise<void> {
    try {
      const member = await this.options.api.getChatMember(chatId, userId);
      if (member.status === "restricted") {
        const permissions = { ...currentPermissions(member), can_send_other_messages: true };
        await this.options.api.restrictChatMember(chatId, userId, permissions, { use_independent_chat_permissions: true });
      }
      await this.options.db("chat_restrictions").where({ chat_id: chatId, user_id: userId }).delete();
      this.logger.info("sticker permission restored", { chatId, userId });
    } catch (error) {
      // 400 "user not found" / left the chat: nothing to lift any more.
      if (error instanceof GrammyError && error.error_code === 400) {
        await this.options.db("chat_restrictions").where({ chat_id: chatId, user_id: userId }).delete();
      }
      this.logger.warn("could not restore a user's sticker permission", { chatId, userId, error: describe(error) });
    }
  }
}

/** The member's permissions as restrictChatMember wants them: a plain member has them all. */
function currentPermissions(member: ChatMember): ChatPermissions {
  const result: ChatPermissions = {};
  for (const flag of PERMISSION_FLAGS) {
    result[flag] = member.status === "restricted" ? (member as unknown as Record<string, boolean | undefined>)[flag] === true : true;
  }
  return result;
}

function describe(error: unknown): string {
  if (error instanceof GrammyError) return `${error.method}: ${error.error_code} ${error.description}`;
  return error instanceof Error ? error.message : String(error);
}
