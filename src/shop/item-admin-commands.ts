import { CommandHandlers } from "../bot/command-handlers.js";
import { replyOptions, requireAdmin } from "../admin/require-admin.js";
import { parseDurationSeconds, parsePositiveInteger, splitArguments } from "../bot/command-arguments.js";
import type { BotContext } from "../bot/context.js";
import { describeItem, describeItemType } from "./describe-item.js";
import { MAX_ITEM_NAME_LENGTH, normalizeItemName } from "./fold-item-name.js";
import { isShopItemType } from "./item-types.js";
import { parseAddItemArguments } from "./parse-add-item.js";
import { DuplicateItemNameError, type ShopCatalog, type ShopItemChanges, UnknownItemError } from "./shop-catalog.js";

/**
 * The bot admins' item commands: /add_item, /edit_item, /disable_item,
 * /enable_item. Items are numbered by id, so disabling one never renumbers
 * the others.
 */
export function createItemAdminCommands(catalog: ShopCatalog): CommandHandlers<BotContext> {
  const handlers = new CommandHandlers<BotContext>();
  const admin = requireAdmin("bot");

  const duplicate = (ctx: BotContext, error: DuplicateItemNameError) =>
    ctx.t("shop.addItem.duplicate", {
      name: error.itemName,
      existing: error.existingItemId === null ? "" : ctx.t("shop.addItem.existing", { id: String(error.existingItemId) }),
    });

  handlers.command("add_item", admin, async (ctx) => {
    const parsed = parseAddItemArguments(ctx.match);
    if (!parsed.ok) {
      const text =
        parsed.error === "badPrice"
          ? ctx.t("shop.addItem.badPrice")
          : parsed.error === "nameTooLong"
            ? ctx.t("shop.addItem.nameTooLong", { max: MAX_ITEM_NAME_LENGTH })
            : ctx.t("core.usage", { usage: ctx.t("shop.addItem.usage") });
      await ctx.reply(text, replyOptions(ctx));
      return;
    }
    const { name, price, type, description, durationSeconds } = parsed.item;
    try {
      const item = await catalog.add({ name, price, type, description, durationSeconds, createdBy: ctx.from?.id ?? null });
      ctx.services.logger.info("shop item added", { component: "shop", itemId: item.id, name: item.name, price, type, by: ctx.from?.id });
      const defaultSeconds = ctx.services.settings.current.timings.stickerPassSeconds;
      await ctx.reply(
        ctx.t("shop.addItem.added", { id: String(item.id), name: item.name, price, type: describeItemType(item, ctx.language, defaultSeconds) }),
        replyOptions(ctx),
      );
    } catch (error) {
      if (!(error instanceof DuplicateItemNameError)) throw error;
      await ctx.reply(duplicate(ctx, error), replyOptions(ctx));
    }
  });

  handlers.command("edit_item", admin, async (ctx) => {
    const usage = () => ctx.reply(ctx.t("core.usage", { usage: ctx.t("shop.editItem.usage") }), replyOptions(ctx));
    const match = /^\s*[#№]?(\S+)\s+(\S+)\s*([\s\S]*)$/u.exec(ctx.match);
    const id = parsePositiveInteger(match?.[1]);
    if (match === null || id === undefined) return void (await usage());
    const field = match[2].toLowerCase();
    const raw = match[3].trim();
    const words = splitArguments(raw);
    const unquoted = words.length === 1 ? words[0] : raw;
    const changes: ShopItemChanges = {};
    switch (field) {
      case "name": {
        const name = normalizeItemName(unquoted);
        if (name === "") return void (await usage());
        if (name.length > MAX_ITEM_NAME_LENGTH) return void (await ctx.reply(ctx.t("shop.addItem.nameTooLong", { max: MAX_ITEM_NAME_LENGTH }), replyOptions(ctx)));
        changes.name = name;
        break;
      }
      case "price": {
        const price = parsePositiveInteger(raw);
        if (price === undefined) return void (await ctx.reply(ctx.t("shop.addItem.badPrice"), replyOptions(ctx)));
        changes.price = price;
        break;
      }
      case "type":
        if (!isShopItemType(raw)) return void (await ctx.reply(ctx.t("shop.editItem.badType"), replyOptions(ctx)));
        changes.type = raw;
        break;
      case "description":
        changes.description = raw === "" || raw === "-" ? null : raw;
        break;
      case "duration": {
        if (raw.toLowerCase() === "default") {
          changes.durationSeconds = null;
          break;
        }
        const seconds = parseDurationSeconds(raw);
        if (seconds === undefined) return void (await ctx.reply(ctx.t("shop.editItem.badDuration", { value: raw }), replyOptions(ctx)));
        changes.durationSeconds = seconds;
        break;
      }
      default:
        return void (await usage());
    }
    try {
      const item = await catalog.edit(id, changes);
      ctx.services.logger.info("shop item edited", { component: "shop", itemId: id, field, by: ctx.from?.id });
      const line = describeItem(item, ctx.language, ctx.services.settings.current.timings.stickerPassSeconds);
      await ctx.reply(ctx.t("shop.editItem.done", { id: String(id), item: line }), replyOptions(ctx));
    } catch (error) {
      if (error instanceof UnknownItemError) return void (await ctx.reply(ctx.t("shop.editItem.unknownItem", { id: String(id) }), replyOptions(ctx)));
      if (error instanceof DuplicateItemNameError) return void (await ctx.reply(duplicate(ctx, error), replyOptions(ctx)));
      throw error;
    }
  });

  for (const [command, active] of [["disable_item", false], ["enable_item", true]] as const) {
    handlers.command(command, admin, async (ctx) => {
      const id = parsePositiveInteger(splitArguments(ctx.match)[0]?.replace(/^[#№]/u, ""));
      if (id === undefined) {
        await ctx.reply(ctx.t("core.usage", { usage: ctx.t(active ? "shop.enableItem.usage" : "shop.disableItem.usage") }), replyOptions(ctx));
        return;
      }
      try {
        const item = await catalog.edit(id, { active });
        ctx.services.logger.info(active ? "shop item enabled" : "shop item disabled", { component: "shop", itemId: id, by: ctx.from?.id });
        await ctx.reply(ctx.t(active ? "shop.enableItem.done" : "shop.disableItem.done", { id: String(id), name: item.name }), replyOptions(ctx));
      } catch (error) {
        if (!(error instanceof UnknownItemError)) throw error;
        await ctx.reply(ctx.t("shop.editItem.unknownItem", { id: String(id) }), replyOptions(ctx));
      }
    });
  }

  return handlers;
}
