import type { Config } from "../config/config.js";
import type { Database } from "../database/open-database.js";
import { type MessageKey, translate } from "../i18n/catalogue.js";
import { foldItemName } from "./fold-item-name.js";
import type { ShopItemType } from "./item-types.js";

interface SeededItem {
  id: number;
  seedKey: string;
  type: ShopItemType;
  name: MessageKey;
  description: MessageKey;
  price: (config: Config) => number;
}

/** The default items: 1 sticker pass (24 h, `timings.stickerPassSeconds`), 2 admin call, 3 mention-all. */
const SEEDED_ITEMS: SeededItem[] = [
  { id: 1, seedKey: "sticker_pass", type: "sticker", name: "shop.seed.stickerPass.name", description: "shop.seed.stickerPass.description", price: (c) => c.shop.stickerPassPrice },
  { id: 2, seedKey: "admin_call", type: "admin", name: "shop.seed.adminCall.name", description: "shop.seed.adminCall.description", price: (c) => c.shop.adminCallPrice },
  { id: 3, seedKey: "mention_all", type: "mention_all", name: "shop.seed.mentionAll.name", description: "shop.seed.mentionAll.description", price: (c) => c.shop.mentionAllPrice },
];

/**
 * Inserts the default items once (names in `defaultLanguage`), and keeps
 * their prices equal to `shop.stickerPassPrice` / `adminCallPrice` /
 * `mentionAllPrice` until an admin sets a price with /edit_item. Items an
 * admin disabled or renamed stay as the admin left them. Idempotent.
 */
export async function seedShopItems(db: Database, config: Config, now: number): Promise<void> {
  for (const item of SEEDED_ITEMS) {
    const name = translate(config.defaultLanguage, item.name);
    const price = item.price(config);
    // Any unique clash (id, seed key, or an admin's item of that name) means "already there".
    await db("shop_items")
      .insert({
        id: item.id,
        seed_key: item.seedKey,
        name,
        name_folded: foldItemName(name),
        price,
        type: item.type,
        description: translate(config.defaultLanguage, item.description),
        duration_seconds: null, // the pass length follows timings.stickerPassSeconds
        active: true,
        price_edited: false,
        created_by: null,
        created_at: now,
        updated_at: now,
      })
      .onConflict()
      .ignore();
    await db("shop_items").where({ seed_key: item.seedKey, price_edited: false }).whereNot("price", price).update({ price, updated_at: now });
  }
}
