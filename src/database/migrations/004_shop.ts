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
    t.bigInteger("created_by").nullable();
    t.bigInteger("created_at").notNullable();
    t.bigInteger("updated_at").notNullable();
    t.check("price > 0", [], "shop_items_price_positive");
  });

  await db.schema.createTable("purchases", (t) => {
    t.increments("id").primary();
    t.bigInteger("user_id").notNullable();
    t.integer("item_id").notNullable();
    t.bigInteger("chat_id").notNullable();
    t.bigInteger("price").notNullable();
    t.string("status", 16).notNullable(); // pending | active | completed | refunded
    t.bigInteger("created_at").notNullable();
    t.bigInteger("expires_at").nullable();
    t.bigInteger("refunded_at").nullable();
    t.string("refund_reason", 256).nullable();
    t.index(["user_id", "created_at"]);
  });

  await db.schema.createTable("mention_prompts", (t) => {
    t.increments("id").primary();
    t.integer("purchase_id").notNullable().unique();
    t.bigInteger("user_id").notNullable();
    t.bigInteger("chat_id").notNullable();
    t.bigInteger("expires_at").notNullable();
    t.string("status", 16).notNullable(); // waiting | posted | cancelled | expired
    t.index(["chat_id", "user_id", "status"]);
  });

  await db.schema.createTable("achievements", (t) => {
    t.string("code", 64).primary();
    t.string("name_ru", 128).notNullable();
    t.string("name_en", 128).notNullable();
    t.text("description_ru").notNullable();
    t.text("description_en").notNullable();
    t.string("condition", 32).notNullable(); // first_earning | balance_at_least | purchases_at_least | ...
    t.bigInteger("threshold").notNullable();
    t.bigInteger("reward").notNullable();
  });

  await db.schema.createTable("user_achievements", (t) => {
    t.bigInteger("user_id").notNullable();
    t.string("code", 64).notNullable();
    t.bigInteger("unlocked_at").notNullable();
    t.primary(["user_id", "code"]); // awarded at most once
  });
}

export async function down(db: Knex): Promise<void> {
  for (const table of ["user_achievements", "achievements", "mention_prompts", "purchases", "shop_items"]) {
    await db.schema.dropTableIfExists(table);
  }
}
