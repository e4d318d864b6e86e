import { CommandHandlers } from "../bot/command-handlers.js";
import { replyOptions } from "../admin/require-admin.js";
import { parsePositiveInteger, splitArguments } from "../bot/command-arguments.js";
import type { BotContext } from "../bot/context.js";
import { formatDuration, formatUtc } from "../stickers/format-duration.js";
import { describeItem } from "./describe-item.js";
import type { MentionAllService } from "./mention-all-service.js";
import { type PurchaseOutcome, type PurchaseService, REFUND_NO_ADMIN_REACHED } from "./purchase-service.js";
import type { ShopCatalog } from "./shop-catalog.js";

/** Reads a user's sticker pass (the sticker feature's `StickerManager.getPass`). */
export interface StickerPassReader {
  getPass(userId: number): Promise<{ startsAt: number; expiresAt: number } | undefined>;
}

/** What the buyer-facing commands need. */
export interface ShopCommandsOptions {
  catalog: ShopCatalog;
  purchases: PurchaseService;
  mentions: MentionAllService;
  /** For /my_items: the sticker pass's real expiry (extensions and admin grants included). */
  stickerPasses: () => StickerPassReader | undefined;
}

/** /shop, /buy, /my_items and /cancel (of a waiting mention-all announcement). */
export function createShopCommands(options: ShopCommandsOptions): CommandHandlers<BotContext> {
  const { catalog, purchases, mentions } = options;
  const handlers = new CommandHandlers<BotContext>();

  handlers.command("shop", async (ctx) => {
    const settings = ctx.services.settings.current;
    const items = await catalog.listActive();
    const balance = ctx.from === undefined ? 0 : await ctx.services.ledger.balanceOf(ctx.from.id);
    const lines =
      items.length === 0
        ? [ctx.t("shop.list.empty")]
        : [ctx.t("shop.list.title"), "", ...items.map((item) => describeItem(item, ctx.language, settings.timings.stickerPassSeconds)), "", ctx.t("shop.list.footer", { balance })];
    await ctx.reply(lines.join("\n"), { ...replyOptions(ctx), link_preview_options: { is_disabled: true } });
  });

  handlers.command("buy", async (ctx) => {
    if (ctx.from === undefined) return;
    const itemId = parsePositiveInteger(splitArguments(ctx.match)[0]?.replace(/^[#№]/u, ""));
    if (itemId === undefined) {
      await ctx.reply(ctx.t("core.usage", { usage: ctx.t("shop.buy.usage") }), replyOptions(ctx));
      return;
    }
    const chat = { id: ctx.chat.id, type: ctx.chat.type, title: "title" in ctx.chat ? ctx.chat.title : null };
    const outcome = await purchases.buy(ctx.from, chat, itemId);
    await ctx.reply(describeOutcome(ctx, outcome), replyOptions(ctx));
  });

  handlers.command("my_items", async (ctx) => {
    if (ctx.from === undefined) return;
    const now = ctx.services.clock.now();
    const lines: string[] = [];
    const pass = await options.stickerPasses()?.getPass(ctx.from.id);
    if (pass !== undefined && pass.startsAt <= now && pass.expiresAt > now) {
      lines.push(ctx.t("shop.myItems.pass", { until: formatUtc(pass.expiresAt), left: formatDuration(pass.expiresAt - now, ctx.language) }));
    }
    for (const prompt of mentions.waitingOf(ctx.from.id)) {
      const purchase = (await ctx.services.db("purchases").where("id", prompt.purchase_id).first("item_name")) as { item_name: string } | undefined;
      const chat = (await ctx.services.db("chats").where("id", prompt.chat_id).first("title")) as { title: string | null } | undefined;
      lines.push(ctx.t("shop.myItems.mention", {
        name: purchase?.item_name ?? "",
        chat: chat?.title ?? String(prompt.chat_id),
        left: formatDuration(prompt.expires_at - now, ctx.language),
      }));
    }
    await ctx.reply(lines.length === 0 ? ctx.t("shop.myItems.empty") : [ctx.t("shop.myItems.title"), ...lines].join("\n"), replyOptions(ctx));
  });

  handlers.command("cancel", async (ctx, next) => {
    if (ctx.from === undefined) return next();
    // In private, /cancel cancels the user's waiting announcements in every chat.
    const chats = ctx.chat.type === "private" ? mentions.waitingOf(ctx.from.id).map((prompt) => prompt.chat_id) : [ctx.chat.id];
    let handled = false;
    for (const chatId of chats) {
      const refund = await mentions.cancel(chatId, ctx.from.id);
      if (refund === null) continue;
      handled = true;
      await ctx.reply(ctx.t("shop.mention.cancelled", { price: Number(refund.purchase.price), balance: refund.balanceAfter }), replyOptions(ctx));
    }
    // Nothing of ours to cancel: another feature's /cancel may apply.
    if (!handled) await next();
  });

  return handlers;
}

/** The reply to /buy. */
export function describeOutcome(ctx: BotContext, outcome: PurchaseOutcome): string {
  const now = ctx.services.clock.now();
  switch (outcome.kind) {
    case "unknownItem":
      return ctx.t("shop.buy.unknownItem", { id: String(outcome.itemId) });
    case "groupOnly":
      return ctx.t("shop.buy.groupOnly", { name: outcome.item.name });
    case "alreadyWaiting":
      return ctx.t("shop.buy.alreadyWaiting", { left: formatDuration(outcome.expiresAt - now, ctx.language) });
    case "insufficientFunds":
      return ctx.t("shop.buy.insufficient", {
        name: outcome.item.name,
        price: outcome.price,
        balance: outcome.balance,
        missing: outcome.price - outcome.balance,
      });
    case "notActivated":
      return ctx.t("shop.buy.notActivated", { name: outcome.item.name, reason: ctx.t("shop.reason.notActivated") });
    case "refunded":
      return ctx.t("shop.buy.refunded", {
        name: outcome.item.name,
        reason: outcome.reason === REFUND_NO_ADMIN_REACHED ? ctx.t("shop.reason.noAdmin") : ctx.t("shop.reason.notActivated"),
        price: outcome.price,
        balance: outcome.balance,
      });
    case "passGranted":
      return ctx.t("shop.buy.passGranted", {
        name: outcome.item.name,
        price: outcome.price,
        until: formatUtc(outcome.expiresAt),
        left: formatDuration(outcome.expiresAt - now, ctx.language),
        balance: outcome.balance,
      });
    case "adminsNotified":
      return ctx.t("shop.buy.adminsNotified", {
        name: outcome.item.name,
        price: outcome.price,
        reached: outcome.reached,
        total: outcome.total,
        balance: outcome.balance,
      });
    case "awaitingText":
      return ctx.t("shop.buy.awaitingText", {
        name: outcome.item.name,
        price: outcome.price,
        timeout: formatDuration(outcome.expiresAt - now, ctx.language),
      });
  }
}
