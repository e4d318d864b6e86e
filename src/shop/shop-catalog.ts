import type { Database } from "../database/open-database.js";
import type { Clock } from "../time/clock.js";
import { foldItemName, normalizeItemName } from "./fold-item-name.js";
import type { ShopItemType } from "./item-types.js";

/** A shop item as stored. Prices are integer coins. */
export interface ShopItemRow {
  /** The number shown in /shop and used by /buy. */
  id: number;
  name: string;
  name_folded: string;
  price: number;
  type: ShopItemType;
  description: string | null;
  /** Sticker items: how long the pass lasts, in seconds; null means `timings.stickerPassSeconds`. */
  duration_seconds: number | null;
  active: boolean | number;
  seed_key: string | null;
  price_edited: boolean | number;
  created_by: number | null;
  created_at: number;
  updated_at: number;
}

/** What an admin gives to create an item. */
export interface NewShopItem {
  name: string;
  price: number;
  type: ShopItemType;
  description?: string | null;
  durationSeconds?: number | null;
  createdBy?: number | null;
}

/** The fields /edit_item may change. */
export interface ShopItemChanges {
  name?: string;
  price?: number;
  type?: ShopItemType;
  description?: string | null;
  durationSeconds?: number | null;
  active?: boolean;
}

/** Thrown when an item name is taken (compared with {@link foldItemName}). */
export class DuplicateItemNameError extends Error {
  override readonly name = "DuplicateItemNameError";
  constructor(
    readonly itemName: string,
    readonly existingItemId: number | null,
  ) {
    super(`an item named "${itemName}" already exists${existingItemId === null ? "" : ` (#${existingItemId})`}`);
  }
}

/** Thrown by {@link ShopCatalog.edit} for an item number that does not exist. */
export class UnknownItemError extends Error {
  override readonly name = "UnknownItemError";
  constructor(readonly itemId: number) {
    super(`there is no shop item #${itemId}`);
  }
}

/**
 * The items of the shop. Item numbers are the table's ids: they never change,
 * so disabling an item removes it from /shop without renumbering the others.
 */
export class ShopCatalog {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  /** The active items, by number. */
  async listActive(db: Database = this.db): Promise<ShopItemRow[]> {
    return (await db("shop_items").where("active", true).orderBy("id")) as ShopItemRow[];
  }

  /** The item with this number (active or not), or undefined. */
  async find(id: number, db: Database = this.db): Promise<ShopItemRow | undefined> {
    return (await db("shop_items").where("id", id).first()) as ShopItemRow | undefined;
  }

  /** Creates an item, buyable at once. Throws {@link DuplicateItemNameError} when the folded name is taken. */
  async add(item: NewShopItem): Promise<ShopItemRow> {
    const name = normalizeItemName(item.name);
    const folded = foldItemName(name);
    const now = this.clock.now();
    return this.db.transaction(async (trx) => {
      await this.assertNameFree(trx, folded, name, null);
      try {
        const [inserted] = await trx("shop_items")
          .insert({
            name,
            name_folded: folded,
            price: item.price,
            type: item.type,
            description: item.description ?? null,
            duration_seconds: item.durationSeconds ?? null,
            active: true,
            created_by: item.createdBy ?? null,
            created_at: now,
            updated_at: now,
          })
          .returning("id");
        const id = typeof inserted === "object" ? (inserted as { id: number }).id : (inserted as number);
        return (await this.find(id, trx))!;
      } catch (error) {
        // The unique key is the real guard (the check above only gives the nicer message).
        if (isUniqueViolation(error)) throw new DuplicateItemNameError(name, null);
        throw error;
      }
    });
  }

  /** Changes an item. Throws {@link UnknownItemError} or {@link DuplicateItemNameError}. */
  async edit(id: number, changes: ShopItemChanges): Promise<ShopItemRow> {
    return this.db.transaction(async (trx) => {
      const existing = await this.find(id, trx);
      if (existing === undefined) throw new UnknownItemError(id);
      const updates: Record<string, unknown> = { updated_at: this.clock.now() };
      if (changes.name !== undefined) {
        const name = normalizeItemName(changes.name);
        const folded = foldItemName(name);
        await this.assertNameFree(trx, folded, name, id);
        updates.name = name;
        updates.name_folded = folded;
      }
      if (changes.price !== undefined) {
        updates.price = changes.price;
        updates.price_edited = true; // from now on the seeder leaves the price alone
      }
      if (changes.type !== undefined) updates.type = changes.type;
      if (changes.description !== undefined) updates.description = changes.description;
      if (changes.durationSeconds !== undefined) updates.duration_seconds = changes.durationSeconds;
      if (changes.active !== undefined) updates.active = changes.active;
      try {
        await trx("shop_items").where("id", id).update(updates);
      } catch (error) {
        if (isUniqueViolation(error)) throw new DuplicateItemNameError(String(updates.name), null);
        throw error;
      }
      return (await this.find(id, trx))!;
    });
  }

  private async assertNameFree(trx: Database, folded: string, name: string, exceptId: number | null): Promise<void> {
    const clash = (await trx("shop_items").where("name_folded", folded).first("id")) as { id: number } | undefined;
    if (clash !== undefined && clash.id !== exceptId) throw new DuplicateItemNameError(name, clash.id);
  }
}

/** Whether a database error is a unique-key violation (SQLite: SQLITE_CONSTRAINT … UNIQUE; PostgreSQL: 23505). */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  const message = error instanceof Error ? error.message : "";
  return code === "23505" || (code === "SQLITE_CONSTRAINT" && /UNIQUE/i.test(message));
}
