import type { User } from "grammy/types";
import type { Knex } from "knex";
import type { ConfigHolder } from "../app/config-holder.js";
import type { Database } from "../database/open-database.js";
import type { AppEvents } from "../economy/app-events.js";
import { InsufficientFundsError, type Ledger } from "../economy/ledger.js";
import type { Logger } from "../logging/logger.js";
import type { Clock } from "../time/clock.js";
import type { UserRoster } from "../users/user-roster.js";
import type { AdminNotifier } from "./admin-notifier.js";
import type { MentionAllService, MentionPromptRow } from "./mention-all-service.js";
import { purchaseReference, type PurchaseRow } from "./purchase-record.js";
import { refundPurchase } from "./refund-purchase.js";
import type { ShopCatalog, ShopItemRow } from "./shop-catalog.js";

/**
 * Grants sticker passes inside the purchase transaction (the sticker feature's
 * `StickerManager` fits: `grantPass(userId, seconds, { source, trx })`, then
 * `afterPassGranted(userId)` once committed).
 */
export interface StickerPassGranter {
  grantPass(userId: number, seconds: number, options: { source: "purchase"; trx: Knex }): Promise<{ expiresAt: number }>;
  afterPassGranted(userId: number): Promise<void>;
}

/** Options of {@link PurchaseService}. */
export interface PurchaseServiceOptions {
  db: Database;
  ledger: Ledger;
  clock: Clock;
  logger: Logger;
  roster: UserRoster;
  events: AppEvents;
  settings: ConfigHolder;
  catalog: ShopCatalog;
  admins: AdminNotifier;
  mentions: MentionAllService;
  /** The sticker feature's pass manager; undefined when sticker passes are unavailable (sticker items then fail, charging nothing). */
  stickerPasses: () => StickerPassGranter | undefined;
}

/** The chat a purchase is made in. */
export interface PurchaseChat {
  id: number;
  type: string;
  title?: string | null;
}

/** What became of `/buy`. Money fields are coins. */
export type PurchaseOutcome =
  | { kind: "unknownItem"; itemId: number }
  | { kind: "groupOnly"; item: ShopItemRow }
  | { kind: "alreadyWaiting"; item: ShopItemRow; expiresAt: number }
  | { kind: "insufficientFunds"; item: ShopItemRow; price: number; balance: number }
  /** Activation failed inside the purchase transaction: it was rolled back, nothing was charged. */
  | { kind: "notActivated"; item: ShopItemRow; reason: string }
  /** Activation failed after the charge: the purchase was refunded. */
  | { kind: "refunded"; item: ShopItemRow; purchaseId: number; price: number; reason: string; balance: number }
  | { kind: "passGranted"; item: ShopItemRow; purchaseId: number; price: number; balance: number; expiresAt: number }
  | { kind: "adminsNotified"; item: ShopItemRow; purchaseId: number; price: number; balance: number; reached: number; total: number }
  | { kind: "awaitingText"; item: ShopItemRow; purchaseId: number; price: number; balance: number; expiresAt: number };

/** Refund reasons people read (stored in `purchases.refund_reason`, shown to the buyer). */
export const REFUND_NO_ADMIN_REACHED = "no admin could be reached";

class NotActivatedError extends Error {
  override readonly name = "NotActivatedError";
}

/** Carries an insufficient balance out of the transaction (so the purchase row insert is rolled back). */
class InsufficientFundsSignal extends Error {
  override readonly name = "InsufficientFundsSignal";
  constructor(
    readonly item: ShopItemRow,
    readonly price: number,
    readonly balance: number,
  ) {
    super(`cannot afford ${item.name} (${price} coins)`);
  }
}

const insertedId = (row: unknown): number => (typeof row === "object" && row !== null ? (row as { id: number }).id : (row as number));

/**
 * `/buy`: the purchase transaction and the activation of the item.
 *
 * One transaction holds the conditional debit (`Ledger.apply`: the balance
 * update only matches while balance ≥ price, and its affected-row count
 * decides), the purchase row, the purchase count and — for sticker items —
 * the pass itself, so a pass is never granted without payment or paid without
 * a pass. Items activated outside the database (admin calls, custom items,
 * announcements) are activated after the commit; when that fails the purchase
 * is refunded through the ledger and the buyer told why.
 */
export class PurchaseService {
  private readonly logger: Logger;

  constructor(private readonly options: PurchaseServiceOptions) {
    this.logger = options.logger.child({ component: "shop" });
  }

  /** Buys item number `itemId` for `buyer` in `chat`. Never throws for the buyer's mistakes; see {@link PurchaseOutcome}. */
  async buy(buyer: User, chat: PurchaseChat, itemId: number): Promise<PurchaseOutcome> {
    const { db, ledger, clock } = this.options;
    const now = clock.now();
    const stage = await db
      .transaction(async (trx) => {
        const item = (await trx("shop_items").where({ id: itemId, active: true }).first()) as ShopItemRow | undefined;
        if (item === undefined) return { kind: "unknownItem", itemId } as const;
        const price = Number(item.price);
        if (item.type === "mention_all") {
          if (chat.type !== "group" && chat.type !== "supergroup") return { kind: "groupOnly", item } as const;
          const waiting = this.options.mentions.findWaiting(chat.id, buyer.id);
          if (waiting !== undefined) return { kind: "alreadyWaiting", item, expiresAt: waiting.expires_at } as const;
        }
        await this.options.roster.ensureUser(buyer, trx);
        // Insert first so the ledger row can carry the purchase id; the debit below decides.
        const [inserted] = await trx("purchases")
          .insert({
            user_id: buyer.id,
            item_id: item.id,
            item_name: item.name,
            item_type: item.type,
            chat_id: chat.id,
            price,
            status: "pending",
            created_at: now,
          })
          .returning("id");
        const purchaseId = insertedId(inserted);
        let balance: number;
        try {
          ({ balanceAfter: balance } = await ledger.apply(trx, {
            userId: buyer.id,
            amount: -price,
            reason: "purchase",
            source: item.name,
            reference: purchaseReference(purchaseId),
          }));
        } catch (error) {
          if (!(error instanceof InsufficientFundsError)) throw error;
          // The balance the debit saw (read here: a refund may raise it right after).
          const row = (await trx("users").where("id", buyer.id).first("balance")) as { balance: number };
          throw new InsufficientFundsSignal(item, price, Number(row.balance)); // rolls back the purchase row
        }
        await trx("users").where("id", buyer.id).increment("purchase_count", 1);
        if (item.type === "sticker") {
          const passes = this.options.stickerPasses();
          if (passes === undefined) throw new NotActivatedError("sticker passes are not available");
          const seconds = Number(item.duration_seconds ?? this.options.settings.current.timings.stickerPassSeconds);
          let grant: { expiresAt: number };
          try {
            grant = await passes.grantPass(buyer.id, seconds, { source: "purchase", trx });
          } catch (error) {
            throw new NotActivatedError(error instanceof Error ? error.message : String(error));
          }
          await trx("purchases").where("id", purchaseId).update({ status: "active", expires_at: grant.expiresAt });
          return { kind: "passGranted", item, purchaseId, price, balance, expiresAt: grant.expiresAt } as const;
        }
        if (item.type === "mention_all") {
          const expiresAt = now + Math.round(this.options.settings.current.shop.mentionPromptTimeoutSeconds * 1000);
          const [promptInserted] = await trx("mention_prompts")
            .insert({ purchase_id: purchaseId, user_id: buyer.id, chat_id: chat.id, created_at: now, expires_at: expiresAt, status: "waiting" })
            .returning("id");
          const prompt: MentionPromptRow = {
            id: insertedId(promptInserted),
            purchase_id: purchaseId,
            user_id: buyer.id,
            chat_id: chat.id,
            created_at: now,
            expires_at: expiresAt,
            status: "waiting",
            mentioned_count: null,
          };
          return { kind: "awaitingText", item, purchaseId, price, balance, expiresAt, prompt } as const;
        }
        return { kind: "charged", item, purchaseId, price, balance } as const;
      })
      .catch(async (error: unknown) => {
        if (error instanceof InsufficientFundsSignal) {
          return { kind: "insufficientFunds", item: error.item, price: error.price, balance: error.balance } as const;
        }
        if (error instanceof NotActivatedError) {
          const item = (await this.options.catalog.find(itemId))!;
          this.logger.warn("purchase not activated, nothing charged", { userId: buyer.id, itemId, reason: error.message });
          return { kind: "notActivated", item, reason: error.message } as const;
        }
        throw error;
      });

    switch (stage.kind) {
      case "unknownItem":
      case "groupOnly":
      case "alreadyWaiting":
      case "insufficientFunds":
      case "notActivated":
        return stage;
      case "passGranted":
        this.logger.info("purchase: sticker pass", { userId: buyer.id, purchaseId: stage.purchaseId, price: stage.price, expiresAt: stage.expiresAt });
        await this.options.stickerPasses()?.afterPassGranted(buyer.id);
        this.emitPurchased(buyer.id, stage.item, stage.price, chat.id);
        return stage;
      case "awaitingText": {
        const { prompt, ...outcome } = stage;
        this.options.mentions.track(prompt);
        this.logger.info("purchase: mention-all waiting for text", { userId: buyer.id, purchaseId: stage.purchaseId, chatId: chat.id, expiresAt: stage.expiresAt });
        return outcome;
      }
      case "charged":
        return this.notifyAdmins(buyer, chat, stage.item, stage.purchaseId, stage.price, stage.balance, now);
    }
  }

  /** Activates an `admin` or `custom` item: every admin gets the notice; none reached means a refund. */
  private async notifyAdmins(buyer: User, chat: PurchaseChat, item: ShopItemRow, purchaseId: number, price: number, balance: number, at: number): Promise<PurchaseOutcome> {
    let result: { reached: number; total: number };
    try {
      result = await this.options.admins.notify({
        kind: item.type === "custom" ? "custom" : "admin",
        purchaseId,
        itemName: item.name,
        itemDescription: item.description,
        buyer,
        chat: { id: chat.id, title: chat.title ?? null, type: chat.type },
        at,
      });
    } catch (error) {
      this.logger.error("admin notification failed", { purchaseId, error: String(error) });
      result = { reached: 0, total: this.options.settings.current.adminIds.length };
    }
    if (result.reached === 0) {
      const refund = await refundPurchase(this.options, purchaseId, REFUND_NO_ADMIN_REACHED);
      this.logger.warn("purchase refunded: no admin reached", { userId: buyer.id, purchaseId, admins: result.total });
      return { kind: "refunded", item, purchaseId, price, reason: REFUND_NO_ADMIN_REACHED, balance: refund?.balanceAfter ?? balance };
    }
    await this.options.db("purchases").where({ id: purchaseId, status: "pending" }).update({ status: "completed" });
    this.logger.info("purchase: admins notified", { userId: buyer.id, purchaseId, itemType: item.type, reached: result.reached, total: result.total });
    this.emitPurchased(buyer.id, item, price, chat.id);
    return { kind: "adminsNotified", item, purchaseId, price, balance, reached: result.reached, total: result.total };
  }

  private emitPurchased(userId: number, item: ShopItemRow, price: number, chatId: number): void {
    this.options.events.emit("purchased", { userId, itemId: item.id, itemType: item.type, price, chatId });
  }

  /**
   * Refunds admin calls and custom items that were charged but never
   * activated because the daemon stopped in between (startup calls this).
   * Mention-all purchases are resumed by {@link MentionAllService.start}.
   */
  async refundInterrupted(): Promise<number> {
    const rows = (await this.options.db("purchases").where("status", "pending").whereIn("item_type", ["admin", "custom"])) as PurchaseRow[];
    let count = 0;
    for (const row of rows) {
      if ((await refundPurchase(this.options, row.id, "interrupted by a restart before the admins were notified")) !== null) count += 1;
    }
    if (count > 0) this.logger.warn("refunded purchases interrupted by a restart", { count });
    return count;
  }
}
