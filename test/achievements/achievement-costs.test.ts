import { expect } from "chai";
import fc from "fast-check";
import { Api } from "grammy";
import type { User } from "grammy/types";
import { AchievementService } from "../../src/achievements/achievement-service.js";
import { createSilentLogger } from "../../src/logging/logger.js";
import { user } from "../support/updates.js";
import { createShopHarness, type ShopHarness } from "../shop/shop-harness.js";

const GROUP = { id: -100654, type: "supergroup" as const, title: "Busy group" };
const DAY = 86_400_000;

/**
 * What the checker costs the single database connection: the in-memory
 * unlocked codes and condition bounds, and the streak read per roster flush.
 */
describe("AchievementService query costs (real SQLite)", function () {
  this.timeout(60_000);
  let shop: ShopHarness;
  let achievements: AchievementService;
  let queries: string[];

  const startService = async () => {
    achievements = new AchievementService({ ...shop, logger: createSilentLogger(), api: new Api(shop.fake.token, { apiRoot: shop.fake.apiRoot }) });
    await achievements.start();
  };

  beforeEach(async () => {
    shop = await createShopHarness();
    await startService();
    queries = [];
    shop.db.on("query", (query: { sql: string }) => queries.push(query.sql));
  });
  afterEach(async () => {
    await achievements.stop();
    await shop.close();
  });

  /** A committed game win, announced as the report middleware does (after the commit). */
  const win = async (player: User, amount: number) => {
    await shop.roster.ensureUser(player);
    await shop.ledger.change({ userId: player.id, amount, reason: "parse" });
    shop.events.emit("credited", { userId: player.id, amount, reason: "parse", chatId: GROUP.id });
    shop.events.emit("parsed", { userId: player.id, amount, chatId: GROUP.id });
  };
  /** Queries the checker sent (not the test's own writes): reads of the achievement state and conditions. */
  const checkerQueries = () => queries.filter((sql) => /from `(user_achievements|ledger|users|sticker_passes)`/.test(sql) && sql.startsWith("select"));
  const unlockedCodes = async (userId: number) =>
    ((await shop.db("user_achievements").where("user_id", userId).orderBy("code")) as Array<{ code: string }>).map((row) => row.code);

  it("after a user's first event, further wins below every locked threshold cost no query at all", async () => {
    const player = user({ first_name: "Quinn" });
    await win(player, 5);
    await achievements.idle();
    expect(await unlockedCodes(player.id)).to.deep.equal(["first_earning"]);
    // A write of the test itself (ledger.change) also selects from users; count only what happens around the events.
    for (let i = 0; i < 20; i += 1) {
      await shop.roster.ensureUser(player);
      await shop.ledger.change({ userId: player.id, amount: 3, reason: "parse" });
      queries = [];
      shop.events.emit("credited", { userId: player.id, amount: 3, reason: "parse", chatId: GROUP.id });
      shop.events.emit("parsed", { userId: player.id, amount: 3, chatId: GROUP.id });
      await achievements.idle();
      expect(checkerQueries(), `win ${i}`).to.deep.equal([]);
    }
    expect(await unlockedCodes(player.id)).to.deep.equal(["first_earning"]);
  });

  it("the unlocked codes are read once per user; achievements the user has are skipped without measuring", async () => {
    const player = user({ first_name: "Rey" });
    await shop.roster.ensureUser(player);
    await shop.db("users").where("id", player.id).update({ purchase_count: 10 });
    shop.events.emit("purchased", { userId: player.id, itemId: 2, itemType: "admin", price: 50, chatId: GROUP.id });
    await achievements.idle();
    expect(await unlockedCodes(player.id)).to.include.members(["first_purchase", "purchases_10"]);
    // The checker's read (the test's own unlockedCodes selects `*`).
    const reads = queries.filter((sql) => sql.startsWith("select `code` from `user_achievements`"));
    expect(reads, reads.join("\n")).to.have.length(1);
    queries = [];
    shop.events.emit("purchased", { userId: player.id, itemId: 2, itemType: "admin", price: 50, chatId: GROUP.id });
    await achievements.idle();
    // Both purchase achievements are unlocked: only the still locked balance and pass conditions are looked at (no purchase_count read).
    expect(checkerQueries().filter((sql) => sql.includes("purchase_count") || sql.includes("user_achievements"))).to.have.length(0);
  });

  it("the wins bound unlocks 100 wins exactly on the 100th win, with a handful of queries in all", async () => {
    await shop.db("achievements").where("code", "parsed_wins_100").update({ threshold: 30 });
    await achievements.loadDefinitions();
    const player = user({ first_name: "Sam" });
    let unlockedAt = -1;
    for (let n = 1; n <= 35; n += 1) {
      await win(player, 1);
      await achievements.idle();
      if (unlockedAt < 0 && (await shop.db("user_achievements").where({ user_id: player.id, code: "parsed_wins_100" }).first()) !== undefined) unlockedAt = n;
    }
    expect(unlockedAt).to.equal(30);
    const counts = queries.filter((sql) => sql.startsWith("select count(*)") && sql.includes("from `ledger`"));
    // One to start the bound, one to confirm the 30th before awarding.
    expect(counts).to.have.length(2);
    expect((await shop.db("ledger").where({ user_id: player.id, reason: "achievement", source: "parsed_wins_100" })).length).to.equal(1);
  });

  it("a bound that is too high (an event without its commit) never awards: the award waits for a real measurement", async () => {
    const player = user({ first_name: "Tao" });
    await win(player, 5);
    await achievements.idle();
    // Announced, but nothing was credited: the balance bound passes 1,000, the balance does not.
    shop.events.emit("credited", { userId: player.id, amount: 5000, reason: "admin_add", chatId: GROUP.id });
    await achievements.idle();
    expect(await unlockedCodes(player.id)).to.deep.equal(["first_earning"]);
    // The measurement brought the bound back to the truth: the next real credit that crosses 1,000 unlocks it.
    await shop.ledger.change({ userId: player.id, amount: 990, reason: "admin_add" });
    shop.events.emit("credited", { userId: player.id, amount: 990, reason: "admin_add", chatId: GROUP.id });
    await achievements.idle();
    expect(await unlockedCodes(player.id)).to.deep.equal(["balance_1000", "first_earning"]);
  });

  it("property: concurrent credits, however interleaved, unlock exactly what the ledger reached, each once with one reward", async () => {
    await shop.db("achievements").where("code", "parsed_wins_100").update({ threshold: 6 });
    await shop.db("achievements").where("code", "balance_1000").update({ threshold: 120 });
    await shop.db("achievements").where("code", "balance_10000").update({ threshold: 400 });
    await achievements.loadDefinitions();
    let round = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ amount: fc.integer({ min: 1, max: 60 }), reason: fc.constantFrom("parse" as const, "admin_add" as const), wait: fc.boolean() }), {
          minLength: 1,
          maxLength: 14,
        }),
        async (credits) => {
          round += 1;
          const player = user({ first_name: `P${round}` });
          await shop.roster.ensureUser(player);
          // Commits and announcements overlap with checks in progress (nothing awaited between some of them).
          const pending: Array<Promise<unknown>> = [];
          for (const { amount, reason, wait } of credits) {
            const credit = shop.ledger.change({ userId: player.id, amount, reason }).then(() => {
              shop.events.emit("credited", { userId: player.id, amount, reason, chatId: GROUP.id });
              if (reason === "parse") shop.events.emit("parsed", { userId: player.id, amount, chatId: GROUP.id });
            });
            pending.push(credit);
            if (wait) await credit;
          }
          await Promise.all(pending);
          await achievements.idle();
          await achievements.idle();
          const wins = credits.filter((credit) => credit.reason === "parse").length;
          const earned = credits.reduce((sum, credit) => sum + credit.amount, 0);
          const unlocked = await unlockedCodes(player.id);
          const balance = await shop.ledger.balanceOf(player.id);
          // Nothing is debited here, so the final balance (credits plus rewards) is the highest it ever was:
          // a balance achievement is unlocked exactly when the final balance reached its threshold.
          const expected = ["first_earning"];
          if (wins >= 6) expected.push("parsed_wins_100");
          if (balance >= 120) expected.push("balance_1000");
          if (balance >= 400) expected.push("balance_10000");
          expect(unlocked).to.have.members(expected);
          const rewards = (await shop.db("ledger").where({ user_id: player.id, reason: "achievement" })) as Array<{ source: string; amount: number }>;
          expect(rewards.map((row) => row.source)).to.have.members(unlocked);
          expect(balance).to.equal(earned + rewards.reduce((sum, row) => sum + Number(row.amount), 0));
          // Congratulated once per award, over all rounds so far.
          expect(shop.fake.callsTo("sendMessage")).to.have.length(Number(((await shop.db("user_achievements").count({ n: "*" }).first()) as { n: number }).n));
        },
      ),
      { numRuns: 25 },
    );
  });

  it("streaks: no roster flush per user; one streak read per flush for its whole batch; once per user per UTC day", async () => {
    await shop.db("achievements").where("code", "activity_streak_7").update({ reward: 0 });
    await achievements.loadDefinitions();
    const today = Math.floor(shop.clock.now() / DAY);
    const players = Array.from({ length: 40 }, (_, i) => user({ first_name: `Member${i}` }));
    for (const player of players) await shop.roster.ensureUser(player);
    // Every fourth member is one day short of the streak.
    await shop.db("users").whereIn("id", players.filter((_, i) => i % 4 === 0).map((player) => player.id)).update({ activity_streak_days: 6, last_active_day: today - 1 });
    queries = [];
    for (let message = 0; message < 3; message += 1) {
      for (const player of players) {
        shop.roster.see(player, GROUP);
        shop.events.emit("active", { userId: player.id, chatId: GROUP.id });
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
    // 120 active events and no write: the roster's own schedule decides when activity is written.
    expect(queries).to.deep.equal([]);
    await shop.roster.flush();
    await achievements.idle();
    const streakReads = queries.filter((sql) => sql.startsWith("select") && sql.includes("activity_streak_days"));
    expect(streakReads).to.have.length(1);
    const winners = players.filter((_, i) => i % 4 === 0).map((player) => player.id);
    const unlockedRows = (await shop.db("user_achievements").where("code", "activity_streak_7").select("user_id")) as Array<{ user_id: number }>;
    expect(unlockedRows.map((row) => Number(row.user_id))).to.have.members(winners);
    expect(shop.fake.callsTo("sendMessage")).to.have.length(winners.length);

    // Later the same day: written again by the next flush, but not read again.
    queries = [];
    for (const player of players) {
      shop.roster.see(player, GROUP);
      shop.events.emit("active", { userId: player.id, chatId: GROUP.id });
    }
    await shop.roster.flush();
    await achievements.idle();
    expect(queries.filter((sql) => sql.startsWith("select") && sql.includes("activity_streak_days"))).to.deep.equal([]);

    // The next UTC day: one read for the batch again; the others now have a 2-day streak, nobody a second award.
    shop.clock.advance(DAY);
    queries = [];
    for (const player of players) {
      shop.roster.see(player, GROUP);
      shop.events.emit("active", { userId: player.id, chatId: GROUP.id });
    }
    await achievements.idle();
    expect(queries.filter((sql) => sql.startsWith("select") && sql.includes("activity_streak_days"))).to.have.length(1);
    expect(await shop.db("user_achievements").where("code", "activity_streak_7")).to.have.length(winners.length);
    expect(shop.fake.callsTo("sendMessage")).to.have.length(winners.length);
  });

  it("a streak read in a flush that wrote an earlier sighting waits for the flush that writes the marked day", async () => {
    await shop.db("achievements").where("code", "activity_streak_7").update({ reward: 0 });
    await achievements.loadDefinitions();
    const player = user({ first_name: "Uma" });
    await shop.roster.ensureUser(player);
    const yesterday = Math.floor(shop.clock.now() / DAY) - 1;
    await shop.db("users").where("id", player.id).update({ activity_streak_days: 5, last_active_day: yesterday - 1 });
    // Yesterday's sighting is written while today's activity is already marked.
    shop.clock.advance(-DAY);
    shop.roster.see(player, GROUP);
    const writing = shop.roster.flush();
    shop.clock.advance(DAY);
    shop.roster.see(player, GROUP);
    shop.events.emit("active", { userId: player.id, chatId: GROUP.id });
    await writing;
    await achievements.idle();
    expect(await unlockedCodes(player.id)).to.deep.equal(["activity_streak_7"]);
  });
});
