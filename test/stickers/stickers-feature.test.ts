import { expect } from "chai";
import { commandMessage, groupChat, privateChat, stickerMessage, textMessage, user } from "../support/updates.js";
import { eventually, type StickerHarness, startStickerHarness } from "./harness.js";

const ADMIN_ID = 777_001;

describe("stickers feature (in-process bot, real SQLite, fake Bot API, manual clock)", function () {
  this.timeout(20_000);
  let h: StickerHarness;
  afterEach(async () => {
    await h?.close();
  });

  const pending = () => h.db("sticker_deletions").where({ kind: "sticker" }).orderBy("id").select("chat_id", "message_id", "user_id", "due_at", "status");

  it("schedules a sticker from a user without a pass at now + the delay, in groups only", async () => {
    h = await startStickerHarness((config) => {
      config.timings.stickerDeleteDelaySeconds = 120;
    });
    const chat = groupChat(-100_601);
    const sender = user();
    const sticker = stickerMessage({ chat, from: sender });
    await h.handle(sticker);
    await h.handle(stickerMessage({ chat: privateChat(sender), from: sender }));
    expect(await pending()).to.deep.equal([
      { chat_id: chat.id, message_id: sticker.message!.message_id, user_id: sender.id, due_at: h.clock.now() + 120_000, status: "pending" },
    ]);
    const status = await h.feature.status!();
    // The sticker and the notice's own removal.
    expect(status).to.include({ activePasses: 0, pendingDeletions: 2, nextExpiry: null, enforcement: "delete" });
    // The notice (lifetime 60 s) goes first.
    expect(status.nextDeletionDue).to.equal(new Date(h.clock.now() + 60_000).toISOString());
  });

  it("a sticker flood calls getChatAdministrators once per chat (also when that call fails)", async () => {
    h = await startStickerHarness();
    const chat = groupChat(-100_602);
    const failing = groupChat(-100_603);
    api403(h, failing.id);
    for (let i = 0; i < 30; i += 1) {
      await h.handle(stickerMessage({ chat, from: user() }));
      await h.handle(stickerMessage({ chat: failing, from: user() }));
    }
    const calls = h.api.callsTo("getChatAdministrators");
    expect(calls.filter((call) => Number(call.payload.chat_id) === chat.id)).to.have.length(1);
    expect(calls.filter((call) => Number(call.payload.chat_id) === failing.id)).to.have.length(1);
    expect(await pending()).to.have.length(60);
  });

  it("exempts chat admins and configured admins (unless exemptAdmins is off), and never schedules bots", async () => {
    h = await startStickerHarness((config) => {
      config.adminIds = [ADMIN_ID];
    });
    const chat = groupChat(-100_604);
    const chatAdmin = user();
    h.api.setChatAdministrators(chat.id, [chatAdmin], { includeBot: true });
    await h.handle(stickerMessage({ chat, from: chatAdmin }));
    await h.handle(stickerMessage({ chat, from: user({ id: ADMIN_ID }) }));
    await h.handle(stickerMessage({ chat, from: user({ is_bot: true }) }));
    expect(await pending()).to.deep.equal([]);
    h.settings.current.stickers.exemptAdmins = false;
    await h.handle(stickerMessage({ chat, from: chatAdmin }));
    await h.handle(stickerMessage({ chat, from: user({ id: ADMIN_ID }) }));
    await h.handle(stickerMessage({ chat, from: user({ is_bot: true }) }));
    expect((await pending()).map((row) => row.user_id)).to.deep.equal([chatAdmin.id, ADMIN_ID]);
  });

  it("tells a user once per cooldown, at most one notice per chat every 10 s, and schedules the notice's own removal", async () => {
    h = await startStickerHarness((config) => {
      config.stickers.noticeCooldownSeconds = 3600;
      config.stickers.noticeLifetimeSeconds = 60;
    });
    const chat = groupChat(-100_605);
    const [first, second] = [user(), user()];
    await h.handle(stickerMessage({ chat, from: first }));
    await h.handle(stickerMessage({ chat, from: first }));
    await h.handle(stickerMessage({ chat, from: second })); // within 10 s of the first notice in this chat
    const notices = () => h.api.callsTo("sendMessage").filter((call) => Number(call.payload.chat_id) === chat.id);
    expect(notices()).to.have.length(1);
    expect(notices()[0].payload.text).to.match(new RegExp(`^User${first.id}, stickers from users without a sticker pass are removed after 2 min`));
    const noticeRow = await h.db("sticker_deletions").where({ kind: "notice" }).first();
    expect(noticeRow).to.include({ chat_id: chat.id, user_id: first.id, due_at: h.clock.now() + 60_000, status: "pending" });

    h.clock.advance(11_000);
    await h.handle(stickerMessage({ chat, from: second }));
    await h.handle(stickerMessage({ chat, from: first }));
    expect(notices()).to.have.length(2);
    h.clock.advance(3600_000);
    await h.handle(stickerMessage({ chat, from: first }));
    expect(notices()).to.have.length(3);
  });

  it("a sticker without a pass costs one statement (its deletion's INSERT); the notice cooldown comes from the table, read once", async () => {
    h = await startStickerHarness((config) => {
      config.stickers.noticeCooldownSeconds = 3600;
    });
    const chat = groupChat(-100_608);
    const [told, first, second] = [user(), user(), user()];
    // Told before this run (e.g. before a restart): the table remembers.
    await h.db("sticker_notices").insert({ chat_id: chat.id, user_id: told.id, notified_at: h.clock.now() - 60_000, message_id: 1 });
    const statements: string[] = [];
    h.db.on("query", (query: { sql: string }) => {
      if (/sticker_|chat_restrictions/.test(query.sql)) statements.push(query.sql);
    });
    await h.handle(stickerMessage({ chat, from: told }));
    const notices = () => h.api.callsTo("sendMessage").filter((call) => Number(call.payload.chat_id) === chat.id);
    expect(notices()).to.have.length(0);
    expect(statements.filter((sql) => sql.startsWith("select") && sql.includes("sticker_notices"))).to.have.length(1);

    await h.handle(stickerMessage({ chat, from: first })); // told now: the notice, its record, its removal
    expect(notices()).to.have.length(1);
    statements.length = 0;
    await h.handle(stickerMessage({ chat, from: first }));
    await h.handle(stickerMessage({ chat, from: second })); // within 10 s of the chat's last notice
    await h.handle(stickerMessage({ chat, from: told }));
    expect(notices()).to.have.length(1);
    expect(statements).to.have.length(3);
    for (const sql of statements) expect(sql).to.match(/^insert into `sticker_deletions`/);
    expect(await pending()).to.have.length(5);
  });

  it("/grant_pass and /revoke_pass: usage errors, extension, revoke restricts in a restrict chat; the cleanup reports and purges", async () => {
    h = await startStickerHarness((config) => {
      config.adminIds = [ADMIN_ID];
      config.stickers.chatEnforcement = { "-100606": "restrict" };
    });
    const chat = groupChat(-100_606);
    const admin = user({ id: ADMIN_ID, username: "boss" });
    const member = user({ username: "member_one" });
    await h.handle(textMessage({ chat, from: member }));
    const replies = () => h.api.callsTo("sendMessage").map((call) => String(call.payload.text));

    await h.handle(commandMessage({ chat, from: admin, command: "/revoke_pass" }));
    expect(replies().at(-1)).to.equal("Name the user: @username, id, or reply to their message.\nUsage: /revoke_pass @user|reply");
    await h.handle(commandMessage({ chat, from: admin, command: "/grant_pass @member_one 1d12h" }));
    expect(replies().at(-1)).to.match(/^🎟 @member_one got a sticker pass for 1 d 12 h; valid until /);
    await h.handle(commandMessage({ chat, from: admin, command: "/grant_pass @MEMBER_ONE 30m" }));
    expect(replies().at(-1)).to.match(/^🎟 @member_one's sticker pass was extended by 30 min/);
    const pass = await h.feature.manager.getPass(member.id);
    expect(pass!.expiresAt - pass!.startsAt).to.equal((36 * 3600 + 1800) * 1000);
    await h.handle(commandMessage({ chat, from: member, command: "/pass" }));
    expect(replies().at(-1)).to.match(/^🎟 Your sticker pass is valid for another 1 d 12 h/);

    await h.handle(commandMessage({ chat, from: admin, command: "/revoke_pass @member_one" }));
    expect(replies().at(-1)).to.equal("@member_one's sticker pass was revoked.");
    const restricted = await h.api.waitForCall("restrictChatMember", (payload) => Number(payload.user_id) === member.id, 3000);
    expect(restricted.payload.permissions.can_send_other_messages).to.equal(false);
    await eventually(async () => {
      expect(await h.db("chat_restrictions").select("chat_id", "user_id")).to.deep.equal([{ chat_id: chat.id, user_id: member.id }]);
    });
    await h.handle(commandMessage({ chat, from: admin, command: "/revoke_pass @member_one" }));
    expect(replies().at(-1)).to.equal("@member_one has no active sticker pass.");
    await h.handle(commandMessage({ chat, from: member, command: "/sticker_status" }));
    expect(replies().at(-1)).to.match(/^You have no sticker pass/);

    // Cleanup: an expired pass the timer has not seen yet (clock moved by hand), and an old executed deletion.
    await h.feature.manager.grantPass(55, 60, { source: "purchase" });
    const old = h.clock.now() - 8 * 86_400_000;
    await h.db("sticker_deletions").insert({ chat_id: chat.id, message_id: 9999, user_id: 1, kind: "sticker", sent_at: old, due_at: old, status: "executed", created_at: old, finished_at: old });
    h.clock.advance(61_000);
    const step = h.feature.cleanupSteps![0];
    const result = await step.run(h.clock.now(), new AbortController().signal);
    expect(result).to.deep.equal({ revokedPasses: 1, deletions: { executed: 0, skipped: 0, failed: 0 }, purged: { stickerDeletions: 1, stickerNotices: 0 } });
    expect((await h.feature.manager.getPass(55))!.endProcessed).to.equal(true);
    expect((await h.feature.manager.getPass(member.id))!).to.include({ endProcessed: true, revokeReason: "admin" });
  });

  it("at start, passes that expired while the daemon was down are revoked at once and the users told in private", async () => {
    h = await startStickerHarness(() => undefined, { start: false });
    const member = user();
    await h.handle(commandMessage({ chat: privateChat(member), from: member, command: "/start" }));
    await h.feature.manager.grantPass(member.id, 60, { source: "purchase" });
    h.clock.advance(3_600_000);
    await h.feature.start!();
    const pass = await h.feature.manager.getPass(member.id);
    expect(pass).to.include({ endProcessed: true, revokedAt: null, revokeReason: null });
    expect(await h.db("sticker_pass_sweeps").first("processed_until")).to.deep.equal({ processed_until: h.clock.now() });
    const notice = await h.api.waitForCall("sendMessage", (payload) => Number(payload.chat_id) === member.id && /has ended/.test(String(payload.text)), 3000);
    expect(notice.payload.text).to.equal("⌛ Your sticker pass has ended: your stickers in the group are removed after 2 min again. A new pass: /shop");
    expect((await h.feature.status!()).nextExpiry).to.equal(null);
  });

  it("/grant_pass is refused to a non-admin and a bad duration is explained", async () => {
    h = await startStickerHarness((config) => {
      config.adminIds = [ADMIN_ID];
    });
    const chat = groupChat(-100_607);
    const member = user();
    const hello = textMessage({ chat, from: member });
    await h.handle(hello);
    await h.handle(commandMessage({ chat, from: member, command: "/grant_pass", reply_to_message: hello }));
    await h.handle(commandMessage({ chat, from: user({ id: ADMIN_ID }), command: "/grant_pass 0m", reply_to_message: hello }));
    const texts = h.api.callsTo("sendMessage").map((call) => String(call.payload.text));
    expect(texts).to.deep.equal([
      "⛔ This command is for administrators only.",
      `I don't understand the duration "0m": write e.g. 30m, 2h or 1d (at most 366d).\nUsage: /grant_pass @user|reply [duration: 30m, 2h, 1d]`,
    ]);
    expect(await h.feature.manager.getPass(member.id)).to.equal(undefined);
  });
});

function api403(h: StickerHarness, chatId: number): void {
  h.api.fail("getChatAdministrators", { kind: "403", description: "Forbidden: bot was kicked from the supergroup chat" }, {
    when: (payload) => Number(payload.chat_id) === chatId,
  });
}
