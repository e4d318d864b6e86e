import { expect } from "chai";
import { Api } from "grammy";
import type { User } from "grammy/types";
import { AchievementService } from "../../src/achievements/achievement-service.js";
import { createSilentLogger } from "../../src/logging/logger.js";
import { user } from "../support/updates.js";
import { createShopHarness, type ShopHarness } from "../shop/shop-harness.js";

const GROUP = { id: -100321, type: "supergroup" as const, title: "Achievers" };
const DAY = 86_400_000;

describe("AchievementService (real SQLite, fake Bot API)", function () {
  this.timeout(20_000);
  let shop: ShopHarness;
  let achievements: AchievementService;
  let player: User;

  beforeEach(async () => {
    shop = await createShopHarness();
    achievements = new AchievementService({ ...shop, logger: createSilentLogger(), api: new Api(shop.fake.token, { apiRoot: shop.fake.apiRoot }) });
    await achievements.start();
    player = user({ first_name: "Pat", username: "pat" });
  });
  afterEach(async () => {
    await achievements.stop();
    await shop.close();
  });

  const unlockedCodes = async (userId: number) =>
    ((await shop.db("user_achievements").where("user_id", userId).orderBy("code")) as Array<{ code: string }>).map((row) => row.code);
  const rewards = (userId: number) => shop.db("ledger").where({ user_id: userId, reason: "achievement" }).orderBy("id");
  const credit = async (amount: number, reason: "parse" | "admin_add" = "admin_add") => {
    await shop.roster.ensureUser(player);
    await shop.ledger.change({ userId: player.id, amount, reason });
    shop.events.emit("credited", { userId: player.id, amount, reason, chatId: GROUP.id });
    if (reason === "parse") shop.events.emit("parsed", { userId: player.id, amount, chatId: GROUP.id });
    await achievements.idle();
  };

  it("seeds eight achievements, each with a condition the checker knows", () => {
    expect(achievements.list().map((definition) => definition.code)).to.deep.equal([
      "first_earning",
      "balance_1000",
      "balance_10000",
      "first_purchase",
      "purchases_10",
      "first_sticker_pass",
      "parsed_wins_100",
      "activity_streak_7",
    ]);
  });

  it("first earnings: unlocked once, reward credited through the ledger, congratulated once in the chat", async () => {
    await credit(5);
    await credit(5);
    expect(await unlockedCodes(player.id)).to.deep.equal(["first_earning"]);
    const rows = await rewards(player.id);
    expect(rows.map((row) => [Number(row.amount), row.source, row.reference])).to.deep.equal([[10, "first_earning", "achievement:first_earning"]]);
    expect(await shop.ledger.balanceOf(player.id)).to.equal(20);
    const congratulations = shop.fake.callsTo("sendMessage");
    expect(congratulations).to.have.length(1);
    expect(congratulations[0].payload.chat_id).to.equal(GROUP.id);
    expect(String(congratulations[0].payload.text)).to.include("@pat").and.include("First earnings").and.include("10");
  });

  it("balance 1,000 and 10,000 follow the balance; rewards do not count as earnings", async () => {
    await credit(999);
    // 999 + the 10 coins of first earnings: the reward's own credit event unlocks balance 1,000.
    expect(await unlockedCodes(player.id)).to.deep.equal(["balance_1000", "first_earning"]);
    await credit(9000);
    expect(await unlockedCodes(player.id)).to.deep.equal(["balance_1000", "balance_10000", "first_earning"]);
    const rows = await rewards(player.id);
    expect(rows.map((row) => row.source)).to.deep.equal(["first_earning", "balance_1000", "balance_10000"]);
  });

  it("a sticker pass purchase unlocks first purchase and first sticker pass exactly once, though two events race", async () => {
    await credit(100);
    const outcome = await shop.purchases.buy(player, GROUP, 1);
    expect(outcome.kind).to.equal("passGranted");
    await achievements.idle();
    await achievements.idle();
    expect(await unlockedCodes(player.id)).to.include.members(["first_purchase", "first_sticker_pass"]);
    const rows = await rewards(player.id);
    expect(rows.filter((row) => row.source === "first_sticker_pass")).to.have.length(1);
    expect(rows.filter((row) => row.source === "first_purchase")).to.have.length(1);
    // Checking again finds nothing new.
    expect(await achievements.check(player.id)).to.deep.equal([]);
  });

  it("10 purchases and 100 parsed wins", async () => {
    await shop.roster.ensureUser(player);
    await shop.db("users").where("id", player.id).update({ purchase_count: 10 });
    shop.events.emit("purchased", { userId: player.id, itemId: 2, itemType: "admin", price: 50, chatId: GROUP.id });
    await achievements.idle();
    expect(await unlockedCodes(player.id)).to.include.members(["first_purchase", "purchases_10"]);
    for (let win = 0; win < 99; win += 1) await shop.ledger.change({ userId: player.id, amount: 1, reason: "parse" });
    await credit(1, "parse");
    expect(await unlockedCodes(player.id)).to.include("parsed_wins_100");
  });

  it("a 7-day activity streak unlocks on the day it is reached; the check runs once per user per day", async () => {
    const today = Math.floor(shop.clock.now() / DAY);
    await shop.roster.ensureUser(player);
    await shop.db("users").where("id", player.id).update({ activity_streak_days: 6, last_active_day: today - 1 });
    // Without a reward no credit event follows, so every measuring query below comes from the activity checks.
    await shop.db("achievements").where("code", "activity_streak_7").update({ reward: 0 });
    await achievements.loadDefinitions();
    let measured = 0;
    shop.db.on("query", (query: { sql: string }) => {
      if (query.sql.startsWith("select") && query.sql.includes("activity_streak_days")) measured += 1;
    });
    for (let message = 0; message < 5; message += 1) {
      shop.roster.see(player, GROUP);
      shop.events.emit("active", { userId: player.id, chatId: GROUP.id });
    }
    await achievements.idle();
    expect(await unlockedCodes(player.id)).to.deep.equal(["activity_streak_7"]);
    expect(measured).to.equal(1);
    expect(String(shop.fake.callsTo("sendMessage")[0].payload.text)).to.equal('🏆 @pat unlocked "Seven-day streak"!');
    expect((await shop.db("users").where("id", player.id).first()).activity_streak_days).to.equal(7);
  });

  it("/achievements progress: unlocked ones and the current value of the others (a broken streak counts 0)", async () => {
    await credit(400);
    await shop.db("users").where("id", player.id).update({ activity_streak_days: 5, last_active_day: Math.floor(shop.clock.now() / DAY) - 3 });
    const progress = await achievements.progressOf(player.id);
    const byCode = Object.fromEntries(progress.map((entry) => [entry.definition.code, [entry.unlockedAt !== null, entry.value]]));
    expect(byCode).to.deep.equal({
      first_earning: [true, 1],
      balance_1000: [false, 410],
      balance_10000: [false, 410],
      first_purchase: [false, 0],
      purchases_10: [false, 0],
      first_sticker_pass: [false, 0],
      parsed_wins_100: [false, 0],
      activity_streak_7: [false, 0],
    });
  });

  it("refuses a definition whose condition it cannot check", async () => {
    await shop.db("achievements").insert({
      code: "impossible", name_ru: "x", name_en: "x", description_ru: "x", description_en: "x", condition: "moon_phase", threshold: 1, reward: 1,
    });
    let error: unknown;
    try {
      await achievements.loadDefinitions();
    } catch (caught) {
      error = caught;
    }
    expect(String(error)).to.include('"impossible" has the unknown condition "moon_phase"');
  });
});
