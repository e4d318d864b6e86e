import { expect } from "chai";
import fc from "fast-check";
import path from "node:path";
import { type Database, migrateDatabase, openDatabase } from "../../src/database/open-database.js";
import { InsufficientFundsError, Ledger, type LedgerReason, UnknownUserError } from "../../src/economy/ledger.js";
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

  describe("applyCredits (many credits in two statements)", () => {
    const credit = fc.record({
      player: fc.integer({ min: 0, max: 3 }),
      amount: fc.integer({ min: 1, max: 1_000_000 }),
      reason: fc.constantFrom<LedgerReason>("parse", "achievement", "admin_add", "refund"),
    });

    it("writes the same balances, totals and ledger rows as applying each credit alone (property, 100 runs)", async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(credit, { minLength: 1, maxLength: 30 }), fc.array(fc.integer({ min: 0, max: 5_000 }), { minLength: 4, maxLength: 4 }), async (credits, starts) => {
          // Two identical groups of users: one credited one by one, one in a single call.
          const single = starts.map(() => user());
          const batched = starts.map(() => user());
          for (const [index, player] of [...single.entries(), ...batched.entries()]) {
            await roster.ensureUser(player);
            if (starts[index] > 0) await ledger.change({ userId: player.id, amount: starts[index], reason: "admin_add" });
          }
          const expected = [];
          for (const { player, amount, reason } of credits) {
            expected.push(await ledger.change({ userId: single[player].id, amount, reason, source: "s", reference: "r" }));
          }
          const applied = await db.transaction((trx) =>
            ledger.applyCredits(
              trx,
              credits.map(({ player, amount, reason }) => ({ userId: batched[player].id, amount, reason, source: "s", reference: "r" })),
            ),
          );
          expect(applied.map((entry) => entry.balanceAfter)).to.deep.equal(expected.map((entry) => entry.balanceAfter));
          for (let index = 0; index < starts.length; index += 1) {
            const columns = ["balance", "total_earned", "total_spent"];
            const one = await db("users").where("id", single[index].id).first(columns);
            const many = await db("users").where("id", batched[index].id).first(columns);
            expect(many, `user ${index}`).to.deep.equal(one);
            const rowsOf = async (userId: number) =>
              (await db("ledger").where("user_id", userId).orderBy("id")).map((row) => [row.amount, row.balance_after, row.reason, row.source, row.reference]);
            expect(await rowsOf(batched[index].id)).to.deep.equal(await rowsOf(single[index].id));
          }
          // Each credit got the id of its own ledger row.
          for (const [index, entry] of applied.entries()) {
            const row = await db("ledger").where("id", entry.ledgerId).first();
            expect(Number(row.user_id)).to.equal(batched[credits[index].player].id);
            expect(Number(row.amount)).to.equal(credits[index].amount);
            expect(Number(row.balance_after)).to.equal(entry.balanceAfter);
          }
        }),
        { numRuns: 100 },
      );
    });

    it("throws UnknownUserError for an unregistered user, and the rolled-back transaction changed nothing", async () => {
      const known = user();
      await roster.ensureUser(known);
      const stranger = user();
      const ledgerRows = await db("ledger").count({ n: "*" }).first();
      let thrown: unknown;
      try {
        await db.transaction((trx) =>
          ledger.applyCredits(trx, [
            { userId: known.id, amount: 5, reason: "parse" },
            { userId: stranger.id, amount: 7, reason: "parse" },
          ]),
        );
      } catch (error) {
        thrown = error;
      }
      expect(thrown).to.be.instanceOf(UnknownUserError);
      expect((thrown as UnknownUserError).userId).to.equal(stranger.id);
      expect(await ledger.balanceOf(known.id)).to.equal(0);
      expect(await db("ledger").count({ n: "*" }).first()).to.deep.equal(ledgerRows);
    });

    it("refuses debits, zero, fractions and unsafe sums before touching the database", async () => {
      const player = user();
      await roster.ensureUser(player);
      for (const amounts of [[-1], [0], [1.5], [Number.NaN], [Number.MAX_SAFE_INTEGER, 1]]) {
        let thrown: unknown;
        try {
          await db.transaction((trx) => ledger.applyCredits(trx, amounts.map((amount) => ({ userId: player.id, amount, reason: "parse" as const }))));
        } catch (error) {
          thrown = error;
        }
        expect(thrown, String(amounts)).to.be.instanceOf(RangeError);
      }
      expect(await ledger.balanceOf(player.id)).to.equal(0);
      expect(await db("ledger").where("user_id", player.id).count({ n: "*" }).first()).to.deep.equal({ n: 0 });
    });
  });
});
