import { type Api, GrammyError } from "grammy";
import type { MessageEntity, User } from "grammy/types";
import type { ConfigHolder } from "../app/config-holder.js";
import type { Language } from "../config/config.js";
import type { Database } from "../database/open-database.js";
import type { AppEvents } from "../economy/app-events.js";
import type { Ledger } from "../economy/ledger.js";
import { pickLanguage, translate } from "../i18n/catalogue.js";
import type { Logger } from "../logging/logger.js";
import { sleep } from "../time/abortable-sleep.js";
import type { Clock } from "../time/clock.js";
import { displayName, type UserRoster } from "../users/user-roster.js";
import { buildMentionMessages } from "./build-mention-messages.js";
import type { PurchaseRow } from "./purchase-record.js";
import { refundPurchase, type RefundResult } from "./refund-purchase.js";
import { InFlight } from "../tasks/in-flight.js";

/**
 * A mention-all purchase waiting for its announcement text:
 * waiting → posting → posted, or waiting → cancelled | expired (refunded),
 * or → failed (nothing could be posted; refunded).
 */
export interface MentionPromptRow {
  id: number;
  purchase_id: number;
  user_id: number;
  chat_id: number;
  created_at: number;
  /** The text must arrive before this time, ms since the epoch. */
  expires_at: number;
  status: "waiting" | "posting" | "posted" | "cancelled" | "expired" | "failed";
  mentioned_count: number | null;
}

/** Options of {@link MentionAllService}. */
export interface MentionAllServiceOptions {
  db: Database;
  ledger: Ledger;
  clock: Clock;
  logger: Logger;
  api: Api;
  roster: UserRoster;
  settings: ConfigHolder;
  events: AppEvents;
}

/** What became of an announcement text handed to {@link MentionAllService.submitText}. */
export type SubmitOutcome = "posting" | "tooLong" | "notWaiting";

/** Telegram's limit on a message's text, in UTF-16 code units. */
const MAX_MESSAGE_LENGTH = 4096;
/** setTimeout cannot wait longer than this (about 24.8 days). */
const MAX_TIMER_MILLISECONDS = 2 ** 31 - 1;

const promptKey = (chatId: number, userId: number) => `${chatId}:${userId}`;

/**
 * The mention-all item after it was paid for: waits for the buyer's next text
 * message in that chat (the prompt is a database row, so it survives a
 * restart; a timer, the cleanup and startup refund it when it expires), then
 * posts the text followed by mentions of every known member of the chat,
 * `shop.mentionsPerMessage` per message, `shop.mentionPauseSeconds` apart
 * (Telegram allows a bot about 20 messages a minute in one group). Posting
 * runs in the background so the chat's other updates are not held up.
 *
 * The buyer is not mentioned (they wrote the announcement); bots are not
 * mentioned (the roster lists people only).
 */
export class MentionAllService {
  /** Waiting prompts by chat and user: the per-message check is one map lookup. */
  private readonly waiting = new Map<string, MentionPromptRow>();
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private readonly postings = new InFlight();
  private abort = new AbortController();
  private readonly logger: Logger;

  constructor(private readonly options: MentionAllServiceOptions) {
    this.logger = options.logger.child({ component: "shop" });
  }

  /** Resumes after a restart: refunds prompts that expired or were interrupted mid-post, re-arms the others. */
  async start(): Promise<void> {
    this.abort = new AbortController();
    const interrupted = (await this.options.db("mention_prompts").where("status", "posting")) as MentionPromptRow[];
    for (const prompt of interrupted) {
      // We cannot know how far the posting got; the buyer gets the benefit of the doubt.
      await this.options.db("mention_prompts").where({ id: prompt.id, status: "posting" }).update({ status: "failed" });
      await refundPurchase(this.options, prompt.purchase_id, "announcement interrupted by a restart");
      this.logger.warn("refunded a mention-all interrupted by a restart", { promptId: prompt.id, purchaseId: prompt.purchase_id });
    }
    await this.expireDue();
    const waiting = (await this.options.db("mention_prompts").where("status", "waiting")) as MentionPromptRow[];
    for (const prompt of waiting) this.track(prompt);
  }

  /** Cancels the timers, stops postings in progress (what was posted stays posted) and waits for them. */
  async stop(): Promise<void> {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.abort.abort();
    await this.postings.idle();
  }

  /** Starts watching a prompt just created by a purchase. */
  track(prompt: MentionPromptRow): void {
    const normalized = { ...prompt, chat_id: Number(prompt.chat_id), user_id: Number(prompt.user_id), expires_at: Number(prompt.expires_at) };
    this.waiting.set(promptKey(normalized.chat_id, normalized.user_id), normalized);
    this.arm(normalized);
  }

  /** The prompt waiting for this user's text in this chat, if any. No I/O. */
  findWaiting(chatId: number, userId: number): MentionPromptRow | undefined {
    return this.waiting.get(promptKey(chatId, userId));
  }

  /** The user's waiting prompts in every chat. */
  waitingOf(userId: number): MentionPromptRow[] {
    return [...this.waiting.values()].filter((prompt) => prompt.user_id === userId);
  }

  /** How many prompts are waiting and how many announcements are being posted. */
  counts(): { waitingPrompts: number; postingAnnouncements: number } {
    return { waitingPrompts: this.waiting.size, postingAnnouncements: this.postings.size };
  }

  /** Resolves when every announcement being posted now is done (tests, shutdown). */
  async idle(): Promise<void> {
    await this.postings.idle();
  }

  private arm(prompt: MentionPromptRow): void {
    clearTimeout(this.timers.get(prompt.id));
    const delay = Math.min(Math.max(0, prompt.expires_at - this.options.clock.now()) + 50, MAX_TIMER_MILLISECONDS);
    const timer = setTimeout(() => {
      this.timers.delete(prompt.id);
      void this.expire(prompt)
        .then((expired) => {
          // Not due by the (injectable) clock yet: look again later.
          if (!expired && this.findWaiting(prompt.chat_id, prompt.user_id)?.id === prompt.id && !this.abort.signal.aborted) this.arm(prompt);
        })
        .catch((error) => this.logger.error("could not expire a mention-all prompt", { promptId: prompt.id, error: String(error) }));
    }, delay);
    this.timers.set(prompt.id, timer);
  }

  private forget(prompt: MentionPromptRow): void {
    const key = promptKey(Number(prompt.chat_id), Number(prompt.user_id));
    if (this.waiting.get(key)?.id === prompt.id) this.waiting.delete(key);
    clearTimeout(this.timers.get(prompt.id));
    this.timers.delete(prompt.id);
  }

  /** Refunds every waiting prompt whose time is up (timers, the cleanup and startup call this). Returns how many. */
  async expireDue(): Promise<number> {
    const due = (await this.options.db("mention_prompts")
      .where("status", "waiting")
      .andWhere("expires_at", "<=", this.options.clock.now())) as MentionPromptRow[];
    let count = 0;
    for (const prompt of due) if (await this.expire(prompt)) count += 1;
    return count;
  }

  /** Expires one prompt if it is still waiting and due; refunds and tells the chat. */
  private async expire(prompt: MentionPromptRow): Promise<boolean> {
    const now = this.options.clock.now();
    const changed = await this.options.db("mention_prompts")
      .where({ id: prompt.id, status: "waiting" })
      .andWhere("expires_at", "<=", now)
      .update({ status: "expired" });
    if (changed === 0) return false;
    this.forget(prompt);
    const refund = await refundPurchase(this.options, prompt.purchase_id, "no announcement text in time");
    this.logger.info("mention-all prompt expired", { promptId: prompt.id, purchaseId: prompt.purchase_id, refunded: refund !== null });
    if (refund !== null) {
      const language = await this.languageOf(prompt.user_id);
      const buyer = await this.options.roster.findById(Number(prompt.user_id));
      await this.say(Number(prompt.chat_id), translate(language, "shop.mention.expired", {
        name: buyer === undefined ? String(prompt.user_id) : displayName(buyer),
        price: Number(refund.purchase.price),
        balance: refund.balanceAfter,
      }));
    }
    return true;
  }

  /** /cancel: refunds the user's waiting prompt in `chatId`. Null when none was waiting (or it just expired). */
  async cancel(chatId: number, userId: number): Promise<RefundResult | null> {
    const prompt = this.findWaiting(chatId, userId);
    if (prompt === undefined) return null;
    const changed = await this.options.db("mention_prompts").where({ id: prompt.id, status: "waiting" }).update({ status: "cancelled" });
    this.forget(prompt);
    if (changed === 0) return null;
    this.logger.info("mention-all cancelled", { promptId: prompt.id, purchaseId: prompt.purchase_id });
    return refundPurchase(this.options, prompt.purchase_id, "cancelled by the buyer");
  }

  /**
   * The buyer's text arrived: claims the prompt (waiting → posting, only
   * before it expires) and starts posting in the background. `entities` are
   * the text's own formatting, kept in the announcement.
   */
  async submitText(prompt: MentionPromptRow, buyer: User, text: string, entities: MessageEntity[] | undefined, language: Language): Promise<SubmitOutcome> {
    const header = translate(language, "shop.mention.header", { name: displayName(buyer) }) + "\n\n";
    if (header.length + text.length > MAX_MESSAGE_LENGTH) return "tooLong";
    const changed = await this.options.db("mention_prompts")
      .where({ id: prompt.id, status: "waiting" })
      .andWhere("expires_at", ">", this.options.clock.now())
      .update({ status: "posting" });
    this.forget(prompt);
    if (changed === 0) return "notWaiting";
    const own = (entities ?? [])
      .filter((entity) => entity.type !== "bot_command")
      .map((entity) => ({ ...entity, offset: entity.offset + header.length }));
    const headerEntity: MessageEntity = { type: "bold", offset: 0, length: header.trimEnd().length };
    this.postings.track(this.post(prompt, header + text, [headerEntity, ...own], language), (error) => {
      this.logger.error("mention-all posting failed", { promptId: prompt.id, error: String(error) });
    });
    return "posting";
  }

  private async post(prompt: MentionPromptRow, text: string, entities: MessageEntity[], language: Language): Promise<void> {
    const { api, settings } = this.options;
    const signal = this.abort.signal;
    const chatId = Number(prompt.chat_id);
    const members = (await this.options.roster.listChatMembers(chatId)).filter((member) => Number(member.id) !== Number(prompt.user_id));
    if (members.length === 0) {
      await this.fail(prompt, "no other members of the chat are known yet", translate(language, "shop.mention.noMembers"));
      return;
    }
    if (signal.aborted) {
      await this.fail(prompt, "interrupted by a shutdown", null);
      return;
    }
    let announcementId: number;
    try {
      announcementId = (await api.sendMessage(chatId, text, { entities, link_preview_options: { is_disabled: true } })).message_id;
    } catch (error) {
      this.logger.warn("could not post a mention-all announcement", { promptId: prompt.id, error: describeError(error) });
      await this.fail(prompt, `the announcement could not be posted (${describeError(error)})`, translate(language, "shop.mention.postFailed"));
      return;
    }
    const pauseMilliseconds = settings.current.shop.mentionPauseSeconds * 1000;
    let mentioned = 0;
    for (const batch of buildMentionMessages(members, settings.current.shop.mentionsPerMessage)) {
      await sleep(pauseMilliseconds, signal);
      if (signal.aborted) break;
      try {
        await api.sendMessage(chatId, batch.text, {
          entities: batch.entities,
          reply_parameters: { message_id: announcementId, allow_sending_without_reply: true },
        });
        mentioned += batch.count;
      } catch (error) {
        this.logger.warn("a mention message failed", { promptId: prompt.id, error: describeError(error) });
        // The bot was removed from the chat or may no longer write there: the rest would fail too.
        if (error instanceof GrammyError && (error.error_code === 403 || /chat not found|not enough rights/i.test(error.description))) break;
      }
    }
    const purchase = await this.options.db.transaction(async (trx) => {
      await trx("mention_prompts").where("id", prompt.id).update({ status: "posted", mentioned_count: mentioned });
      await trx("purchases").where({ id: prompt.purchase_id, status: "pending" }).update({ status: "completed" });
      return (await trx("purchases").where("id", prompt.purchase_id).first()) as PurchaseRow;
    });
    this.logger.info("mention-all posted", { promptId: prompt.id, chatId, members: members.length, mentioned });
    this.options.events.emit("purchased", {
      userId: Number(purchase.user_id),
      itemId: purchase.item_id,
      itemType: purchase.item_type,
      price: Number(purchase.price),
      chatId: Number(purchase.chat_id),
    });
    if (!signal.aborted) {
      await sleep(pauseMilliseconds, signal);
      await this.say(chatId, translate(language, "shop.mention.done", { count: mentioned, total: members.length }), announcementId);
    }
  }

  /** Nothing (or nothing useful) was posted: the prompt failed and the purchase is refunded. */
  private async fail(prompt: MentionPromptRow, reason: string, reply: string | null): Promise<void> {
    await this.options.db("mention_prompts").where("id", prompt.id).update({ status: "failed" });
    const refund = await refundPurchase(this.options, prompt.purchase_id, reason);
    this.logger.warn("mention-all refunded", { promptId: prompt.id, purchaseId: prompt.purchase_id, reason });
    if (reply !== null && refund !== null) {
      const language = await this.languageOf(prompt.user_id);
      await this.say(Number(prompt.chat_id), `${reply}\n${translate(language, "shop.refunded", { price: Number(refund.purchase.price), balance: refund.balanceAfter })}`);
    }
  }

  private async say(chatId: number, text: string, replyTo?: number): Promise<void> {
    try {
      await this.options.api.sendMessage(chatId, text, replyTo === undefined ? {} : { reply_parameters: { message_id: replyTo, allow_sending_without_reply: true } });
    } catch (error) {
      this.logger.warn("could not send a shop message", { chatId, error: describeError(error) });
    }
  }

  private async languageOf(userId: number): Promise<Language> {
    const row = (await this.options.db("users").where("id", userId).first("language_code")) as { language_code: string | null } | undefined;
    return pickLanguage(row?.language_code ?? undefined, this.options.settings.current.defaultLanguage);
  }
}

function describeError(error: unknown): string {
  return error instanceof GrammyError ? `${error.error_code}: ${error.description}` : error instanceof Error ? error.message : String(error);
}
