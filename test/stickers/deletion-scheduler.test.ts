import { expect } from "chai";
import { Api } from "grammy";
import path from "node:path";
import { ConfigHolder } from "../../src/app/config-holder.js";
import { createBot } from "../../src/bot/create-bot.js";
import { loadConfig } from "../../src/config/load-config.js";
import { type Database, migrateDatabase, openDatabase } from "../../src/database/open-database.js";
import { createSilentLogger } from "../../src/logging/logger.js";
import { DeletionScheduler, MAX_DELETABLE_AGE_MILLISECONDS } from "../../src/stickers/deletion-scheduler.js";
import { DueTimer } from "../../src/stickers/due-timer.js";
import { StickerManager } from "../../src/stickers/sticker-manager.js";
import { ManualClock, systemClock } from "../../src/time/clock.js";
import { createTempDirectory } from "../support/daemon-process.js";
import { FakeBotApi } from "../support/fake-bot-api.js";
import { eventually } from "./harness.js";

describe("DeletionScheduler (real SQLite, fake Bot API)", function () {
  this.timeout(20_000);
  let api: FakeBotApi;
  let temp: ReturnType<typeof createTempDirectory>;
  let db: Database;
  let clock: ManualClock;
  let manager: StickerManager;
  const logger = createSilentLogger();

  beforeEach(async () => {
    api = await FakeBotApi.start();
    temp = createTempDirectory("sb-del-");
    db = await openDatabase(path.join(temp.dir, "db.sqlite"));
    await migrateDatabase(db);
    clock = new ManualClock(Date.now());
    manager = new StickerManager({ db, clock, logger });
  });
  afterEach(async () => {
    await db.destroy();
    await api.stop();
    temp.remove();
  });

  const plainApi = () => new Api(api.token, { apiRoot: api.apiRoot });
  const scheduler = (options: { api?: Api; maxAttempts?: number; writeDelayMilliseconds?: number } = {}) =>
    new DeletionScheduler({
      db,
      api: options.api ?? plainApi(),
      clock,
      logger,
      hasActivePass: (userId, at) => manager.hasActivePass(userId, at),
      maxAttempts: options.maxAttempts,
      writeDelayMilliseconds: options.writeDelayMilliseconds,
    });
  const row = async (messageId: number) => db("sticker_deletions").where({ message_id: messageId }).first();

  it("at start runs what fell due while down; skips deletions older than 48 h without calling the API", async () => {
    const now = clock.now();
    const deletions = scheduler();
    await deletions.schedule({ chatId: -5, messageId: 1, userId: 7, kind: "sticker", sentAt: now - 10_000, dueAt: now - 5_000 });
    await deletions.schedule({ chatId: -5, messageId: 2, userId: 7, kind: "sticker", sentAt: now - MAX_DELETABLE_AGE_MILLISECONDS - 60_000, dueAt: now - MAX_DELETABLE_AGE_MILLISECONDS });
    await deletions.schedule({ chatId: -5, messageId: 3, userId: 7, kind: "sticker", sentAt: now, dueAt: now + 120_000 });
    await deletions.start(); // returns at once; the run goes on in the background
    await eventually(async () => expect((await row(1)).status).to.equal("executed"));
    await deletions.stop();
    expect(api.callsTo("deleteMessage").map((call) => call.payload.message_id)).to.deep.equal([1]);
    expect(await row(2)).to.include({ status: "skipped", reason: "older than 48 hours: the Bot API no longer deletes it" });
    expect((await row(3)).status).to.equal("pending");
    expect(deletions.takeCounts()).to.deep.equal({ executed: 1, skipped: 1, failed: 0 });
    expect(deletions.takeCounts()).to.deep.equal({ executed: 0, skipped: 0, failed: 0 });
    expect(await deletions.countPending()).to.equal(1);
    expect(await deletions.nextDueAt()).to.equal(now + 120_000);
  });

  it("skips a sticker whose sender's pass started before it fell due, but still removes notices", async () => {
    const now = clock.now();
    await manager.grantPass(7, 3600, { source: "admin" });
    const deletions = scheduler();
    // Rows written after the grant (a race the grant's cancellation cannot see): the run checks again.
    await deletions.schedule({ chatId: -5, messageId: 10, userId: 7, kind: "sticker", sentAt: now, dueAt: now });
    await deletions.schedule({ chatId: -5, messageId: 11, userId: 7, kind: "notice", sentAt: now, dueAt: now });
    expect(await deletions.runDue(now)).to.deep.equal({ executed: 1, skipped: 1, failed: 0 });
    expect(await row(10)).to.include({ status: "skipped", reason: "the sender's pass started before the deletion fell due" });
    expect((await row(11)).status).to.equal("executed");
    expect(api.callsTo("deleteMessage").map((call) => call.payload.message_id)).to.deep.equal([11]);
  });

  it("retries transient failures a bounded number of times, then records them as failed", async () => {
    const now = clock.now();
    api.fail("deleteMessage", { kind: "5xx", status: 502 });
    const deletions = scheduler({ maxAttempts: 2 });
    await deletions.schedule({ chatId: -5, messageId: 20, userId: 7, kind: "sticker", sentAt: now, dueAt: now });
    expect(await deletions.runDue(now)).to.deep.equal({ executed: 0, skipped: 0, failed: 0 });
    const retried = await row(20);
    expect(retried).to.include({ status: "pending", attempts: 1, reason: "502: Bad Gateway" });
    expect(retried.due_at).to.equal(now + 5_000);
    clock.advance(5_000);
    expect(await deletions.runDue(clock.now())).to.deep.equal({ executed: 0, skipped: 0, failed: 1 });
    expect(await row(20)).to.include({ status: "failed", attempts: 2, reason: "502: Bad Gateway" });
    expect(api.callsTo("deleteMessage")).to.have.length(2);
    clock.advance(60_000);
    expect(await deletions.runDue(clock.now())).to.deep.equal({ executed: 0, skipped: 0, failed: 0 });
    expect(api.callsTo("deleteMessage")).to.have.length(2);
  });

  it("waits retry_after on 429 (through the bot's auto-retry) and then deletes", async () => {
    const now = clock.now();
    const config = loadConfig({ env: { STICKERBOT_TOKEN: api.token, STICKERBOT_API_ROOT: api.apiRoot } });
    const { bot } = createBot({ settings: new ConfigHolder(config), logger });
    api.fail("deleteMessage", { kind: "429", retryAfterSeconds: 1 }, { times: 1 });
    const deletions = scheduler({ api: bot.api });
    await deletions.schedule({ chatId: -5, messageId: 30, userId: 7, kind: "sticker", sentAt: now, dueAt: now });
    const started = Date.now();
    expect(await deletions.runDue(now)).to.deep.equal({ executed: 1, skipped: 0, failed: 0 });
    expect(Date.now() - started).to.be.at.least(900);
    const calls = api.callsTo("deleteMessage");
    expect(calls.map((call) => call.status)).to.deep.equal([429, 200]);
  });

  it("scheduling is idempotent per chat and message, and finished records are purged after the retention", async () => {
    const now = clock.now();
    const deletions = scheduler();
    await deletions.schedule({ chatId: -5, messageId: 40, userId: 7, kind: "sticker", sentAt: now, dueAt: now });
    await deletions.schedule({ chatId: -5, messageId: 40, userId: 7, kind: "sticker", sentAt: now, dueAt: now + 99 });
    await deletions.schedule({ chatId: -5, messageId: 41, userId: 7, kind: "sticker", sentAt: now, dueAt: now + 86_400_000 });
    await deletions.runDue(now);
    expect(api.callsTo("deleteMessage")).to.have.length(1);
    expect(await deletions.purgeFinished(now)).to.equal(0);
    expect(await deletions.purgeFinished(now + 1)).to.equal(1);
    expect(await deletions.countPending()).to.equal(1);
  });

  it("group commit: concurrent schedules share INSERTs, each resolves only once its row is stored, a bad row fails alone", async () => {
    const now = clock.now();
    const deletions = scheduler();
    let inserts = 0;
    const countInserts = (query: { sql: string }) => {
      if (query.sql.startsWith("insert into `sticker_deletions`")) inserts += 1;
    };
    db.on("query", countInserts);
    const stored: number[] = [];
    const requests = Array.from({ length: 250 }, (_, i) =>
      deletions.schedule({ chatId: -6, messageId: 1000 + i, userId: 7, kind: "sticker", sentAt: now, dueAt: now + 120_000 }).then(async () => {
        // Durable when it resolves: the row is there.
        if ((await row(1000 + i)) !== undefined) stored.push(i);
      }),
    );
    await Promise.all(requests);
    expect(stored).to.have.length(250);
    // Statements of at most 100 rows.
    expect(inserts).to.be.within(3, 4);

    inserts = 0;
    const outcomes = await Promise.allSettled([
      deletions.schedule({ chatId: -6, messageId: 2000, userId: 7, kind: "sticker", sentAt: now, dueAt: now }),
      deletions.schedule({ chatId: -6, messageId: 2001, userId: 7, kind: "sticker", sentAt: now, dueAt: now }),
      // NOT NULL violation: fails its statement, and then alone.
      deletions.schedule({ chatId: -6, messageId: 2002, userId: null as unknown as number, kind: "sticker", sentAt: now, dueAt: now }),
      deletions.schedule({ chatId: -6, messageId: 2003, userId: 7, kind: "sticker", sentAt: now, dueAt: now }),
    ]);
    db.off("query", countInserts);
    expect(outcomes.map((outcome) => outcome.status)).to.deep.equal(["fulfilled", "fulfilled", "rejected", "fulfilled"]);
    expect(String((outcomes[2] as PromiseRejectedResult).reason)).to.match(/NOT NULL constraint failed: sticker_deletions.user_id/);
    expect((await db("sticker_deletions").whereBetween("message_id", [2000, 2003]).orderBy("message_id").pluck("message_id"))).to.deep.equal([2000, 2001, 2003]);
    await deletions.stop();
  });

  it("gathers deletions for writeDelayMilliseconds into one INSERT; flush() and stop() write the queued ones at once", async () => {
    const now = clock.now();
    const deletions = scheduler({ writeDelayMilliseconds: 60_000 });
    const inserts: string[] = [];
    const countInserts = (query: { sql: string }) => {
      if (query.sql.startsWith("insert into `sticker_deletions`")) inserts.push(query.sql);
    };
    db.on("query", countInserts);
    const request = (messageId: number) => ({ chatId: -7, messageId, userId: 7, kind: "sticker" as const, sentAt: now, dueAt: now + 120_000 });
    const stored: number[] = [];
    const first = [3000, 3001, 3002].map((id) => deletions.schedule(request(id)).then(() => stored.push(id)));
    await new Promise((resolve) => setTimeout(resolve, 30));
    // Gathering: nothing written yet, nothing resolved.
    expect(inserts).to.have.length(0);
    expect(stored).to.deep.equal([]);
    expect(await db("sticker_deletions").where({ chat_id: -7 }).count({ n: "*" }).first()).to.deep.equal({ n: 0 });
    await deletions.flush();
    await Promise.all(first);
    expect(inserts).to.have.length(1);
    expect(stored).to.deep.equal([3000, 3001, 3002]);

    // stop() writes what is still gathering.
    const last = deletions.schedule(request(3003));
    await deletions.stop();
    await last;
    expect(inserts).to.have.length(2);
    expect(await db("sticker_deletions").where({ chat_id: -7 }).orderBy("message_id").pluck("message_id")).to.deep.equal([3000, 3001, 3002, 3003]);
    db.off("query", countInserts);
  });
});

describe("DueTimer", () => {
  it("fires at the armed time, moves earlier but not later, runs once at a time, and stops", async () => {
    const fired: number[] = [];
    let timer: DueTimer;
    timer = new DueTimer(async () => void fired.push(Date.now()), () => systemClock.now(), (error) => { throw error; });
    const start = Date.now();
    timer.arm(start + 400);
    timer.arm(start + 150);
    timer.arm(start + 300); // later than the armed time: ignored
    expect(timer.nextAt()).to.equal(start + 150);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(fired).to.have.length(1);
    expect(fired[0] - start).to.be.within(140, 240);
    timer.arm(Date.now() + 50);
    await timer.stop();
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(fired).to.have.length(1);
  });
});
