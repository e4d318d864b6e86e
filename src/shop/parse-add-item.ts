import { parseDurationSeconds, parsePositiveInteger } from "../bot/command-arguments.js";
import { MAX_ITEM_NAME_LENGTH, normalizeItemName } from "./fold-item-name.js";
import { isShopItemType, type ShopItemType } from "./item-types.js";

/** The arguments of `/add_item`, parsed. */
export interface AddItemArguments {
  name: string;
  price: number;
  type: ShopItemType;
  description: string | null;
  /** Sticker items only: from a leading duration word of the description (`12h`, `30m`, `2d`, `1d12h`); null = the default. */
  durationSeconds: number | null;
}

/** Why `/add_item` arguments were refused; `usage` means "show the usage line". */
export type AddItemParseError = "usage" | "nameTooLong" | "badPrice";

interface Word {
  text: string;
  /** Offset just after the word in the argument string. */
  end: number;
}

/** Same grouping as `splitArguments`, keeping where each word ends so the description stays verbatim. */
function splitWords(text: string): Word[] {
  const words: Word[] = [];
  for (const match of text.matchAll(/"([^"]*)"?|«([^»]*)»?|(\S+)/gu)) {
    words.push({ text: match[1] ?? match[2] ?? match[3] ?? "", end: (match.index ?? 0) + match[0].length });
  }
  return words;
}

/** A duration word needs a unit (`12h`), so a description that starts with a number stays a description. */
const DURATION_WORD = /^(?:\d+[dhms])+$/iu;

/**
 * Parses `name price type [description]`.
 *
 * The name is either quoted (`"Gold pass" 500 sticker`, also «…») or runs up
 * to the first `<price> <type>` pair (`Gold pass 500 sticker` works too). The
 * description is the rest of the line, verbatim. For sticker items a leading
 * duration word sets the pass length: `/add_item "Week pass" 900 sticker 7d
 * Seven days of stickers`.
 */
export function parseAddItemArguments(text: string): { ok: true; item: AddItemArguments } | { ok: false; error: AddItemParseError } {
  const words = splitWords(text);
  let typeIndex = -1;
  for (let index = 1; index + 1 < words.length; index += 1) {
    if (/^\d+$/u.test(words[index].text) && isShopItemType(words[index + 1].text)) {
      typeIndex = index + 1;
      break;
    }
  }
  if (typeIndex < 0) {
    // A price that is not a positive integer deserves its own message.
    const priceLike = words.findIndex((word, index) => index > 0 && isShopItemType(words[index + 1]?.text) && /^[-+\d.,]+$/u.test(word.text));
    return { ok: false, error: priceLike > 0 ? "badPrice" : "usage" };
  }
  const priceIndex = typeIndex - 1;
  const name = normalizeItemName(words.slice(0, priceIndex).map((word) => word.text).join(" "));
  if (name === "") return { ok: false, error: "usage" };
  if (name.length > MAX_ITEM_NAME_LENGTH) return { ok: false, error: "nameTooLong" };
  const price = parsePositiveInteger(words[priceIndex].text);
  if (price === undefined) return { ok: false, error: "badPrice" };
  const type = words[typeIndex].text as ShopItemType;
  let rest = text.slice(words[typeIndex].end).trim();
  let durationSeconds: number | null = null;
  if (type === "sticker") {
    const first = rest.split(/\s+/u, 1)[0] ?? "";
    const seconds = DURATION_WORD.test(first) ? parseDurationSeconds(first) : undefined;
    if (seconds !== undefined) {
      durationSeconds = seconds;
      rest = rest.slice(first.length).trim();
    }
  }
  return { ok: true, item: { name, price, type, description: rest === "" ? null : rest, durationSeconds } };
}
