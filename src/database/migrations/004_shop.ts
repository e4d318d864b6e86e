import type { Knex } from "knex";

/** Shop items, purchases, pending mention-all prompts, achievements. */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable("shop_items", (t) => {
    t.increments("id").primary(); // the number shown in /shop and used by /buy
    t.string("name", 128).notNullable();
    t.string("name_folded", 128).notNullable().unique(); // Unicode case-folded in code (SQLite folds ASCII only)
    t.bigInteger("price").notNullable();
    t.string("type", 16).notNullable(); // sticker | admin | mention_all | custom
    t.text("description").nullable();
    t.integer("duration_seconds").nullable(); // sticker items: pass length
    t.boolean("active").notNullable().defaultTo(true);
    // Seeded items (sticker_pass | admin_call | mention_all): their price follows
    // config.shop.* until an admin edits it (price_edited).
    t.string("seed_key", 32).nullable().unique();
    t.boolean("price_edited").notNullable().defaultTo(false);
    t.bigInteger("created_by").nullable();
    t.bigInteger("created_at").notNullable();
    t.bigInteger("updated_at").notNullable();
    t.check("price > 0", [], "shop_items_price_positive");
  });

  await db.schema.createTable("purchases", (t) => {
    t.increments("id").primary();
    t.bigInteger("user_id").notNullable();
    t.integer("item_id").notNullable();
    t.string("item_name", 128).notNullable(); // as bought: the item may be renamed later
    t.string("item_type", 16).notNullable();
    t.bigInteger("chat_id").notNullable();
    t.bigInteger("price").notNullable();
    // pending: charged, activation in progress (mention_all: waiting for the text);
    // active: has an expiry (sticker pass); completed: delivered; refunded.
    t.string("status", 16).notNullable();
    t.bigInteger("created_at").notNullable();
    t.bigInteger("expires_at").nullable();
    t.bigInteger("refunded_at").nullable();
    t.string("refund_reason", 256).nullable();
    t.index(["user_id", "created_at"]);
    t.index(["status"]);
  });

  await db.schema.createTable("mention_prompts", (t) => {
    t.increments("id").primary();
    t.integer("purchase_id").notNullable().unique();
    t.bigInteger("user_id").notNullable();
    t.bigInteger("chat_id").notNullable();
    t.bigInteger("created_at").notNullable();
    t.bigInteger("expires_at").notNullable();
    t.string("status", 16).notNullable(); // waiting | posting | posted | cancelled | expired | failed
    t.integer("mentioned_count").nullable();
    t.index(["chat_id", "user_id", "status"]);
    t.index(["status", "expires_at"]);
  });

  await db.schema.createTable("achievements", (t) => {
    t.string("code", 64).primary();
    t.string("name_ru", 128).notNullable();
    t.string("name_en", 128).notNullable();
    t.text("description_ru").notNullable();
    t.text("description_en").notNullable();
    // See src/achievements/achievement-conditions.ts: earned_at_least | balance_at_least |
    // purchases_at_least | sticker_passes_at_least | parsed_wins_at_least | activity_streak_at_least
    t.string("condition", 32).notNullable();
    t.bigInteger("threshold").notNullable();
    t.bigInteger("reward").notNullable();
    t.integer("sort_order").notNullable().defaultTo(0);
  });

  await db.schema.createTable("user_achievements", (t) => {
    t.bigInteger("user_id").notNullable();
    t.string("code", 64).notNullable();
    t.bigInteger("unlocked_at").notNullable();
    t.bigInteger("reward").notNullable().defaultTo(0); // as credited
    t.bigInteger("chat_id").nullable(); // where it happened (the congratulation goes there)
    t.primary(["user_id", "code"]); // awarded at most once
  });
}

export async function down(db: Knex): Promise<void> {
  for (const table of ["user_achievements", "achievements", "mention_prompts", "purchases", "shop_items"]) {
    await db.schema.dropTableIfExists(table);
  }
}
