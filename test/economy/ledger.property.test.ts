import { expect } from "chai";
import fc from "fast-check";
import path from "node:path";
import { type Database, migrateDatabase, openDatabase } from "../../src/database/open-database.js";
import { InsufficientFundsError, Ledger, type LedgerReason } from "../../src/economy/ledger.js";
import { createSilentLogger } from "../../src/logging/logger.js";
import { ManualClock } from "../../src/time/clock.js";
import { UserRoster } from "../../src/users/user-roster.js";
import { createTempDirectory } from "../support/daemon-process.js";
import { user } from "../support/updates.js";

describe("ledger (real SQLite file)", function () {
  this.timeout(60_000);
  let temp: ReturnType<typeof createTempDirectory>;
  let db: Database;
  let ledger: Ledger;
  let roster: UserRoster;

  before(async () => {
    temp = createTempDirectory("stickerbot-ledger-");
    db = await openDatabase(path.join(temp.dir, "ledger.sqlite"));
    await migrateDatabase(db);
    const clock = new ManualClock();
    ledger = new Ledger(db, clock);
    roster = new UserRoster({ db, clock, logger: createSilentLogger() });
  });
  after(async () => {
    await db.destroy();
    temp.remove();
  });

  const change = fc.record({
    amount: fc.oneof(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: -1_000_000, max: -1 }), fc.constant(-1)),
    reason: fc.constantFrom<LedgerReason>("parse", "admin_add", "admin_remove", "purchase", "refund", "achievement"),
  });

  it("balance = sum of the ledger, never negative, refused debits change nothing (property, 100 runs)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(change, { minLength: 1, maxLength: 25 }), async (changes) => {
        const player = user();
        await roster.ensureUser(player);
        let expected = 0;
        for (const { amount, reason } of changes) {
          const signed = (reason === "admin_remove" || reason === "purchase") && amount > 0 ? -amount : amount;
          if (expected + signed < 0) {
            const before = await db("ledger").where("user_id", player.id).count({ n: "*" }).first();
            let thrown: unknown;
            try {
              await ledger.change({ userId: player.id, amount: signed, reason });
            } catch (error) {
              thrown = error;
            }
            expect(thrown).to.be.instanceOf(InsufficientFundsError);
            const after = await db("ledger").where("user_id", player.id).count({ n: "*" }).first();
            expect(after).to.deep.equal(before);
          } else {
            const applied = await ledger.change({ userId: player.id, amount: signed, reason, source: "property" });
            expected += signed;
            expect(applied.balanceAfter).to.equal(expected);
          }
          const balance = await ledger.balanceOf(player.id);
          const { sum } = (await db("ledger").where("user_id", player.id).sum({ sum: "amount" }).first()) as { sum: number | null };
          expect(balance).to.equal(expected);
          expect(Number(sum ?? 0)).to.equal(balance);
          expect(balance).to.be.at.least(0);
        }
        const rows = await db("ledger").where("user_id", player.id).orderBy("id");
        let running = 0;
        for (const row of rows) {
          running += Number(row.amount);
          expect(Number(row.balance_after)).to.equal(running);
          expect(Number.isSafeInteger(Number(row.amount))).to.equal(true);
        }
      }),
      { numRuns: 100 },
    );
  });

  it("refuses non-integer, zero and unsafe amounts before touching the database", async () => {
    const player = user();
    await roster.ensureUser(player);
    for (const amount of [0, 1.5, -0.5, Number.MAX_SAFE_INTEGER + 1, Number.NaN]) {
      let thrown: unknown;
      try {
        await ledger.change({ userId: player.id, amount, reason: "admin_add" });
      } catch (error) {
        thrown = error;
      }
      expect(thrown, String(amount)).to.be.instanceOf(RangeError);
    }
    expect(await ledger.balanceOf(player.id)).to.equal(0);
  });
});
