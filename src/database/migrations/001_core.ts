import type { Knex } from "knex";

/**
 * Users, the chats they were seen in (the roster: a bot cannot list a group's
 * members), the ledger, and the record of background task runs.
 * All times are integer milliseconds since the epoch; all money is integer coins.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable("users", (t) => {
    t.bigInteger("id").primary(); // Telegram user id
    t.string("username", 64).nullable();
    t.string("username_folded", 64).nullable().index(); // lower-cased, for exact case-insensitive lookup
    t.string("first_name", 256).notNullable().defaultTo("");
    t.string("last_name", 256).nullable();
    t.string("language_code", 16).nullable();
    t.boolean("is_bot").notNullable().defaultTo(false);
    t.boolean("started_private").notNullable().defaultTo(false); // has sent /start in private: we may message them
    t.boolean("unreachable").notNullable().defaultTo(false); // blocked the bot or deactivated (403)
    t.bigInteger("balance").notNullable().defaultTo(0);
    t.bigInteger("total_earned").notNullable().defaultTo(0);
    t.bigInteger("total_spent").notNullable().defaultTo(0);
    t.integer("purchase_count").notNullable().defaultTo(0);
    t.integer("activity_streak_days").notNullable().defaultTo(0);
    t.integer("last_active_day").nullable(); // days since epoch (UTC) of the last activity
    t.bigInteger("created_at").notNullable();
    t.bigInteger("last_active_at").notNullable();
    t.check("balance >= 0", [], "users_balance_not_negative");
  });

  await db.schema.createTable("chats", (t) => {
    t.bigInteger("id").primary();
    t.string("type", 16).notNullable();
    t.string("title", 256).nullable();
    t.bigInteger("last_seen_at").notNullable();
  });

  await db.schema.createTable("chat_members", (t) => {
    t.bigInteger("chat_id").notNullable();
    t.bigInteger("user_id").notNullable();
    t.bigInteger("first_seen_at").notNullable();
    t.bigInteger("last_seen_at").notNullable();
    t.primary(["chat_id", "user_id"]);
    t.index(["user_id"]);
  });

  await db.schema.createTable("ledger", (t) => {
    t.increments("id").primary();
    t.bigInteger("user_id").notNullable();
    t.bigInteger("amount").notNullable(); // signed: credits positive, debits negative
    t.bigInteger("balance_after").notNullable();
    t.string("reason", 32).notNullable(); // parse | purchase | refund | admin_add | admin_remove | achievement
    t.string("source", 128).nullable(); // e.g. the game bot's username, the item name
    t.string("reference", 128).nullable(); // e.g. chat:message of the report, purchase id
    t.bigInteger("actor_id").nullable(); // the admin who made a manual change
    t.bigInteger("created_at").notNullable();
    t.index(["user_id", "id"]);
  });

  await db.schema.createTable("task_runs", (t) => {
    t.increments("id").primary();
    t.string("task", 64).notNullable();
    t.string("trigger", 16).notNullable(); // schedule | manual | startup
    t.bigInteger("started_at").notNullable();
    t.bigInteger("finished_at").nullable();
    t.text("result").nullable(); // JSON
    t.text("error").nullable();
    t.index(["task", "started_at"]);
  });
}

export async function down(db: Knex): Promise<void> {
  for (const table of ["task_runs", "ledger", "chat_members", "chats", "users"]) {
    await db.schema.dropTableIfExists(table);
  }
}
