import type { Knex } from "knex";

/** Parsing rules for game bots' reports, the credits they produced and the attempts that failed. */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable("parsing_rules", (t) => {
    t.increments("id").primary();
    t.string("name", 64).notNullable().unique();
    t.string("bot_username_folded", 64).nullable(); // lower-cased, without @
    t.bigInteger("bot_id").nullable();
    t.text("pattern").notNullable();
    t.string("multiplier", 32).notNullable(); // exact decimal string, never a float
    t.string("currency", 32).notNullable();
    t.boolean("active").notNullable().defaultTo(true);
    t.string("origin", 16).notNullable(); // seed | config | admin
    t.bigInteger("created_by").nullable();
    t.bigInteger("created_at").notNullable();
    t.bigInteger("updated_at").notNullable();
  });

  await db.schema.createTable("parsed_transactions", (t) => {
    t.increments("id").primary();
    t.bigInteger("chat_id").notNullable();
    t.bigInteger("message_id").notNullable();
    t.integer("rule_id").nullable();
    t.string("source_bot", 64).notNullable();
    t.bigInteger("original_amount").notNullable();
    t.bigInteger("converted_amount").notNullable();
    t.string("currency", 32).notNullable();
    t.bigInteger("user_id").notNullable();
    t.text("message_text").nullable();
    t.bigInteger("created_at").notNullable();
    // Polling is at-least-once: the same report is credited at most once.
    t.unique(["chat_id", "message_id"]);
    t.index(["created_at"]);
    t.index(["user_id", "created_at"]);
  });

  await db.schema.createTable("parse_failures", (t) => {
    t.increments("id").primary();
    t.bigInteger("chat_id").notNullable();
    t.bigInteger("message_id").notNullable();
    t.integer("rule_id").nullable();
    t.string("source_bot", 64).notNullable();
    t.string("reason", 256).notNullable();
    t.text("message_text").nullable();
    t.bigInteger("created_at").notNullable();
    // One failure per report: a redelivered report that fails again is the same attempt.
    t.unique(["chat_id", "message_id"]);
    t.index(["created_at"]);
  });
}

export async function down(db: Knex): Promise<void> {
  for (const table of ["parse_failures", "parsed_transactions", "parsing_rules"]) {
    await db.schema.dropTableIfExists(table);
  }
}
