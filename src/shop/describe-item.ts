import type { Language } from "../config/config.js";
import { translate } from "../i18n/catalogue.js";
import { formatDuration } from "../stickers/format-duration.js";
import type { ShopItemRow } from "./shop-catalog.js";

/** The pass length of a sticker item, in seconds: its own, else `defaultSeconds` (`timings.stickerPassSeconds`). */
export function passSecondsOf(item: ShopItemRow, defaultSeconds: number): number {
  return Number(item.duration_seconds ?? defaultSeconds);
}

/** What an item does, in a few words: "sticker pass for 1 d", "admin call", ... */
export function describeItemType(item: ShopItemRow, language: Language, defaultPassSeconds: number): string {
  if (item.type === "sticker") {
    return translate(language, "shop.type.sticker", { duration: formatDuration(passSecondsOf(item, defaultPassSeconds) * 1000, language) });
  }
  return translate(language, `shop.type.${item.type}`);
}

/** One /shop line (plus the description on the next line when there is one). */
export function describeItem(item: ShopItemRow, language: Language, defaultPassSeconds: number): string {
  const line = translate(language, "shop.list.item", {
    id: String(item.id),
    name: item.name,
    price: Number(item.price),
    type: describeItemType(item, language, defaultPassSeconds),
  });
  return item.description === null || item.description === "" ? line : `${line}\n    ${item.description}`;
}
