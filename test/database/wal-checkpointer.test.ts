import { expect } from "chai";
import { statSync } from "node:fs";
import path from "node:path";
import { type Database, migrateDatabase, openDatabase } from "../../src/database/open-database.js";
import { WalCheckpointer } from "../../src/database/wal-checkpointer.js";
import { createSilentLogger } from "../../src/logging/logger.js";
import { createTempDirectory } from "../support/daemon-process.js";

describe("WalCheckpointer (real SQLite file)", () => {
  let temp: ReturnType<typeof createTempDirectory>;
  let db: Database;
  let filename: string;

  beforeEach(async () => {
    temp = createTempDirectory("stickerbot-wal-");
    filename = path.join(temp.dir, "wal.sqlite");
    db = await openDatabase(filename);
    await migrateDatabase(db);
  });
  afterEach(async () => {
    await db.destroy();
    temp.remove();
  });

  const writeRows = async (count: number, from: number) => {
    for (let i = 0; i < count; i += 50) {
      await db("chats").insert(Array.from({ length: 50 }, (_, j) => ({ id: -(from + i + j), type: "group", title: "x".repeat(200), last_seen_at: 1 })));
    }
  };

  it("the daemon's connection checkpoints by itself only past 10,000 pages", async () => {
    const [row] = (await db.raw("PRAGMA wal_autocheckpoint")) as Array<{ wal_autocheckpoint: number }>;
    expect(row.wal_autocheckpoint).to.equal(10_000);
  });

  it("copies the WAL into the database file from its own connection while the main one writes", async () => {
    await writeRows(3_000, 1);
    const checkpointer = new WalCheckpointer({ filename, logger: createSilentLogger(), intervalMilliseconds: 60_000 });
    await checkpointer.start(); // start() checkpoints once at once
    const first = checkpointer.lastResult()!;
    expect(first.busy).to.equal(0);
    expect(first.log).to.be.greaterThan(10);
    expect(first.checkpointed).to.equal(first.log);
    const databaseBytes = statSync(filename).size;
    expect(databaseBytes).to.be.greaterThan(3_000 * 200);

    // The next write starts the log over; the next checkpoint copies only what is new.
    await writeRows(100, 10_000);
    const second = await checkpointer.checkpoint();
    expect(second.busy).to.equal(0);
    expect(second.log).to.be.lessThan(first.log);
    expect(second.checkpointed).to.equal(second.log);
    expect(await db("chats").count({ n: "*" }).first()).to.deep.equal({ n: 3_100 });

    await checkpointer.stop();
    await checkpointer.stop(); // idempotent
    let thrown: unknown;
    try {
      await checkpointer.checkpoint();
    } catch (error) {
      thrown = error;
    }
    expect(String(thrown)).to.match(/not started/);
  });

  it("checkpoints on its interval", async () => {
    const checkpointer = new WalCheckpointer({ filename, logger: createSilentLogger(), intervalMilliseconds: 20 });
    await checkpointer.start();
    const atStart = checkpointer.lastResult();
    await writeRows(200, 20_000);
    const deadline = Date.now() + 5_000;
    while (checkpointer.lastResult() === atStart && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(checkpointer.lastResult()).to.not.equal(atStart);
    expect(checkpointer.lastResult()!.checkpointed).to.equal(checkpointer.lastResult()!.log);
    await checkpointer.stop();
  });
});
