import { expect } from "chai";
import type { User } from "grammy/types";
import { seedDefaults } from "../../src/database/seed-defaults.js";
import { MentionAllService } from "../../src/shop/mention-all-service.js";
import { createSilentLogger } from "../../src/logging/logger.js";
import { Api } from "grammy";
import { user } from "../support/updates.js";
import { createShopHarness, moneyOf, type ShopHarness } from "./shop-harness.js";

const GROUP = { id: -100777, type: "supergroup", title: "Shop Test Group" };

describe("PurchaseService (real SQLite, fake Bot API)", function () {
  this.timeout(20_000);
  let shop: ShopHarness;
  let buyer: User;

  beforeEach(async () => {
    shop = await createShopHarness({ env: { STICKERBOT_ADMIN_IDS: "9001,9002" } });
    buyer = user({ first_name: "Bob", username: "bob_buyer" });
  });
  afterEach(async () => {
    await shop.close();
  });

  const purchasesOf = (userId: number) => shop.db("purchases").where("user_id", userId).orderBy("id");
  const ledgerOf = (userId: number) => shop.db("ledger").where("user_id", userId).orderBy("id");

  it("seeds 1 sticker pass, 2 admin call, 3 mention-all with the configured prices, idempotently; prices follow the config until edited", async () => {
    const items = await shop.catalog.listActive();
    expect(items.map((item) => [item.id, item.type, Number(item.price)])).to.deep.equal([
      [1, "sticker", 100],
      [2, "admin", 50],
      [3, "mention_all", 200],
    ]);
    const config = { ...shop.settings.current, shop: { ...shop.settings.current.shop, stickerPassPrice: 120, adminCallPrice: 60 } };
    await shop.catalog.edit(2, { price: 75 });
    await seedDefaults(shop.db, config, shop.clock.now());
    await seedDefaults(shop.db, config, shop.clock.now());
    const after = await shop.catalog.listActive();
    expect(after.map((item) => Number(item.price))).to.deep.equal([120, 75, 200]); // the admin's 75 stays
    expect(await shop.db("shop_items").count({ n: "*" }).first()).to.deep.equal({ n: 3 });
  });

  it("sticker item: one transaction charges, records and grants the pass; a second purchase extends it", async () => {
    await shop.fund(buyer, 250);
    const first = await shop.purchases.buy(buyer, GROUP, 1);
    expect(first.kind).to.equal("passGranted");
    const now = shop.clock.now();
    const day = 86_400_000;
    expect(await shop.stickers.hasActivePass(buyer.id)).to.equal(true);
    expect((await shop.stickers.getPass(buyer.id))!.expiresAt).to.equal(now + day);
    const second = await shop.purchases.buy(buyer, GROUP, 1);
    expect(second).to.deep.include({ kind: "passGranted", expiresAt: now + 2 * day, balance: 50 });
    const rows = await purchasesOf(buyer.id);
    expect(rows.map((row) => [row.status, Number(row.price), Number(row.expires_at)])).to.deep.equal([
      ["active", 100, now + day],
      ["active", 100, now + 2 * day],
    ]);
    const ledger = await ledgerOf(buyer.id);
    expect(ledger.map((row) => [row.reason, Number(row.amount), row.reference])).to.deep.equal([
      ["admin_add", 250, null],
      ["purchase", -100, `purchase:${rows[0].id}`],
      ["purchase", -100, `purchase:${rows[1].id}`],
    ]);
    expect(await moneyOf(shop.db, buyer.id)).to.deep.equal({ balance: 50, totalSpent: 200, purchaseCount: 2 });
  });

  it("insufficient balance: a clear outcome with balance and price, nothing charged or recorded", async () => {
    await shop.fund(buyer, 99);
    const outcome = await shop.purchases.buy(buyer, GROUP, 1);
    expect(outcome).to.deep.include({ kind: "insufficientFunds", price: 100, balance: 99 });
    expect(await purchasesOf(buyer.id)).to.have.length(0);
    expect(await ledgerOf(buyer.id)).to.have.length(1);
    expect(await moneyOf(shop.db, buyer.id)).to.deep.equal({ balance: 99, totalSpent: 0, purchaseCount: 0 });
    expect(await shop.stickers.hasActivePass(buyer.id)).to.equal(false);
  });

  it("unknown and disabled items are refused; the other numbers stay", async () => {
    await shop.fund(buyer, 1000);
    expect(await shop.purchases.buy(buyer, GROUP, 42)).to.deep.equal({ kind: "unknownItem", itemId: 42 });
    await shop.catalog.edit(1, { active: false });
    expect(await shop.purchases.buy(buyer, GROUP, 1)).to.deep.equal({ kind: "unknownItem", itemId: 1 });
    expect((await shop.catalog.listActive()).map((item) => item.id)).to.deep.equal([2, 3]);
    expect(await moneyOf(shop.db, buyer.id)).to.deep.include({ balance: 1000 });
  });

  it("a sticker grant that fails rolls the whole purchase back: nothing charged", async () => {
    await shop.close();
    shop = await createShopHarness({
      stickerPasses: () => ({
        grantPass: async () => {
          throw new Error("disk full");
        },
        afterPassGranted: async () => undefined,
      }),
    });
    await shop.fund(buyer, 500);
    const outcome = await shop.purchases.buy(buyer, GROUP, 1);
    expect(outcome).to.deep.include({ kind: "notActivated", reason: "disk full" });
    expect(await purchasesOf(buyer.id)).to.have.length(0);
    expect(await moneyOf(shop.db, buyer.id)).to.deep.equal({ balance: 500, totalSpent: 0, purchaseCount: 0 });
  });

  it("admin item: every admin gets the buyer's username, id, chat and time; the count reached is reported", async () => {
    await shop.fund(buyer, 100);
    shop.fake.fail("sendMessage", { kind: "403" }, { when: (payload) => payload.chat_id === 9002 });
    const outcome = await shop.purchases.buy(buyer, GROUP, 2);
    expect(outcome).to.deep.include({ kind: "adminsNotified", reached: 1, total: 2, balance: 50 });
    const notices = shop.fake.callsTo("sendMessage").map((call) => call.payload);
    expect(notices.map((payload) => payload.chat_id)).to.deep.equal([9001, 9002]);
    const text = String(notices[0].text);
    expect(text).to.include("@bob_buyer").and.include(`id ${buyer.id}`).and.include("Shop Test Group").and.include(String(GROUP.id));
    expect(text).to.include(new Date(shop.clock.now()).toISOString().slice(0, 16).replace("T", " "));
    expect((await purchasesOf(buyer.id))[0].status).to.equal("completed");
  });

  it("admin item with no admin reachable is refunded through the ledger, with the reason", async () => {
    await shop.fund(buyer, 100);
    shop.fake.fail("sendMessage", { kind: "403" });
    const outcome = await shop.purchases.buy(buyer, GROUP, 2);
    expect(outcome).to.deep.include({ kind: "refunded", reason: "no admin could be reached", balance: 100 });
    const [purchase] = await purchasesOf(buyer.id);
    expect(purchase).to.include({ status: "refunded", refund_reason: "no admin could be reached" });
    const ledger = await ledgerOf(buyer.id);
    expect(ledger.map((row) => [row.reason, Number(row.amount), row.reference])).to.deep.equal([
      ["admin_add", 100, null],
      ["purchase", -50, `purchase:${purchase.id}`],
      ["refund", 50, `purchase:${purchase.id}`],
    ]);
    expect(await moneyOf(shop.db, buyer.id)).to.deep.equal({ balance: 100, totalSpent: 0, purchaseCount: 0 });
  });

  it("custom item: the admins get the item's description", async () => {
    const item = await shop.catalog.add({ name: "VIP role", price: 30, type: "custom", description: "Give the VIP role for a week" });
    await shop.fund(buyer, 30);
    const outcome = await shop.purchases.buy(buyer, GROUP, item.id);
    expect(outcome).to.deep.include({ kind: "adminsNotified", reached: 2, balance: 0 });
    const texts = shop.fake.callsTo("sendMessage").map((call) => String(call.payload.text));
    expect(texts).to.have.length(2);
    expect(texts[0]).to.include("VIP role").and.include("Give the VIP role for a week").and.include("@bob_buyer");
  });

  describe("mention_all", () => {
    const members = [
      user({ first_name: "Ann", username: "ann" }),
      user({ first_name: "Без", last_name: "Ника", username: undefined }),
      user({ first_name: "Carl", username: "carl" }),
    ];
    const bot = user({ first_name: "GameBot", username: "game_bot", is_bot: true });

    beforeEach(async () => {
      await shop.close();
      shop = await createShopHarness({ shop: { mentionsPerMessage: 2, mentionPauseSeconds: 0, mentionPromptTimeoutSeconds: 300 } });
      buyer = user({ first_name: "Bob", username: "bob_buyer" });
      const chat = { id: GROUP.id, type: "supergroup" as const, title: GROUP.title };
      for (const member of [...members, bot, buyer]) shop.roster.see(member, chat);
      await shop.roster.flush();
      await shop.fund(buyer, 500);
    });

    it("prompt → text → the text and mention messages posted; buyer and bots not mentioned; count reported", async () => {
      const outcome = await shop.purchases.buy(buyer, GROUP, 3);
      expect(outcome).to.deep.include({ kind: "awaitingText", balance: 300, expiresAt: shop.clock.now() + 300_000 });
      const prompt = shop.mentions.findWaiting(GROUP.id, buyer.id)!;
      expect(prompt.status).to.equal("waiting");
      expect(await shop.mentions.submitText(prompt, buyer, "Party at 8 <b>&</b>!", undefined, "en")).to.equal("posting");
      await shop.mentions.idle();
      const sent = shop.fake.callsTo("sendMessage").map((call) => call.payload);
      expect(sent).to.have.length(4); // announcement, 2 mention messages (2 + 1), report
      expect(sent[0].text).to.equal("📢 Announcement from Bob:\n\nParty at 8 <b>&</b>!");
      expect(sent[0].parse_mode).to.equal(undefined);
      const mentionTexts = [sent[1].text, sent[2].text].join(", ");
      expect(mentionTexts).to.include("@ann").and.include("@carl").and.include("Без Ника");
      expect(mentionTexts).to.not.include("bob_buyer").and.not.include("game_bot");
      const textMention = [...sent[1].entities, ...sent[2].entities].find((entity: { type: string }) => entity.type === "text_mention");
      expect(textMention.user.id).to.equal(members[1].id);
      const withName = [sent[1], sent[2]].find((payload) => String(payload.text).includes("Без Ника"))!;
      expect(String(withName.text).slice(textMention.offset, textMention.offset + textMention.length)).to.equal("Без Ника");
      expect(sent[1].reply_parameters.message_id).to.be.a("number");
      expect(sent[3].text).to.equal("✅ Announcement posted, members mentioned: 3 of 3.");
      const [purchase] = await purchasesOf(buyer.id);
      expect(purchase.status).to.equal("completed");
      expect(await shop.db("mention_prompts").where("purchase_id", purchase.id).first()).to.include({ status: "posted", mentioned_count: 3 });
      expect(shop.mentions.findWaiting(GROUP.id, buyer.id)).to.equal(undefined);
    });

    it("/cancel refunds once; a second cancel does nothing", async () => {
      await shop.purchases.buy(buyer, GROUP, 3);
      const refund = await shop.mentions.cancel(GROUP.id, buyer.id);
      expect(refund).to.deep.include({ balanceAfter: 500 });
      expect(await shop.mentions.cancel(GROUP.id, buyer.id)).to.equal(null);
      expect(await moneyOf(shop.db, buyer.id)).to.deep.equal({ balance: 500, totalSpent: 0, purchaseCount: 0 });
      expect((await purchasesOf(buyer.id))[0]).to.include({ status: "refunded", refund_reason: "cancelled by the buyer" });
    });

    it("a timeout refunds and tells the chat; the prompt survives a restart and expires after it", async () => {
      await shop.purchases.buy(buyer, GROUP, 3);
      // A "restart": a new service on the same database finds the waiting prompt.
      const logger = createSilentLogger();
      const restarted = new MentionAllService({ ...shop, logger, api: new Api(shop.fake.token, { apiRoot: shop.fake.apiRoot }) });
      await restarted.start();
      expect(restarted.findWaiting(GROUP.id, buyer.id)?.status).to.equal("waiting");
      shop.clock.advance(299_000);
      expect(await restarted.expireDue()).to.equal(0);
      shop.clock.advance(1_000);
      expect(await restarted.expireDue()).to.equal(1);
      expect(await shop.mentions.expireDue()).to.equal(0); // the other instance cannot refund again
      await restarted.stop();
      expect(await moneyOf(shop.db, buyer.id)).to.deep.include({ balance: 500, totalSpent: 0 });
      const said = shop.fake.callsTo("sendMessage").map((call) => call.payload);
      expect(said).to.have.length(1);
      expect(said[0]).to.include({ chat_id: GROUP.id });
      expect(String(said[0].text)).to.include("did not arrive in time").and.include("200 coins refunded");
    });

    it("a text after the deadline is not taken; an overdue prompt is refunded at startup", async () => {
      await shop.purchases.buy(buyer, GROUP, 3);
      const prompt = shop.mentions.findWaiting(GROUP.id, buyer.id)!;
      shop.clock.advance(301_000);
      expect(await shop.mentions.submitText(prompt, buyer, "too late", undefined, "en")).to.equal("notWaiting");
      const restarted = new MentionAllService({ ...shop, logger: createSilentLogger(), api: new Api(shop.fake.token, { apiRoot: shop.fake.apiRoot }) });
      await restarted.start();
      await restarted.stop();
      expect((await purchasesOf(buyer.id))[0].status).to.equal("refunded");
      expect(await moneyOf(shop.db, buyer.id)).to.deep.include({ balance: 500 });
    });

    it("nobody else known in the chat: refunded, nothing posted but the explanation", async () => {
      const lonelyGroup = { id: -100999, type: "supergroup", title: "Lonely" };
      shop.roster.see(buyer, { id: lonelyGroup.id, type: "supergroup", title: "Lonely" });
      await shop.roster.flush();
      await shop.purchases.buy(buyer, lonelyGroup, 3);
      const prompt = shop.mentions.findWaiting(lonelyGroup.id, buyer.id)!;
      await shop.mentions.submitText(prompt, buyer, "hello?", undefined, "en");
      await shop.mentions.idle();
      const sent = shop.fake.callsTo("sendMessage").map((call) => String(call.payload.text));
      expect(sent).to.have.length(1);
      expect(sent[0]).to.include("nobody to mention").and.include("200 coins refunded");
      expect(await moneyOf(shop.db, buyer.id)).to.deep.include({ balance: 500 });
    });

    it("only in groups, and one waiting prompt per user and chat", async () => {
      const privateChat = { id: buyer.id, type: "private" };
      expect((await shop.purchases.buy(buyer, privateChat, 3)).kind).to.equal("groupOnly");
      expect((await shop.purchases.buy(buyer, GROUP, 3)).kind).to.equal("awaitingText");
      expect((await shop.purchases.buy(buyer, GROUP, 3)).kind).to.equal("alreadyWaiting");
      expect(await moneyOf(shop.db, buyer.id)).to.deep.include({ balance: 300, purchaseCount: 1 });
    });
  });
});
