import { Composer } from "grammy";
import type { CommandInfo, Feature, FeatureFactory } from "../app/services.js";
import type { BotContext } from "../bot/context.js";
import type { StickerManager } from "../stickers/sticker-manager.js";
import { BotAdminNotifier } from "./admin-notifier.js";
import { createItemAdminCommands } from "./item-admin-commands.js";
import { MentionAllService } from "./mention-all-service.js";
import { PurchaseService } from "./purchase-service.js";
import { createMentionTextCapture } from "./mention-text-capture.js";
import { createShopCommands } from "./shop-commands.js";
import { ShopCatalog } from "./shop-catalog.js";

const SHOP_COMMANDS: CommandInfo[] = [
  { command: "shop", description: "shop.command.shop" },
  { command: "buy", description: "shop.command.buy" },
  { command: "my_items", description: "shop.command.myItems" },
  { command: "cancel", description: "shop.command.cancel" },
  { command: "add_item", description: "shop.command.addItem", adminOnly: true },
  { command: "edit_item", description: "shop.command.editItem", adminOnly: true },
  { command: "disable_item", description: "shop.command.disableItem", adminOnly: true },
  { command: "enable_item", description: "shop.command.enableItem", adminOnly: true },
];

/** The shop feature, with its services for other features and tests. */
export type ShopFeature = Feature & { catalog: ShopCatalog; purchases: PurchaseService; mentions: MentionAllService };

/**
 * The shop: /shop, /buy, /my_items, /cancel and the admins' item commands.
 * Comes after the stickers feature (sticker items grant its passes); when
 * that feature is missing, sticker items fail without charging.
 */
export const createShopFeature: FeatureFactory = (services) => {
  const catalog = new ShopCatalog(services.db, services.clock);
  const stickerPasses = () => (services.features.get("stickers") as (Feature & { manager?: StickerManager }) | undefined)?.manager;
  const mentions = new MentionAllService(services);
  const purchases = new PurchaseService({ ...services, catalog, mentions, admins: new BotAdminNotifier(services), stickerPasses });
  const composer = new Composer<BotContext>(createMentionTextCapture(mentions));
  const handlers = createShopCommands({ catalog, purchases, mentions, stickerPasses }).include(createItemAdminCommands(catalog));
  const feature: ShopFeature = {
    name: "shop",
    composer,
    commandHandlers: handlers,
    commands: SHOP_COMMANDS,
    catalog,
    purchases,
    mentions,
    cleanupSteps: [
      {
        // A backup for the prompt timers (e.g. after the clock jumped).
        name: "shop mention prompts",
        run: async () => {
          await mentions.expireDue();
          return {};
        },
      },
    ],
    async start() {
      await purchases.refundInterrupted();
      await mentions.start();
    },
    async stop() {
      await mentions.stop();
    },
    async status() {
      const items = await catalog.listActive();
      return { activeItems: items.length, ...mentions.counts() };
    },
  };
  return feature;
};
