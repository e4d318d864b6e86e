import { expect } from "chai";
import { type Database, openDatabase } from "../../src/database/open-database.js";
import { FakeBotApi } from "../support/fake-bot-api.js";
import { createTempDirectory, type DaemonProcess, runCliAsync, startDaemon } from "../support/daemon-process.js";
import { commandMessage, groupChat, privateChat, stickerMessage, textMessage, user } from "../support/updates.js";

const ADMIN = user({ id: 999_001, first_name: "Admin", username: "boss" });

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

describe("stickers (bin/stickerbot end to end against the fake Bot API)", function () {
  this.timeout(40_000);
  let api: FakeBotApi;
  let temp: ReturnType<typeof createTempDirectory>;
  let daemon: DaemonProcess | undefined;
  let db: Database | undefined;

  beforeEach(async () => {
    api = await FakeBotApi.start();
    temp = createTempDirectory("sb-stk-");
    daemon = undefined;
    db = undefined;
  });
  afterEach(async () => {
    await db?.destroy();
    await daemon?.kill();
    await api.stop();
    temp.remove();
  });

  const start = (env: Record<string, string>, config?: Record<string, unknown>) =>
    startDaemon({
      apiRoot: api.apiRoot,
      token: api.token,
      dir: temp.dir,
      env: { STICKERBOT_ADMIN_IDS: String(ADMIN.id), ...env },
      config,
    });
  /** Opens the daemon's database from the test (WAL: reads alongside the daemon). */
  const database = async () => (db ??= await openDatabase(daemon!.databasePath));
  const deletionsOf = (chatId: number, messageId: number) =>
    api.callsTo("deleteMessage").filter((call) => Number(call.payload.chat_id) === chatId && Number(call.payload.message_id) === messageId);

  it("deletes a sticker from a user without a pass after the delay (not before), with one notice that removes itself", async () => {
    daemon = await start({ STICKERBOT_STICKER_DELETE_DELAY_SECONDS: "1" }, { stickers: { noticeLifetimeSeconds: 1.5 } });
    const chat = groupChat(-100_501);
    const sender = user();
    const sticker = stickerMessage({ chat, from: sender });
    const pushedAt = Date.now();
    api.pushUpdate(sticker);
    const messageId = sticker.message!.message_id;

    const notice = await api.waitForCall("sendMessage", (payload) => Number(payload.chat_id) === chat.id, 5000);
    expect(notice.payload.text).to.match(/without a sticker pass are removed after 1 s/);
    expect(deletionsOf(chat.id, messageId)).to.have.length(0);

    const deletion = await api.waitForCall("deleteMessage", (payload) => Number(payload.message_id) === messageId, 5000);
    expect(Number(deletion.payload.chat_id)).to.equal(chat.id);
    expect(deletion.at - pushedAt).to.be.at.least(950);
    expect(deletion.at - pushedAt).to.be.below(4000);

    // A second sticker soon after: deleted too, but no second notice.
    const second = stickerMessage({ chat, from: sender });
    api.pushUpdate(second);
    await api.waitForCall("deleteMessage", (payload) => Number(payload.message_id) === second.message!.message_id, 5000);
    const noticeId = (notice.response as { result: { message_id: number } }).result.message_id;
    await api.waitForCall("deleteMessage", (payload) => Number(payload.message_id) === noticeId, 5000);
    await sleep(300);
    expect(api.callsTo("sendMessage").filter((call) => Number(call.payload.chat_id) === chat.id)).to.have.length(1);
    expect(deletionsOf(chat.id, messageId)).to.have.length(1);
    expect(deletionsOf(chat.id, noticeId)).to.have.length(1);

    const rows = await (await database())("sticker_deletions").orderBy("message_id").select("message_id", "kind", "status");
    expect(rows).to.deep.equal([
      { message_id: messageId, kind: "sticker", status: "executed" },
      { message_id: noticeId, kind: "notice", status: "executed" },
      { message_id: second.message!.message_id, kind: "sticker", status: "executed" },
    ]);
    const cleanup = await runCliAsync(["cleanup", "--json"], daemon.env);
    expect(cleanup.code, cleanup.stderr).to.equal(0);
    expect(JSON.parse(cleanup.stdout).deletions).to.deep.equal({ executed: 3, skipped: 0, failed: 0 });
  });

  it("keeps stickers of pass holders, bots and admins; /grant_pass and /sticker_status answer", async () => {
    daemon = await start({ STICKERBOT_STICKER_DELETE_DELAY_SECONDS: "0.5" });
    const chat = groupChat(-100_502);
    const holder = user();
    const gameBot = user({ is_bot: true, username: "game_bot" });
    const hello = textMessage({ chat, from: holder, text: "hi" });
    api.pushUpdate(hello);
    api.pushUpdate(commandMessage({ chat, from: ADMIN, command: "/grant_pass 2h", reply_to_message: hello }));
    const granted = await api.waitForCall("sendMessage", (payload) => /got a sticker pass for 2 h/.test(String(payload.text)), 5000);
    expect(granted.payload.text).to.match(new RegExp(`@${holder.username} got a sticker pass`));

    const stickers = [stickerMessage({ chat, from: holder }), stickerMessage({ chat, from: gameBot }), stickerMessage({ chat, from: ADMIN })];
    api.pushUpdates(stickers);
    api.pushUpdate(commandMessage({ chat, from: holder, command: "/sticker_status" }));
    const status = await api.waitForCall("sendMessage", (payload) => /valid for another/.test(String(payload.text)), 5000);
    expect(status.payload.text).to.match(/valid for another (1 h 59 min|2 h)/);
    await sleep(1500);
    expect(api.callsTo("deleteMessage")).to.have.length(0);
    expect(await (await database())("sticker_deletions").count({ n: "*" })).to.deep.equal([{ n: 0 }]);

    // Usage errors: missing user, unknown user, bad duration.
    api.pushUpdate(commandMessage({ chat, from: ADMIN, command: "/grant_pass" }));
    await api.waitForCall("sendMessage", (payload) => /Name the user/.test(String(payload.text)) && /Usage: \/grant_pass/.test(String(payload.text)), 5000);
    api.pushUpdate(commandMessage({ chat, from: ADMIN, command: "/grant_pass @nobody_here" }));
    await api.waitForCall("sendMessage", (payload) => /I don't know @nobody_here/.test(String(payload.text)), 5000);
    api.pushUpdate(commandMessage({ chat, from: ADMIN, command: `/grant_pass @${holder.username} 5x` }));
    await api.waitForCall("sendMessage", (payload) => /I don't understand the duration "5x"/.test(String(payload.text)), 5000);
    // Not an admin.
    api.pushUpdate(commandMessage({ chat, from: holder, command: `/grant_pass @${holder.username}` }));
    await api.waitForCall("sendMessage", (payload) => /for administrators only/.test(String(payload.text)), 5000);

    const report = JSON.parse((await runCliAsync(["status", "--json"], daemon.env)).stdout);
    expect(report.features.stickers.activePasses).to.equal(1);
    expect(report.features.stickers.pendingDeletions).to.equal(0);
    expect(Date.parse(report.features.stickers.nextExpiry) - Date.now()).to.be.within(7_100_000, 7_200_000);
  });

  it("a deletion scheduled before SIGKILL still happens exactly once after the restart", async () => {
    const env = { STICKERBOT_STICKER_DELETE_DELAY_SECONDS: "2" };
    daemon = await start(env);
    const chat = groupChat(-100_503);
    const sticker = stickerMessage({ chat, from: user() });
    api.pushUpdate(sticker);
    const messageId = sticker.message!.message_id;
    await daemon.waitForLog((line) => line.message === "sticker scheduled for deletion" && line.messageId === messageId, 5000);
    await daemon.kill("SIGKILL");
    expect(deletionsOf(chat.id, messageId)).to.have.length(0);
    await sleep(2200); // the deletion falls due while the daemon is down

    daemon = await start(env);
    const deletion = await api.waitForCall("deleteMessage", (payload) => Number(payload.message_id) === messageId, 5000);
    expect(Number(deletion.payload.chat_id)).to.equal(chat.id);
    await sleep(1000);
    expect(deletionsOf(chat.id, messageId)).to.have.length(1);
    const row = await (await database())("sticker_deletions").where({ message_id: messageId }).first();
    expect(row.status).to.equal("executed");
  });

  it("restrict mode: restricts on a sticker, restores on a grant, revokes within 1 s of expiry and restricts again; private notice", async () => {
    daemon = await start(
      { STICKERBOT_STICKER_DELETE_DELAY_SECONDS: "30", STICKERBOT_STICKER_PASS_SECONDS: "2" },
      { stickers: { enforcement: "delete", chatEnforcement: { "-100504": "restrict" } } },
    );
    const chat = groupChat(-100_504);
    const member = user();
    api.pushUpdate(commandMessage({ chat: privateChat(member), from: member, command: "/start" }));
    const sticker = stickerMessage({ chat, from: member });
    api.pushUpdate(sticker);
    const restricted = await api.waitForCall("restrictChatMember", (payload) => Number(payload.user_id) === member.id, 5000);
    expect(Number(restricted.payload.chat_id)).to.equal(chat.id);
    expect(restricted.payload.permissions.can_send_other_messages).to.equal(false);
    expect(restricted.payload.permissions.can_send_messages).to.equal(true);

    api.pushUpdate(commandMessage({ chat, from: ADMIN, command: "/grant_pass", reply_to_message: sticker }));
    const restored = await api.waitForCall(
      "restrictChatMember",
      (payload) => Number(payload.user_id) === member.id && payload.permissions.can_send_other_messages === true,
      5000,
    );
    expect(Number(restored.payload.chat_id)).to.equal(chat.id);
    expect(api.chatMember(chat.id, member.id).status).to.equal("member");
    const pass = await (await database())("sticker_passes").where({ user_id: member.id }).first();
    // The pending deletion of the sticker sent before the pass is cancelled.
    expect((await (await database())("sticker_deletions").where({ message_id: sticker.message!.message_id }).first()).status).to.equal("cancelled");

    const again = await api.waitForCall(
      "restrictChatMember",
      (payload, call) => Number(payload.user_id) === member.id && payload.permissions.can_send_other_messages === false && call.at > restored.at,
      6000,
    );
    expect(again.at - pass.expires_at).to.be.below(1500);
    // The sweep that processed it ran within 1 s of the expiry (its watermark is the time it ran).
    const sweep = await (await database())("sticker_pass_sweeps").where({ id: 1 }).first();
    expect(sweep.processed_until - pass.expires_at).to.be.within(0, 1000);
    const notice = await api.waitForCall("sendMessage", (payload) => Number(payload.chat_id) === member.id && /has ended/.test(String(payload.text)), 5000);
    expect(notice.payload.text).to.match(/Your sticker pass has ended/);
    expect(await (await database())("chat_restrictions").where({ user_id: member.id }).select("chat_id")).to.deep.equal([{ chat_id: chat.id }]);

    const cleanup = JSON.parse((await runCliAsync(["cleanup", "--json"], daemon.env)).stdout);
    expect(cleanup.revokedPasses).to.equal(1); // revoked by the timer since the last run
    expect(cleanup.errors).to.deep.equal([]);
  });

  it("deleteMessage errors (400 not found, 403) are recorded and do not stop the other deletions", async () => {
    daemon = await start({ STICKERBOT_STICKER_DELETE_DELAY_SECONDS: "1" }, { stickers: { noticeLifetimeSeconds: 600 } });
    const chat = groupChat(-100_505);
    const sender = user();
    const [gone, forbidden, fine] = [stickerMessage({ chat, from: sender }), stickerMessage({ chat, from: sender }), stickerMessage({ chat, from: sender })];
    const idOf = (update: typeof gone) => update.message!.message_id;
    api.fail("deleteMessage", { kind: "400", description: "Bad Request: message to delete not found" }, { when: (payload) => Number(payload.message_id) === idOf(gone) });
    api.fail("deleteMessage", { kind: "403", description: "Forbidden: bot is not a member of the supergroup chat" }, { when: (payload) => Number(payload.message_id) === idOf(forbidden) });
    api.pushUpdates([gone, forbidden, fine]);
    await api.waitForCall("deleteMessage", (payload) => Number(payload.message_id) === idOf(fine), 6000);
    await sleep(500);
    for (const update of [gone, forbidden, fine]) expect(deletionsOf(chat.id, idOf(update))).to.have.length(1);
    const rows = await (await database())("sticker_deletions").where({ kind: "sticker" }).orderBy("message_id").select("message_id", "status", "reason");
    expect(rows).to.deep.equal([
      { message_id: idOf(gone), status: "failed", reason: "400: Bad Request: message to delete not found" },
      { message_id: idOf(forbidden), status: "failed", reason: "403: Forbidden: bot is not a member of the supergroup chat" },
      { message_id: idOf(fine), status: "executed", reason: null },
    ]);
    const cleanup = JSON.parse((await runCliAsync(["cleanup", "--json"], daemon.env)).stdout);
    expect(cleanup.deletions).to.deep.equal({ executed: 1, skipped: 0, failed: 2 });
    const next = JSON.parse((await runCliAsync(["cleanup", "--json"], daemon.env)).stdout);
    expect(next.deletions).to.deep.equal({ executed: 0, skipped: 0, failed: 0 });
  });
});
