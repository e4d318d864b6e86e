import type { Knex } from "knex";

/** Sticker passes, the durable schedule of sticker deletions, and the once-per-user notices. */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable("sticker_passes", (t) => {
    t.bigInteger("user_id").primary(); // one pass per user; extending moves expires_at
    t.bigInteger("starts_at").notNullable();
    t.bigInteger("expires_at").notNullable(); // active while starts_at <= now < expires_at
    t.bigInteger("revoked_at").nullable(); // set when an admin revoked it (expires_at moved to that time)
    t.string("revoke_reason", 32).nullable(); // admin (an expiry is recorded by the sweep watermark, not per row)
    t.string("source", 32).notNullable(); // purchase | admin
    t.bigInteger("granted_by").nullable();
    t.bigInteger("updated_at").notNullable();
    // The expiry sweep reads (watermark, now] of this index and nothing else
    // (it covers the query): its cost follows the number expired, not the
    // number of users, and it writes no pass rows.
    t.index(["expires_at", "revoke_reason", "user_id"], "sticker_passes_expiry");
  });

  await db.schema.createTable("sticker_pass_sweeps", (t) => {
    // One row: every expiry at or before processed_until has been processed.
    t.integer("id").primary();
    t.bigInteger("processed_until").notNullable();
    t.bigInteger("updated_at").notNullable();
  });
  await db("sticker_pass_sweeps").insert({ id: 1, processed_until: 0, updated_at: 0 });

  await db.schema.createTable("sticker_deletions", (t) => {
    t.increments("id").primary();
    t.bigInteger("chat_id").notNullable();
    t.bigInteger("message_id").notNullable();
    t.bigInteger("user_id").notNullable(); // the sender (for notices: the user the notice was for)
    t.string("kind", 16).notNullable().defaultTo("sticker"); // sticker | notice (the bot's own notice removing itself)
    t.bigInteger("sent_at").notNullable(); // message date: the Bot API refuses deletions after 48 h
    t.bigInteger("due_at").notNullable();
    t.string("status", 16).notNullable(); // pending | executed | skipped | failed | cancelled
    t.string("reason", 256).nullable();
    t.integer("attempts").notNullable().defaultTo(0);
    t.bigInteger("created_at").notNullable();
    t.bigInteger("finished_at").nullable();
    t.unique(["chat_id", "message_id"]);
    t.index(["status", "due_at"]);
    t.index(["user_id", "status"]);
  });

  await db.schema.createTable("sticker_notices", (t) => {
    t.bigInteger("chat_id").notNullable();
    t.bigInteger("user_id").notNullable();
    t.bigInteger("notified_at").notNullable();
    t.bigInteger("message_id").nullable();
    t.primary(["chat_id", "user_id"]);
  });

  await db.schema.createTable("chat_restrictions", (t) => {
    // Users whose can_send_other_messages we removed in `restrict` chats.
    t.bigInteger("chat_id").notNullable();
    t.bigInteger("user_id").notNullable();
    t.bigInteger("restricted_at").notNullable();
    t.primary(["chat_id", "user_id"]);
  });
}

export async function down(db: Knex): Promise<void> {
  for (const table of ["chat_restrictions", "sticker_notices", "sticker_deletions", "sticker_pass_sweeps", "sticker_passes"]) {
    await db.schema.dropTableIfExists(table);
  }
}
