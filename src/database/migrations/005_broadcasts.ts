import type { Knex } from "knex";

/** Durable broadcasts: the job and each recipient's state, so a restart resumes where it stopped. */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable("broadcasts", (t) => {
    t.increments("id").primary();
    t.bigInteger("admin_id").notNullable();
    t.bigInteger("admin_chat_id").notNullable();
    t.bigInteger("progress_message_id").nullable();
    t.text("text").notNullable();
    t.string("status", 16).notNullable(); // queued | running | done | cancelled
    t.integer("total").notNullable().defaultTo(0);
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
    t.string("error", 256).nullable();
    t.bigInteger("updated_at").notNullable();
    t.primary(["broadcast_id", "user_id"]);
    t.index(["broadcast_id", "status"]);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTableIfExists("broadcast_recipients");
  await db.schema.dropTableIfExists("broadcasts");
}
