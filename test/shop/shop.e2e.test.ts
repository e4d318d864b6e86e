import { expect } from "chai";
import path from "node:path";
import { type Database, migrateDatabase, openDatabase } from "../../src/database/open-database.js";
import { Ledger } from "../../src/economy/ledger.js";
import { systemClock } from "../../src/time/clock.js";
import { createSilentLogger } from "../../src/logging/logger.js";
import { UserRoster } from "../../src/users/user-roster.js";
import { type ApiPayload, FakeBotApi } from "../support/fake-bot-api.js";
import { createTempDirectory, type DaemonProcess, runCliAsync, startDaemon } from "../support/daemon-process.js";
import { commandMessage, groupChat, textMessage, user } from "../support/updates.js";

const ADMIN_1 = user({ id: 9_001, first_name: "Admin", username: "boss" });
const ADMIN_2 = user({ id: 9_002, first_name: "Deputy", username: "deputy" });
const GROUP = groupChat(-100_700, { title: "Shop Group" });

describe("shop and achievements (bin/stickerbot end to end against the fake Bot API)", function () {
  this.timeout(40_000);
  let api: FakeBotApi;
  let temp: ReturnType<typeof createTempDirectory>;
  let daemon: DaemonProcess | undefined;
  let db: Database | undefined;

  beforeEach(async () => {
    api = await FakeBotApi.start();
    temp = createTempDirectory("sb-shop-e2e-");
    daemon = undefined;
    db = undefined;
  });
  afterEach(async () => {
    await db?.destroy();
    await daemon?.kill();
    await api.stop();
    temp.remove();
  });

  const databasePath = () => path.join(temp.dir, "stickerbot.sqlite");

  /** Gives users coins through the Ledger in the daemon's database file, before it starts. */
  async function fund(balances: Array<[ReturnType<typeof user>, number]>): Promise<void> {
    const seeding = await openDatabase(databasePath());
    try {
      await migrateDatabase(seeding); // the daemon seeds the items with its own config
      const roster = new UserRoster({ db: seeding, clock: systemClock, logger: createSilentLogger() });
      const ledger = new Ledger(seeding, systemClock);
      for (const [someone, amount] of balances) {
        await roster.ensureUser(someone);
        if (amount > 0) await ledger.change({ userId: someone.id, amount, reason: "admin_add", actorId: ADMIN_1.id });
      }
    } finally {
      await seeding.destroy();
    }
  }

  async function start(shop: Record<string, unknown> = {}): Promise<DaemonProcess> {
    daemon = await startDaemon({
      apiRoot: api.apiRoot,
      token: api.token,
      dir: temp.dir,
      env: { STICKERBOT_ADMIN_IDS: `${ADMIN_1.id},${ADMIN_2.id}` },
      config: { defaultLanguage: "en", shop: { mentionPauseSeconds: 0.05, mentionsPerMessage: 2, ...shop } },
    });
    return daemon;
  }

  const database = async () => (db ??= await openDatabase(databasePath()));
  const balanceOf = async (userId: number) => Number((await (await database())("users").where("id", userId).first("balance"))?.balance ?? 0);
  const inGroup = (text: RegExp | string) => (payload: ApiPayload) =>
    Number(payload.chat_id) === GROUP.id && (typeof text === "string" ? String(payload.text).includes(text) : text.test(String(payload.text)));
  const send = (from: ReturnType<typeof user>, command: string) => api.pushUpdate(commandMessage({ chat: GROUP, from, command }));

  it("sticker item: /buy 1 grants the pass; /my_items shows it; first purchase and first pass unlock once with rewards", async () => {
    const buyer = user({ first_name: "Sam", username: "sam" });
    await fund([[buyer, 150]]);
    await start();
    send(buyer, "/shop");
    const listing = await api.waitForCall("sendMessage", inGroup("🛒 Shop"));
    expect(String(listing.payload.text)).to.match(/1\. Sticker pass 24 h — 100 coins \(sticker pass for 1 d\)/).and.match(/2\. .*50 coins/).and.match(/3\. .*200 coins/);
    expect(String(listing.payload.text)).to.include("Your balance: 150 coins");

    send(buyer, "/buy 1");
    const reply = await api.waitForCall("sendMessage", inGroup("Bought"));
    expect(String(reply.payload.text)).to.match(/Bought "Sticker pass 24 h" for 100 coins\. Your sticker pass is valid until .* UTC \(1 d left\)\. Balance: 50\./);
    const pass = await (await database())("sticker_passes").where("user_id", buyer.id).first();
    expect(Number(pass.expires_at)).to.be.within(Date.now() + 86_300_000, Date.now() + 86_400_000);

    // The coins funded through the ledger (admin_add) count as earnings once a credit event looks at them.
    const congratulations = await api.waitForCalls("sendMessage", 3, inGroup("🏆"));
    const texts = congratulations.map((call) => String(call.payload.text)).sort();
    expect(texts[0]).to.include('@sam unlocked "First earnings"! Reward: 10 coins');
    expect(texts[1]).to.include('@sam unlocked "First purchase"! Reward: 20 coins');
    expect(texts[2]).to.include('@sam unlocked "Sticker licence"! Reward: 20 coins');

    send(buyer, "/my_items");
    const items = await api.waitForCall("sendMessage", inGroup("Your purchases"));
    expect(String(items.payload.text)).to.match(/Sticker pass: until .* UTC \(23 h 59 min left|1 d left\)/);

    send(buyer, "/achievements");
    const list = await api.waitForCall("sendMessage", inGroup("Achievements:"));
    expect(String(list.payload.text)).to.include("Achievements: 3 of 8").and.include("✅ First purchase").and.include("Thousandaire: Have 1,000 coins on your balance — 100/1,000");

    expect(api.callsTo("sendMessage").filter((call) => String(call.payload.text).startsWith("🏆 @sam"))).to.have.length(3);
    expect(await balanceOf(buyer.id)).to.equal(100);
    const rewards = await (await database())("ledger").where({ user_id: buyer.id, reason: "achievement" });
    expect(rewards.map((row) => row.source).sort()).to.deep.equal(["first_earning", "first_purchase", "first_sticker_pass"]);
  });

  it("admin item: both admins get the notice with username, id, chat and time; the buyer is told 2 of 2; insufficient balance charges nothing", async () => {
    const buyer = user({ first_name: "Ada", username: "ada" });
    const poor = user({ first_name: "Pim", username: "pim" });
    await fund([[buyer, 60], [poor, 10]]);
    await start();
    send(buyer, "/buy 2");
    const notices = await api.waitForCalls("sendMessage", 2, (payload) => [ADMIN_1.id, ADMIN_2.id].includes(Number(payload.chat_id)));
    for (const notice of notices) {
      expect(String(notice.payload.text)).to.include("@ada").and.include(`id ${buyer.id}`).and.include("Shop Group").and.include(String(GROUP.id)).and.match(/\d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    }
    const reply = await api.waitForCall("sendMessage", inGroup("Admins notified"));
    expect(String(reply.payload.text)).to.include("Admins notified: 2 of 2. Balance: 10.");

    send(poor, "/buy 2");
    const refusal = await api.waitForCall("sendMessage", inGroup("Not enough coins"));
    expect(String(refusal.payload.text)).to.equal('Not enough coins: "Admin call" costs 50, you have 10 (40 short). Nothing was charged.');
    send(poor, "/buy");
    await api.waitForCall("sendMessage", inGroup("Usage: /buy N"));
    send(poor, "/buy seven");
    await api.waitForCalls("sendMessage", 2, inGroup("Usage: /buy N"));
    send(poor, "/buy 99");
    await api.waitForCall("sendMessage", inGroup("There is no item #99"));
    expect(await balanceOf(poor.id)).to.equal(10);
    expect(await (await database())("purchases").where("user_id", poor.id)).to.have.length(0);
  });

  it("no admin reachable: the admin call is refunded and the buyer told why", async () => {
    const buyer = user({ first_name: "Ned", username: "ned" });
    await fund([[buyer, 50]]);
    await start();
    api.fail("sendMessage", { kind: "403" }, { when: (payload) => Number(payload.chat_id) > 0 });
    send(buyer, "/buy 2");
    const reply = await api.waitForCall("sendMessage", inGroup("Could not deliver"));
    expect(String(reply.payload.text)).to.equal('Could not deliver "Admin call": no admin could be reached. 50 coins refunded, balance: 50.');
    const [purchase] = await (await database())("purchases").where("user_id", buyer.id);
    expect(purchase).to.include({ status: "refunded", refund_reason: "no admin could be reached" });
  });

  it("mention-all: prompt → text → mention messages of 2, paced, count reported; /cancel refunds", async () => {
    const buyer = user({ first_name: "Mia", username: "mia" });
    const members = [user({ first_name: "Ann", username: "ann" }), user({ first_name: "Noname", username: undefined }), user({ first_name: "Carl", username: "carl" })];
    await fund([[buyer, 450]]);
    await start();
    for (const member of members) api.pushUpdate(textMessage({ chat: GROUP, from: member, text: "hi all" }));
    send(buyer, "/buy 3");
    const prompt = await api.waitForCall("sendMessage", inGroup("Send the announcement text"));
    expect(String(prompt.payload.text)).to.include("within 5 min");
    // Another member's message and the buyer's commands are not the announcement.
    api.pushUpdate(textMessage({ chat: GROUP, from: members[0], text: "random chatter" }));
    send(buyer, "/shop");
    await api.waitForCall("sendMessage", inGroup("🛒 Shop"));
    api.pushUpdate(textMessage({ chat: GROUP, from: buyer, text: "Meetup tonight at 8!" }));
    const announcement = await api.waitForCall("sendMessage", inGroup("Announcement from Mia"));
    expect(String(announcement.payload.text)).to.equal("📢 Announcement from Mia:\n\nMeetup tonight at 8!");
    const report = await api.waitForCall("sendMessage", inGroup("members mentioned"), 10_000);
    expect(String(report.payload.text)).to.equal("✅ Announcement posted, members mentioned: 3 of 3.");
    const mentionCalls = api
      .callsTo("sendMessage")
      .filter((call) => Number(call.payload.chat_id) === GROUP.id && call.payload.reply_parameters !== undefined && call.at >= announcement.at && call.at < report.at);
    expect(mentionCalls).to.have.length(2);
    const mentionText = mentionCalls.map((call) => String(call.payload.text)).join(", ");
    expect(mentionText).to.include("@ann").and.include("@carl").and.include("Noname").and.not.include("@mia");
    const textMention = mentionCalls.flatMap((call) => call.payload.entities).find((entity: { type: string }) => entity.type === "text_mention");
    expect(textMention.user.id).to.equal(members[1].id);
    expect(mentionCalls[1].at - mentionCalls[0].at).to.be.at.least(40); // paced mentionPauseSeconds (0.05 s) apart
    await api.waitForCalls("sendMessage", 2, inGroup("🏆")); // first earnings, first purchase
    expect(await balanceOf(buyer.id)).to.equal(250 + 10 + 20);

    send(buyer, "/buy 3");
    await api.waitForCalls("sendMessage", 2, inGroup("Send the announcement text"));
    send(buyer, "/my_items");
    const waiting = await api.waitForCall("sendMessage", inGroup("Your purchases"));
    expect(String(waiting.payload.text)).to.match(/📢 "Mention everyone": waiting for the announcement text in Shop Group \(\d+ min( \d+ s)? left\)/);
    send(buyer, "/cancel");
    const cancelled = await api.waitForCall("sendMessage", inGroup("Announcement cancelled"));
    expect(String(cancelled.payload.text)).to.equal("Announcement cancelled. 200 coins refunded, balance: 280.");
    expect(await balanceOf(buyer.id)).to.equal(280);
  });

  it("mention-all: the prompt survives a restart, and its timeout refunds", async () => {
    const buyer = user({ first_name: "Tom", username: "tom" });
    await fund([[buyer, 200]]);
    await start({ mentionPromptTimeoutSeconds: 3 });
    send(buyer, "/buy 3");
    await api.waitForCall("sendMessage", inGroup("Send the announcement text"));
    await daemon!.kill("SIGKILL");
    await start({ mentionPromptTimeoutSeconds: 3 });
    expect((await (await database())("mention_prompts").first()).status).to.equal("waiting");
    const status = await runCliAsync(["status", "--json"], daemon!.env);
    expect(JSON.parse(status.stdout).features.shop).to.deep.equal({ activeItems: 3, waitingPrompts: 1, postingAnnouncements: 0 });
    const expired = await api.waitForCall("sendMessage", inGroup("did not arrive in time"), 8_000);
    expect(String(expired.payload.text)).to.equal("⌛ Tom, the announcement text did not arrive in time. 200 coins refunded, balance: 200.");
    // The refund is the first credit event since the coins were funded before the start, so "first earnings"
    // (funded coins count as admin grants) unlocks now, once, after the refund: wait for it rather than race it.
    const unlocked = await api.waitForCall("sendMessage", inGroup("🏆"), 8_000);
    expect(String(unlocked.payload.text)).to.equal('🏆 @tom unlocked "First earnings"! Reward: 10 coins (balance: 210).');
    expect(await balanceOf(buyer.id)).to.equal(200 + 10);
    expect(api.callsTo("sendMessage").filter((call) => Number(call.payload.chat_id) === GROUP.id && String(call.payload.text).includes("🏆"))).to.have.length(1);
  });

  it("/add_item then /buy of the new item; duplicate names refused case-insensitively (Пропуск / ПРОПУСК); only admins", async () => {
    const buyer = user({ first_name: "Kim", username: "kim" });
    await fund([[buyer, 1000], [ADMIN_1, 0]]);
    await start();
    send(ADMIN_1, '/add_item "Gold role" 300 custom Give the gold role for a week');
    const added = await api.waitForCall("sendMessage", inGroup("added"));
    expect(String(added.payload.text)).to.equal('✅ Item #4 "Gold role" added: 300 coins (delivered by an admin). Buy it: /buy 4');
    send(ADMIN_1, "/add_item Пропуск 10 sticker 2h");
    await api.waitForCall("sendMessage", inGroup('Item #5 "Пропуск" added: 10 coins (sticker pass for 2 h)'));
    send(ADMIN_1, "/add_item ПРОПУСК 20 admin");
    const duplicate = await api.waitForCall("sendMessage", inGroup("already exists"));
    expect(String(duplicate.payload.text)).to.equal('An item named "ПРОПУСК" already exists (case-insensitively): #5.');
    send(buyer, "/add_item Hack 1 admin");
    await api.waitForCall("sendMessage", inGroup("for administrators only"));

    send(buyer, "/buy 4");
    const notices = await api.waitForCalls("sendMessage", 2, (payload) => Number(payload.chat_id) === ADMIN_1.id || Number(payload.chat_id) === ADMIN_2.id);
    expect(String(notices[0].payload.text)).to.include("Gold role").and.include("Give the gold role for a week").and.include("@kim");
    await api.waitForCall("sendMessage", inGroup('Bought "Gold role" for 300 coins'));
    send(buyer, "/buy 5");
    await api.waitForCall("sendMessage", inGroup(/Bought "Пропуск" for 10 coins\. .*\(2 h left\)/));

    send(ADMIN_1, "/disable_item 4");
    await api.waitForCall("sendMessage", inGroup("removed from the shop"));
    send(buyer, "/shop");
    const listing = await api.waitForCall("sendMessage", inGroup("🛒 Shop"));
    expect(String(listing.payload.text)).to.not.include("Gold role");
    expect(String(listing.payload.text)).to.include("5. Пропуск");
    send(buyer, "/buy 4");
    await api.waitForCall("sendMessage", inGroup("There is no item #4"));
    expect(await (await database())("shop_items").where("name_folded", "пропуск")).to.have.length(1);

    send(ADMIN_1, "/enable_item 4");
    await api.waitForCall("sendMessage", inGroup('Item #4 "Gold role" is back in the shop.'));
    send(ADMIN_1, "/edit_item 5 price 15");
    await api.waitForCall("sendMessage", inGroup("✅ Item #5 changed: 5. Пропуск — 15 coins (sticker pass for 2 h)"));
    send(ADMIN_1, '/edit_item 5 name "Gold ROLE"');
    await api.waitForCall("sendMessage", inGroup('An item named "Gold ROLE" already exists (case-insensitively): #4.'));
    send(ADMIN_1, "/edit_item 5 duration 3h");
    await api.waitForCall("sendMessage", inGroup("(sticker pass for 3 h)"));
    send(buyer, "/help");
    const help = await api.waitForCall("sendMessage", inGroup("Commands:"));
    expect(String(help.payload.text)).to.include("/shop — the shop").and.include("/achievements").and.not.include("/add_item");
  });
});
