/**
 * What buying an item does:
 * - `sticker`: grants (or extends) the sticker pass for the item's duration;
 * - `admin`: calls the bot admins (a private notice to each);
 * - `mention_all`: the buyer writes an announcement that is posted with a mention of every known member of the chat;
 * - `custom`: the admins are notified with the item's description and deliver it by hand.
 */
export type ShopItemType = "sticker" | "admin" | "mention_all" | "custom";

/** Every item type, in the order /add_item's usage lists them. */
export const SHOP_ITEM_TYPES: readonly ShopItemType[] = ["sticker", "admin", "mention_all", "custom"];

/** Whether `text` names an item type (exactly, lower case: `sticker`, `admin`, `mention_all`, `custom`). */
export function isShopItemType(text: string | undefined): text is ShopItemType {
  return text !== undefined && (SHOP_ITEM_TYPES as readonly string[]).includes(text);
}
