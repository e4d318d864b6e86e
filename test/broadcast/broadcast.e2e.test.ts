import { expect } from "chai";
import path from "node:path";
import { migrateDatabase, openDatabase } from "../../src/database/open-database.js";
import { type ApiPayload, FakeBotApi } from "../support/fake-bot-api.js";
import { createTempDirectory, type DaemonProcess, runCliAsync, startDaemon } from "../support/daemon-process.js";
import { commandMessage, privateChat, user } from "../support/updates.js";
import { waitUntil } from "../support/wait-until.js";
import { seedDatabase } from "./seed-users.js";

const ADMIN = user({ id: 7_000_001, first_name: "Admin", username: "boss_admin", language_code: "en" });
const FIRST_RECIPIENT_ID = 2_000_001;
const RECIPIENTS = 500;

/** Numbers of the final report ("Delivered: 480" ...). */
function reportNumber(text: string, label: string): number {
  const match = new RegExp(`${label}[^:\\n]*: (\\d[\\d,]*)`).exec(text);
  if (match === null) throw new Error(`"${label}" not in report:\n${text}`);
  return Number(match[1].replace(/,/g, ""));
}

describe("broadcast (bin/stickerbot end to end, fault injection)", function () {
  this.timeout(120_000);
  let api: FakeBotApi;
  let temp: ReturnType<typeof createTempDirectory>;
  let daemon: DaemonProcess | undefined;
  const recipientIds = Array.from({ length: RECIPIENTS }, (_, index) => FIRST_RECIPIENT_ID + index);
  const isRecipient = (payload: ApiPayload) => Number(payload.chat_id) >= FIRST_RECIPIENT_ID && Number(payload.chat_id) < FIRST_RECIPIENT_ID + 1_000_000;

  beforeEach(async () => {
    api = await FakeBotApi.start();
    temp = createTempDirectory("sb-bc-");
    daemon = undefined;
    // 500 reachable recipients, plus users who must NOT get it: never started, already unreachable.
    await seedDatabase(path.join(temp.dir, "stickerbot.sqlite"), [
      ...recipientIds.map((id) => ({ id })),
      ...Array.from({ length: 7 }, (_, index) => ({ id: 3_000_001 + index, startedPrivate: false })),
      ...Array.from({ length: 4 }, (_, index) => ({ id: 3_100_001 + index, unreachable: true })),
    ]);
  });
  afterEach(async () => {
    await daemon?.kill();
    await api.stop();
    temp.remove();
  });

  const start = (messagesPerSecond: number) =>
    startDaemon({
      apiRoot: api.apiRoot,
      token: api.token,
      dir: temp.dir,
      env: { STICKERBOT_ADMIN_IDS: String(ADMIN.id) },
      config: { broadcast: { messagesPerSecond, concurrency: 5, maxAttempts: 3, progressIntervalSeconds: 0.5 } },
    });
  const sendBroadcast = (text: string) => api.pushUpdate(commandMessage({ chat: privateChat(ADMIN), from: ADMIN, command: `/broadcast ${text}` }));
  const waitForReport = (timeoutMilliseconds: number) =>
    api.waitForCall("sendMessage", (payload) => payload.chat_id === ADMIN.id && /^✅ Broadcast #\d+ finished/.test(String(payload.text)), timeoutMilliseconds);

  it("429 / 403 / 500 faults: every reachable user gets it exactly once and the report matches the fake's records", async () => {
    const blocked = new Set(recipientIds.filter((_, index) => index % 25 === 3)); // 20 users: 403
    const flaky = new Set(recipientIds.filter((_, index) => index % 50 === 7)); // 10 users: one 500, then fine
    const broken = new Set(recipientIds.filter((_, index) => index % 167 === 12)); // 3 users: always 500
    let recipientCalls = 0;
    // Every 150th request to a recipient answers 429 with retry_after 1 (3 in all).
    api.fail("sendMessage", { kind: "429", retryAfterSeconds: 1 }, { times: 3, when: (payload) => isRecipient(payload) && ++recipientCalls % 150 === 0 });
    api.fail("sendMessage", { kind: "403" }, { when: (payload) => blocked.has(Number(payload.chat_id)) });
    for (const id of flaky) api.fail("sendMessage", { kind: "5xx" }, { times: 1, when: (payload) => Number(payload.chat_id) === id });
    api.fail("sendMessage", { kind: "5xx" }, { when: (payload) => broken.has(Number(payload.chat_id)) });

    daemon = await start(300);
    const text = "Community news: the shop has new items!";
    sendBroadcast(text);
    const started = await api.waitForCall("sendMessage", (payload) => payload.chat_id === ADMIN.id, 10_000);
    expect(started.payload.text).to.equal(`📣 Broadcast #1: ${RECIPIENTS} recipients, starting.`);
    const report = await waitForReport(60_000);

    const calls = api.callsTo("sendMessage").filter((call) => isRecipient(call.payload));
    const delivered = new Map<number, number>();
    for (const call of calls) if (call.status === 200) delivered.set(Number(call.payload.chat_id), (delivered.get(Number(call.payload.chat_id)) ?? 0) + 1);
    const reachable = recipientIds.filter((id) => !blocked.has(id) && !broken.has(id));
    for (const id of reachable) expect(delivered.get(id), `deliveries to ${id}`).to.equal(1);
    expect([...delivered.keys()].every((id) => reachable.includes(id))).to.equal(true);
    for (const call of calls) expect(call.payload.text).to.equal(text);
    // Nobody outside the snapshot was messaged.
    expect(api.callsTo("sendMessage").filter((call) => Number(call.payload.chat_id) >= 3_000_000 && Number(call.payload.chat_id) < 4_000_000)).to.have.length(0);
    for (const id of blocked) expect(calls.filter((call) => Number(call.payload.chat_id) === id), `calls to blocked ${id}`).to.have.length(1);
    for (const id of broken) expect(calls.filter((call) => Number(call.payload.chat_id) === id), `calls to broken ${id}`).to.have.length(3);
    const tooMany = calls.filter((call) => call.status === 429);
    expect(tooMany).to.have.length(3);

    const reportText = String(report.payload.text);
    expect(reportNumber(reportText, "Recipients")).to.equal(RECIPIENTS);
    expect(reportNumber(reportText, "Delivered")).to.equal(delivered.size).and.equal(reachable.length);
    expect(reportNumber(reportText, "Failed")).to.equal(broken.size);
    expect(reportNumber(reportText, "Unreachable")).to.equal(blocked.size);
    expect(reportNumber(reportText, "Possibly received twice")).to.equal(0);
    expect(reportNumber(reportText, "Not sent")).to.equal(0);
    expect(reportNumber(reportText, "429 answers")).to.equal(tooMany.length);
    expect(reportText).to.include(`• 500: Internal Server Error: ${broken.size}`);

    // The 429 paused everyone: no recipient request arrived within the second after one.
    for (const rejected of tooMany) {
      const during = calls.filter((call) => call.at > rejected.answeredAt + 20 && call.at < rejected.answeredAt + 900);
      expect(during, "requests during a flood wait").to.have.length(0);
    }
    // One progress message, edited (never a message per recipient).
    const adminMessages = api.callsTo("sendMessage").filter((call) => call.payload.chat_id === ADMIN.id);
    expect(adminMessages).to.have.length(2); // the progress message and the report
    const progressId = (started.response as { result: { message_id: number } }).result.message_id;
    const edits = api.callsTo("editMessageText").filter((call) => call.payload.chat_id === ADMIN.id);
    expect(edits.length).to.be.at.least(2);
    expect(edits.every((call) => call.payload.message_id === progressId)).to.equal(true);
    expect(api.getMessage(ADMIN.id, progressId)?.text).to.equal(reportText);

    const status = JSON.parse((await runCliAsync(["status", "--json"], daemon.env)).stdout);
    expect(status.features.broadcast.running).to.equal(null);
    expect(status.features.broadcast.lastFinished).to.include({ id: 1, status: "done", total: RECIPIENTS, sent: reachable.length, failed: 3, unreachable: 20, pending: 0, rateLimited: 3 });

    await runCliAsync(["stop"], daemon.env);
    expect((await daemon.exited).code).to.equal(0);
    const db = await openDatabase(daemon.databasePath);
    try {
      await migrateDatabase(db);
      const unreachable = (await db("users").where({ unreachable: true }).pluck("id")).map(Number).sort();
      expect(unreachable).to.deep.equal([...blocked, ...Array.from({ length: 4 }, (_, index) => 3_100_001 + index)].sort());
    } finally {
      await db.destroy();
    }
  });

  it("SIGKILL in the middle: the restarted daemon resumes; only the in-flight sends can repeat, and the report counts them", async () => {
    const arrivals = new Map<number, number>();
    // Telegram delivers when it processes the request; the answer comes later (a crash can fall in between).
    api.on("sendMessage", async (payload, fake) => {
      if (isRecipient(payload)) {
        arrivals.set(Number(payload.chat_id), (arrivals.get(Number(payload.chat_id)) ?? 0) + 1);
        await new Promise((resolve) => setTimeout(resolve, 40));
      }
      return fake.callDefault("sendMessage", payload);
    });
    daemon = await start(100);
    sendBroadcast("Maintenance tonight at 23:00");
    await waitUntil(() => arrivals.size >= 150, "150 recipients reached", 20_000);
    await daemon.kill("SIGKILL");
    const beforeRestart = arrivals.size;
    expect(beforeRestart).to.be.below(RECIPIENTS);

    daemon = await start(100);
    const report = await waitForReport(60_000);
    const reportText = String(report.payload.text);
    const twice = [...arrivals.entries()].filter(([, count]) => count === 2).map(([id]) => id);
    expect([...arrivals.values()].every((count) => count === 1 || count === 2), "at most two arrivals each").to.equal(true);
    for (const id of recipientIds) expect(arrivals.get(id) ?? 0, `arrivals at ${id}`).to.be.at.least(1);
    const possiblyDuplicated = reportNumber(reportText, "Possibly received twice");
    expect(twice.length).to.be.at.most(possiblyDuplicated);
    // Requests are held 40 ms at 100/s: some were in flight at the kill, and at most the send concurrency.
    expect(possiblyDuplicated).to.be.within(1, 5);
    expect(twice.length).to.be.at.least(1);
    expect(reportNumber(reportText, "Delivered")).to.equal(RECIPIENTS);
    expect(reportNumber(reportText, "Failed")).to.equal(0);
    expect(daemon.logs().some((line) => line.message === "resuming broadcast: recipients in flight at the crash are sent again")).to.equal(possiblyDuplicated > 0);
  });

  it("SIGTERM in the middle: sends in flight settle, the job stays resumable and completes after the restart with no duplicates", async () => {
    daemon = await start(150);
    sendBroadcast("Graceful stop test");
    await api.waitForCalls("sendMessage", 100, (payload) => isRecipient(payload), 20_000);
    daemon.child.kill("SIGTERM");
    expect((await daemon.exited).code).to.equal(0);
    expect(daemon.logs().some((line) => line.message === "broadcast paused by shutdown; it resumes at the next start")).to.equal(true);
    const sentBeforeRestart = api.callsTo("sendMessage").filter((call) => isRecipient(call.payload) && call.status === 200).length;
    expect(sentBeforeRestart).to.be.below(RECIPIENTS);

    daemon = await start(150);
    const report = String((await waitForReport(60_000)).payload.text);
    const delivered = new Map<number, number>();
    for (const call of api.callsTo("sendMessage")) {
      if (isRecipient(call.payload) && call.status === 200) delivered.set(Number(call.payload.chat_id), (delivered.get(Number(call.payload.chat_id)) ?? 0) + 1);
    }
    expect(delivered.size).to.equal(RECIPIENTS);
    expect([...delivered.values()].every((count) => count === 1)).to.equal(true);
    expect(reportNumber(report, "Delivered")).to.equal(RECIPIENTS);
    expect(reportNumber(report, "Possibly received twice")).to.equal(0);
  });
});
