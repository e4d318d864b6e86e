import type { Knex } from "knex";

/**
 * Durable broadcasts: the job and each recipient's state, so a restart resumes
 * where it stopped. Recipients are snapshotted when the job is created.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable("broadcasts", (t) => {
    t.increments("id").primary();
    t.bigInteger("admin_id").notNullable();
    t.bigInteger("admin_chat_id").notNullable();
    t.string("language", 8).notNullable().defaultTo("ru"); // of the admin's progress message and report
    t.bigInteger("progress_message_id").nullable();
    t.text("text").notNullable();
    t.text("entities").nullable(); // JSON MessageEntity[] of `text` (formatting kept), or null
    t.string("status", 16).notNullable(); // queued | running | done | cancelled
    t.integer("total").notNullable().defaultTo(0);
    t.integer("rate_limited_count").notNullable().defaultTo(0); // 429 answers received
    t.bigInteger("cancelled_by").nullable();
    t.bigInteger("created_at").notNullable();
    t.bigInteger("started_at").nullable();
    t.bigInteger("finished_at").nullable();
    t.index(["status"]);
  });

  await db.schema.createTable("broadcast_recipients", (t) => {
    t.integer("broadcast_id").notNullable();
    t.bigInteger("user_id").notNullable();
    t.string("status", 16).notNullable(); // pending | sending | sent | failed | unreachable
    t.integer("attempts").notNullable().defaultTo(0);
    t.string("error", 256).nullable(); // the last failure's description (failed: the reason)
    // Was `sending` when the daemon died: the message may have reached them before the crash and again after.
    t.boolean("possibly_duplicated").notNullable().defaultTo(false);
    t.bigInteger("updated_at").notNullable();
    t.primary(["broadcast_id", "user_id"]);
    t.index(["broadcast_id", "status"]);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTableIfExists("broadcast_recipients");
  await db.schema.dropTableIfExists("broadcasts");
}
