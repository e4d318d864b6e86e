import { type Api, GrammyError } from "grammy";
import type { ConfigHolder } from "../app/config-holder.js";
import type { Database } from "../database/open-database.js";
import { pickLanguage, translate } from "../i18n/catalogue.js";
import type { Logger } from "../logging/logger.js";
import type { UserRoster } from "../users/user-roster.js";

/** What the admins are told about a purchase of an `admin` or `custom` item. */
export interface AdminNotice {
  kind: "admin" | "custom";
  purchaseId: number;
  itemName: string;
  /** Custom items: what the buyer is owed. */
  itemDescription: string | null;
  buyer: { id: number; username?: string; first_name: string; last_name?: string };
  chat: { id: number; title: string | null; type: string };
  /** When it was bought, ms since the epoch. */
  at: number;
}

/** How many admins got the notice. */
export interface AdminNoticeResult {
  reached: number;
  /** The configured admins (`adminIds`). */
  total: number;
}

/** Delivers {@link AdminNotice}s: the way `admin` and `custom` items are activated. */
export interface AdminNotifier {
  notify(notice: AdminNotice): Promise<AdminNoticeResult>;
}

/** Options of {@link BotAdminNotifier}. */
export interface BotAdminNotifierOptions {
  api: Api;
  settings: ConfigHolder;
  db: Database;
  roster: UserRoster;
  logger: Logger;
}

/** `2026-12-03 10:15 UTC`: one unambiguous form for admins in any time zone. */
export function formatUtcTime(milliseconds: number): string {
  return `${new Date(milliseconds).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/**
 * Sends the notice in private to every bot admin (`settings.current.adminIds`),
 * each in their language when the bot knows it. An admin who never started the
 * bot or blocked it (403) or whose chat does not exist (400) is counted as not
 * reached; the others still get it.
 */
export class BotAdminNotifier implements AdminNotifier {
  constructor(private readonly options: BotAdminNotifierOptions) {}

  async notify(notice: AdminNotice): Promise<AdminNoticeResult> {
    const adminIds = [...new Set(this.options.settings.current.adminIds)];
    const fallback = this.options.settings.current.defaultLanguage;
    const languages = new Map<number, string | null>();
    if (adminIds.length > 0) {
      const rows = (await this.options.db("users").whereIn("id", adminIds).select("id", "language_code")) as Array<{ id: number; language_code: string | null }>;
      for (const row of rows) languages.set(Number(row.id), row.language_code);
    }
    const buyerName = [notice.buyer.first_name, notice.buyer.last_name].filter(Boolean).join(" ");
    let reached = 0;
    for (const adminId of adminIds) {
      const language = pickLanguage(languages.get(adminId) ?? undefined, fallback);
      const params = {
        item: notice.itemName,
        username: notice.buyer.username === undefined ? translate(language, "shop.admin.noUsername") : `@${notice.buyer.username}`,
        name: buyerName,
        userId: String(notice.buyer.id),
        chat: notice.chat.type === "private" ? translate(language, "shop.admin.privateChat") : (notice.chat.title ?? String(notice.chat.id)),
        chatId: String(notice.chat.id),
        time: formatUtcTime(notice.at),
        purchaseId: String(notice.purchaseId),
        description: notice.itemDescription ?? "—",
      };
      const text = translate(language, notice.kind === "custom" ? "shop.admin.customNotice" : "shop.admin.callNotice", params);
      try {
        await this.options.api.sendMessage(adminId, text, { link_preview_options: { is_disabled: true } });
        reached += 1;
      } catch (error) {
        const description = error instanceof GrammyError ? `${error.error_code}: ${error.description}` : String(error);
        this.options.logger.warn("could not notify an admin of a purchase", {
          component: "shop",
          adminId,
          purchaseId: notice.purchaseId,
          error: description,
        });
        if (error instanceof GrammyError && error.error_code === 403) await this.options.roster.markUnreachable(adminId).catch(() => undefined);
      }
    }
    return { reached, total: adminIds.length };
  }
}
