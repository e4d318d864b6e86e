import { expect } from "chai";
import path from "node:path";
import type { MessageEntity } from "grammy/types";
import { FakeBotApi, type RecordedCall } from "../support/fake-bot-api.js";
import { createTempDirectory, type DaemonProcess, startDaemon } from "../support/daemon-process.js";
import { commandMessage, groupChat, type NonChannelChat, privateChat, textMessage, user } from "../support/updates.js";
import { seedDatabase } from "../broadcast/seed-users.js";

const ADMIN = user({ id: 7_000_001, first_name: "Admin", username: "boss_admin", language_code: "en" });
const MEMBER = user({ id: 7_000_002, first_name: "Mallory", username: "mallory", language_code: "en" });
const GROUP = groupChat(-100_777);
const REFUSAL = "⛔ This command is for administrators only.";
const MY_ADMIN_COMMANDS = ["broadcast", "broadcast_cancel", "user_stats", "bg_status", "cleanup_now"];

/** The commands listed under "Admin commands:" in a /help reply. */
function adminCommandsOf(helpText: string): string[] {
  const lines = helpText.split("\n");
  const start = lines.indexOf("Admin commands:");
  if (start === -1) return [];
  return lines.slice(start + 1).flatMap((line) => /^\/(\w+) — /.exec(line)?.[1] ?? []);
}

describe("admin commands (bin/stickerbot end to end)", function () {
  this.timeout(60_000);
  let api: FakeBotApi;
  let temp: ReturnType<typeof createTempDirectory>;
  let daemon: DaemonProcess | undefined;

  beforeEach(async () => {
    api = await FakeBotApi.start();
    temp = createTempDirectory("sb-adm-");
    daemon = undefined;
  });
  afterEach(async () => {
    await daemon?.kill();
    await api.stop();
    temp.remove();
  });

  const start = () =>
    startDaemon({ apiRoot: api.apiRoot, token: api.token, dir: temp.dir, env: { STICKERBOT_ADMIN_IDS: String(ADMIN.id) } });
  const replyTo = async (update: ReturnType<typeof commandMessage>, timeoutMilliseconds = 10_000): Promise<RecordedCall> => {
    const message = update.message!;
    api.pushUpdate(update);
    return api.waitForCall(
      "sendMessage",
      (payload) => payload.chat_id === message.chat.id && (message.chat.type === "private" || payload.reply_parameters?.message_id === message.message_id),
      timeoutMilliseconds,
    );
  };
  /** Sends a command and resolves with the next message the bot sends to that chat. */
  const ask = async (from: typeof ADMIN, chat: NonChannelChat, command: string, entities?: MessageEntity[]) => {
    const before = api.callsTo("sendMessage").length;
    api.pushUpdate(commandMessage({ chat, from, command, entities }));
    const found = await api.waitForCall(
      "sendMessage",
      (payload, call) => payload.chat_id === chat.id && api.callsTo("sendMessage").indexOf(call) >= before,
      10_000,
    );
    return String(found.payload.text);
  };

  it("every admin command of every feature (from /help) refuses a non-admin, in a group and in private, and logs the attempt", async () => {
    daemon = await start();
    const help = String((await replyTo(commandMessage({ chat: privateChat(ADMIN), from: ADMIN, command: "/help" }))).payload.text);
    const adminCommands = adminCommandsOf(help);
    console.log(`      admin commands found in /help: ${adminCommands.join(", ")}`);
    expect(adminCommands).to.include.members(MY_ADMIN_COMMANDS);
    const memberHelp = String((await replyTo(commandMessage({ chat: privateChat(MEMBER), from: MEMBER, command: "/help" }))).payload.text);
    expect(memberHelp).not.to.include("Admin commands:");
    for (const command of adminCommands) expect(memberHelp).not.to.match(new RegExp(`^/${command} `, "m"));

    // The member is known in the group (but not one of its administrators).
    api.pushUpdate(textMessage({ chat: GROUP, from: MEMBER, text: "hi all" }));
    const before = api.callsTo("sendMessage").length;
    // Only replies sent from here on: the member's own /help answer came earlier, in the same private chat.
    const earlier = new Set(api.callsTo("sendMessage"));
    const groupUpdates = adminCommands.map((command) => commandMessage({ chat: GROUP, from: MEMBER, command: `/${command} @boss_admin 1 "some text"` }));
    const privateUpdates = adminCommands.map((command) => commandMessage({ chat: privateChat(MEMBER), from: MEMBER, command: `/${command}` }));
    api.pushUpdates([...groupUpdates, ...privateUpdates]);
    const groupReplies = await api.waitForCalls("sendMessage", adminCommands.length, (payload) => payload.chat_id === GROUP.id, 15_000);
    const privateReplies = await api.waitForCalls("sendMessage", adminCommands.length, (payload, call) => payload.chat_id === MEMBER.id && !earlier.has(call), 15_000);
    for (const [index, update] of groupUpdates.entries()) {
      const reply = groupReplies.find((call) => call.payload.reply_parameters?.message_id === update.message!.message_id);
      expect(reply?.payload.text, `/${adminCommands[index]} in the group`).to.equal(REFUSAL);
    }
    const privateAfter = api.callsTo("sendMessage").slice(before).filter((call) => call.payload.chat_id === MEMBER.id);
    expect(privateAfter.map((call) => call.payload.text)).to.deep.equal(adminCommands.map(() => REFUSAL));
    void privateReplies;
    // Nothing else happened for the member: no broadcast, no cleanup.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(api.callsTo("sendMessage").slice(before).filter((call) => call.payload.chat_id === GROUP.id)).to.have.length(adminCommands.length);
    const refusals = daemon.logs().filter((line) => line.message === "admin command refused" && line.userId === MEMBER.id);
    for (const command of adminCommands) {
      expect(refusals.filter((line) => String(line.text).split(/[\s@]/)[0] === `/${command}`), `log lines for /${command}`).to.have.length(2);
    }
    const tasks = daemon.logs().filter((line) => line.message === "task run finished" && line.task === "cleanup");
    expect(tasks).to.have.length(0);
  });

  it("/user_stats: exact username (any case) or id; a prefix of a name and an unknown name are not found", async () => {
    const now = Date.now();
    await seedDatabase(
      path.join(temp.dir, "stickerbot.sqlite"),
      [
        { id: 5001, username: "bob_builder", firstName: "Bob", balance: 1234, totalEarned: 2000, totalSpent: 766, lastActiveAt: now - 3_600_000 },
        { id: 5002, username: "bob_builder_jr", firstName: "Junior", balance: 7, totalEarned: 7 },
      ],
      async (db) => {
        await db("sticker_passes").insert({ user_id: 5001, starts_at: now - 3_600_000, expires_at: now + 2 * 3_600_000 + 30 * 60_000, source: "purchase", updated_at: now });
        for (let index = 0; index < 12; index += 1) {
          await db("parsed_transactions").insert({
            chat_id: GROUP.id,
            message_id: 100 + index,
            source_bot: "shmalala_bot",
            original_amount: 10 + index,
            converted_amount: 10 + index,
            currency: "coins",
            user_id: 5001,
            created_at: now - (12 - index) * 60_000,
          });
        }
        await db("achievements").insert({
          code: "test_first",
          name_ru: "Первые монеты",
          name_en: "First coins",
          description_ru: "—",
          description_en: "—",
          condition: "earned_at_least",
          threshold: 1,
          reward: 0,
        });
        await db("user_achievements").insert({ user_id: 5001, code: "test_first", unlocked_at: now - 60_000 });
      },
    );
    daemon = await start();
    const chat = privateChat(ADMIN);

    const exact = await ask(ADMIN, chat, "/user_stats @Bob_Builder");
    expect(exact.split("\n")[0]).to.equal("📊 Bob (@bob_builder, id 5001)");
    expect(exact).to.include("Balance: 1,234 coins").and.include("Earned in total: 2,000 · spent in total: 766");
    expect(exact).to.match(/sticker pass: 2h (29|30)m left \(until \d{4}-\d\d-\d\d \d\d:\d\d UTC\)/);
    expect(exact).to.include("Achievements (1): First coins");
    expect(exact).to.match(/Last activity: .* \(1h \d+s? ?ago\)|Last activity: .* \(1h ago\)/);
    const transactionLines = exact.split("\n").filter((line) => line.includes("shmalala_bot"));
    expect(transactionLines).to.have.length(10);
    expect(transactionLines[0]).to.include("21 coins → 21 coins"); // newest first
    expect(exact).not.to.include("Junior");

    const byId = await ask(ADMIN, chat, "/user_stats 5002");
    expect(byId.split("\n")[0]).to.equal("📊 Junior (@bob_builder_jr, id 5002)");
    expect(byId).to.include("No active subscriptions.").and.include("No credits from games.").and.include("No achievements yet.");

    const prefix = await ask(ADMIN, chat, "/user_stats @bob_build");
    expect(prefix).to.equal("I don't know @bob_build: they need to write in the group or to the bot first.");
    const unknown = await ask(ADMIN, chat, "/user_stats @nobody_here");
    expect(unknown).to.equal("I don't know @nobody_here: they need to write in the group or to the bot first.");
    const missing = await ask(ADMIN, chat, "/user_stats");
    expect(missing).to.include("Name the user");
  });

  it("/bg_status shows the status facts; /cleanup_now runs the cleanup and replies with its result", async () => {
    daemon = await start();
    const chat = privateChat(ADMIN);
    const cleanup = await ask(ADMIN, chat, "/cleanup_now");
    expect(cleanup).to.match(/^🧹 Cleanup finished in \d+ ms\.\nSticker passes revoked: 0\nSticker deletions: 0 done, 0 skipped, 0 failed\n/);
    expect(cleanup).to.include("Errors: none");
    await daemon.waitForLog((line) => line.message === "task run finished" && line.task === "cleanup" && line.trigger === "manual");
    const status = await ask(ADMIN, chat, "/bg_status");
    const lines = status.split("\n");
    expect(lines[0]).to.equal("⚙️ Background tasks: running ✅");
    expect(status).to.match(/• cleanup: every 5m; 1 runs, 0 errors/);
    expect(status).to.match(/last run: \d{4}-\d\d-\d\d \d\d:\d\d UTC — ok, \d+ ms/);
    expect(status).to.match(/result: 0 passes revoked; sticker deletions: 0 done, 0 skipped, 0 failed/);
    expect(status).to.match(/next run: in \d+m \d+s|next run: in 5m/);
    expect(status).to.match(/• monitor: every 1m/);
    expect(status).to.match(/^Health: /m);
    expect(status).to.match(new RegExp(`Process: pid ${daemon.pid}, up `));
    expect(status).to.include("• broadcasts: none running");
  });

  it("/broadcast: a second one is queued with its position; /broadcast_cancel removes a queued one and stops the running one", async () => {
    await seedDatabase(path.join(temp.dir, "stickerbot.sqlite"), Array.from({ length: 60 }, (_, index) => ({ id: 8_000_001 + index })));
    daemon = await startDaemon({
      apiRoot: api.apiRoot,
      token: api.token,
      dir: temp.dir,
      env: { STICKERBOT_ADMIN_IDS: String(ADMIN.id) },
      config: { broadcast: { messagesPerSecond: 5, concurrency: 2, progressIntervalSeconds: 0.5 } },
    });
    const chat = privateChat(ADMIN);
    // Formatting is kept: the bold entity moves with the text.
    expect(await ask(ADMIN, chat, "/broadcast first", [{ type: "bold", offset: 11, length: 5 }])).to.equal("📣 Broadcast #1: 60 recipients, starting.");
    expect(await ask(ADMIN, chat, "/broadcast second")).to.match(/^📣 Broadcast #2 \(60 recipients\) is queued at position 1\. Broadcast #1 is running/);
    expect(await ask(ADMIN, chat, "/broadcast third")).to.match(/^📣 Broadcast #3 \(60 recipients\) is queued at position 2\./);
    expect(await ask(ADMIN, chat, "/broadcast_cancel 2")).to.equal("🛑 Broadcast #2 was removed from the queue; nothing was sent.");
    expect(await ask(ADMIN, chat, "/broadcast_cancel 2")).to.equal("Broadcast #2 does not exist or has already finished.");
    await api.waitForCall("sendMessage", (payload) => payload.text === "first", 10_000);
    expect(await ask(ADMIN, chat, "/broadcast_cancel")).to.equal("🛑 Stopping broadcast #1; the report follows in a separate message.");
    const cancelledReport = await api.waitForCall("sendMessage", (payload) => payload.chat_id === ADMIN.id && /^🛑 Broadcast #1 was cancelled/.test(String(payload.text)), 10_000);
    const sentOfFirst = api.callsTo("sendMessage").filter((call) => call.payload.text === "first" && call.status === 200).length;
    expect(sentOfFirst).to.be.within(1, 59);
    const firstPayload = api.callsTo("sendMessage").find((call) => call.payload.text === "first")!.payload;
    expect(firstPayload.entities).to.deep.equal([{ type: "bold", offset: 0, length: 5 }]);
    expect(String(cancelledReport.payload.text)).to.include(`Delivered: ${sentOfFirst}`).and.include(`Not sent (cancelled): ${60 - sentOfFirst}`);
    // The third one runs next; the cancelled second never sends.
    await api.waitForCall("sendMessage", (payload) => payload.text === "third", 10_000);
    expect(api.callsTo("sendMessage").filter((call) => call.payload.text === "second")).to.have.length(0);
    expect(await ask(ADMIN, chat, "/broadcast_cancel 3")).to.equal("🛑 Stopping broadcast #3; the report follows in a separate message.");
    await api.waitForCall("sendMessage", (payload) => payload.chat_id === ADMIN.id && /^🛑 Broadcast #3 was cancelled/.test(String(payload.text)), 10_000);
    expect(await ask(ADMIN, chat, "/broadcast_cancel")).to.equal("No broadcast is running or queued.");
    expect(await ask(ADMIN, chat, "/broadcast")).to.equal("Usage: /broadcast text of the broadcast");
  });

  it("a group's Telegram administrator may use /user_stats in that group, about its members only; bot-wide commands stay refused", async () => {
    const chatAdmin = user({ id: 7_000_003, first_name: "Carol", username: "carol_mod", language_code: "en" });
    await seedDatabase(path.join(temp.dir, "stickerbot.sqlite"), [{ id: 5001, username: "bob_builder", firstName: "Bob", balance: 5 }]);
    api.setChatAdministrators(GROUP.id, [chatAdmin], { includeBot: true });
    daemon = await start();
    api.pushUpdate(textMessage({ chat: GROUP, from: MEMBER, text: "hello" }));
    const member = await ask(chatAdmin, GROUP, "/user_stats @mallory");
    expect(member.split("\n")[0]).to.equal("📊 Mallory (@mallory, id 7000002)");
    // Bob never wrote in this group: a group admin cannot look him up.
    expect(await ask(chatAdmin, GROUP, "/user_stats @bob_builder")).to.equal("I don't know @bob_builder: they need to write in the group or to the bot first.");
    expect(await ask(chatAdmin, GROUP, "/bg_status")).to.equal(REFUSAL);
    expect(await ask(chatAdmin, GROUP, "/broadcast hi")).to.equal(REFUSAL);
    expect(await ask(chatAdmin, privateChat(chatAdmin), "/user_stats @mallory")).to.equal(REFUSAL);
    // A bot admin may look anyone up, anywhere.
    expect((await ask(ADMIN, GROUP, "/user_stats @bob_builder")).split("\n")[0]).to.equal("📊 Bob (@bob_builder, id 5001)");
  });
});
