import type { Api } from "grammy";
import type { ConfigHolder } from "../app/config-holder.js";
import type { Logger } from "../logging/logger.js";

/** Options of {@link AdminDirectory}. */
export interface AdminDirectoryOptions {
  settings: ConfigHolder;
  api: Api;
  logger: Logger;
  /** How long a chat's administrator list is cached, in milliseconds. Default 300000 (5 minutes). */
  cacheMilliseconds?: number;
  now?: () => number;
}

/**
 * Who is an admin. Two kinds:
 * - bot admins: the configured `adminIds` (STICKERBOT_ADMIN_IDS); they may use
 *   every admin command everywhere;
 * - chat admins: the Telegram administrators of a group, for commands scoped
 *   to that group (see README, "Authorization").
 */
export class AdminDirectory {
  private readonly cache = new Map<number, { ids: Set<number>; fetchedAt: number }>();

  constructor(private readonly options: AdminDirectoryOptions) {}

  /** Whether `userId` is one of the configured bot admins. */
  isBotAdmin(userId: number | undefined): boolean {
    return userId !== undefined && this.options.settings.current.adminIds.includes(userId);
  }

  /** The configured bot admins' ids. */
  botAdminIds(): number[] {
    return [...this.options.settings.current.adminIds];
  }

  /** Whether `userId` administers the group `chatId` (cached getChatAdministrators). False when it cannot be asked. */
  async isChatAdmin(chatId: number, userId: number | undefined): Promise<boolean> {
    if (userId === undefined || chatId > 0) return false;
    const now = this.options.now?.() ?? Date.now();
    let entry = this.cache.get(chatId);
    if (entry === undefined || now - entry.fetchedAt > (this.options.cacheMilliseconds ?? 300_000)) {
      try {
        const admins = await this.options.api.getChatAdministrators(chatId);
        entry = { ids: new Set(admins.map((member) => member.user.id)), fetchedAt: now };
        this.cache.set(chatId, entry);
      } catch (error) {
        this.options.logger.warn("could not fetch chat administrators", { component: "admins", chatId, error: String(error) });
        // Remember the failure for 30 s (an empty list), so a sticker flood in a chat where the call
        // fails does not turn into one getChatAdministrators per message.
        this.cache.set(chatId, { ids: new Set(), fetchedAt: now - (this.options.cacheMilliseconds ?? 300_000) + 30_000 });
        return false;
      }
    }
    return entry.ids.has(userId);
  }

  /** A bot admin, or (when `chatId` is a group) one of its administrators. */
  async isAdminIn(chatId: number | undefined, userId: number | undefined): Promise<boolean> {
    if (this.isBotAdmin(userId)) return true;
    return chatId !== undefined && (await this.isChatAdmin(chatId, userId));
  }

  /** Forgets cached administrator lists (e.g. after a chat_member update). */
  forgetChat(chatId: number): void {
    this.cache.delete(chatId);
  }
}
