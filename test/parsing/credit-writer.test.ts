import { expect } from "chai";
import path from "node:path";
import { type Database, migrateDatabase, openDatabase } from "../../src/database/open-database.js";
import { Ledger } from "../../src/economy/ledger.js";
import { createSilentLogger } from "../../src/logging/logger.js";
import { CreditWriter } from "../../src/parsing/credit-writer.js";
import type { ParsedCredit } from "../../src/parsing/parsed-transactions.js";
import { ManualClock } from "../../src/time/clock.js";
import { UserRoster } from "../../src/users/user-roster.js";
import { createTempDirectory } from "../support/daemon-process.js";
import { user } from "../support/updates.js";

describe("CreditWriter (grouped credit transactions, real SQLite file)", () => {
  let temp: ReturnType<typeof createTempDirectory>;
  let db: Database;
  let writer: CreditWriter;
  let ledger: Ledger;

  beforeEach(async () => {
    temp = createTempDirectory("stickerbot-credits-");
    db = await openDatabase(path.join(temp.dir, "credits.sqlite"));
    await migrateDatabase(db);
    const clock = new ManualClock();
    const logger = createSilentLogger();
    ledger = new Ledger(db, clock);
    writer = new CreditWriter({ db, ledger, roster: new UserRoster({ db, clock, logger }), clock, logger });
  });
  afterEach(async () => {
    await db.destroy();
    temp.remove();
  });

  const credit = (messageId: number, player: ReturnType<typeof user>, converted: number): ParsedCredit => ({
    chatId: -100,
    messageId,
    ruleId: 1,
    sourceBot: "shmalala_bot",
    original: converted,
    converted,
    currency: "coins",
    userId: player.id,
    user: player,
    messageText: `Монеты: +${converted}`,
  });

  it("credits submitted together share a transaction; duplicates (stored or in the group) are not credited again", async () => {
    const players = Array.from({ length: 5 }, () => user());
    await writer.submit(credit(1, players[0], 10));
    let transactions = 0;
    db.on("query", (query: { sql: string }) => {
      if (/^BEGIN/i.test(query.sql)) transactions += 1;
    });
    const submitted = [credit(1, players[0], 10), credit(2, players[1], 20), credit(2, players[1], 20)];
    for (let i = 0; i < 30; i += 1) submitted.push(credit(100 + i, players[i % 5], i + 1));
    const outcomes = await Promise.all(submitted.map((entry) => writer.submit(entry)));
    expect(transactions).to.equal(1);
    expect(outcomes[0]).to.deep.equal({ credited: false, duplicate: true });
    expect(outcomes[1]).to.include({ credited: true });
    expect(outcomes[2]).to.deep.equal({ credited: false, duplicate: true });
    expect(outcomes.slice(3).every((outcome) => outcome.credited)).to.equal(true);
    const rows = await db("parsed_transactions");
    expect(rows).to.have.length(32);
    for (const player of players) {
      const { sum } = (await db("ledger").where("user_id", player.id).sum({ sum: "amount" }).first()) as { sum: number };
      expect(await ledger.balanceOf(player.id)).to.equal(Number(sum));
    }
    const total = (await db("ledger").sum({ sum: "amount" }).first()) as { sum: number };
    expect(Number(total.sum)).to.equal(10 + 20 + (30 * 31) / 2);
  });

  it("when a group fails, each credit is retried alone: only the bad one fails", async () => {
    const player = user();
    const results = await Promise.allSettled([
      writer.submit(credit(1, player, 5)),
      writer.submit(credit(2, player, 1.5)), // not an integer: the ledger refuses it
      writer.submit(credit(3, player, 7)),
    ]);
    expect(results.map((result) => result.status)).to.deep.equal(["fulfilled", "rejected", "fulfilled"]);
    expect((results[1] as PromiseRejectedResult).reason).to.be.instanceOf(RangeError);
    expect(await ledger.balanceOf(player.id)).to.equal(12);
    expect((await db("parsed_transactions").orderBy("message_id")).map((row) => row.message_id)).to.deep.equal([1, 3]);
    await writer.drain();
  });
});
