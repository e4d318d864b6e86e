import { expect } from "chai";
import path from "node:path";
import { BroadcastStore } from "../../src/broadcast/broadcast-store.js";
import { type Database, openDatabase } from "../../src/database/open-database.js";
import { ManualClock } from "../../src/time/clock.js";
import { createTempDirectory } from "../support/daemon-process.js";
import { seedDatabase } from "./seed-users.js";

describe("BroadcastStore", () => {
  let temp: ReturnType<typeof createTempDirectory>;
  let db: Database;
  let clock: ManualClock;
  let store: BroadcastStore;

  beforeEach(async () => {
    temp = createTempDirectory("sb-bcs-");
    const file = path.join(temp.dir, "db.sqlite");
    await seedDatabase(file, [
      { id: 1 },
      { id: 2 },
      { id: 3, startedPrivate: false },
      { id: 4, unreachable: true },
      { id: 5 },
    ]);
    db = await openDatabase(file);
    await db("users").insert({ id: 6, first_name: "Bot", is_bot: true, started_private: true, created_at: 0, last_active_at: 0 });
    clock = new ManualClock();
    store = new BroadcastStore(db, () => clock.now());
  });
  afterEach(async () => {
    await db.destroy();
    temp.remove();
  });

  const create = () => store.create({ adminId: 99, adminChatId: 99, language: "en", text: "hello", entities: [{ type: "bold", offset: 0, length: 5 }] });

  it("snapshots the users who started the bot in private and are reachable (no bots), as queued", async () => {
    const job = await create();
    expect(job).to.include({ status: "queued", total: 3, text: "hello", language: "en", progressMessageId: null });
    expect(job.entities).to.deep.equal([{ type: "bold", offset: 0, length: 5 }]);
    expect(await store.pendingRecipients(job.id, 0, 10)).to.deep.equal([1, 2, 5]);
    expect(await store.pendingRecipients(job.id, 1, 1)).to.deep.equal([2]);
    // Users who start the bot later are not in this job.
    await db("users").where({ id: 3 }).update({ started_private: true });
    expect((await store.counts(job.id)).total).to.equal(3);
  });

  it("markRunning turns `sending` rows (in flight at a crash) back to pending, flagged possibly duplicated", async () => {
    const job = await create();
    expect(await store.markRunning(job.id)).to.equal(0);
    await store.markSending(job.id, 1);
    await store.markSending(job.id, 2);
    await store.markSent(job.id, 2, 1);
    // crash here: 1 is still `sending`
    clock.advance(5000);
    expect(await store.markRunning(job.id)).to.equal(1);
    const counts = await store.counts(job.id);
    expect(counts).to.deep.include({ total: 3, pending: 2, sending: 0, sent: 1, possiblyDuplicated: 1 });
    expect((await store.get(job.id))!.startedAt).to.equal(clock.now() - 5000); // the first start counts
    expect(await store.pendingRecipients(job.id, 0, 10)).to.deep.equal([1, 5]);
  });

  it("counts failures by reason, unreachable users and 429s; finish is once only; purge removes old finished jobs", async () => {
    const job = await create();
    await store.markRunning(job.id);
    await store.markFailed(job.id, 1, 3, "500: Internal Server Error");
    await store.markFailed(job.id, 2, 1, "400: Bad Request: chat not found");
    await store.markUnreachable(job.id, 5, 1, "403: Forbidden: bot was blocked by the user");
    await store.addRateLimited(job.id, 2);
    const counts = await store.counts(job.id);
    expect(counts).to.deep.include({ failed: 2, unreachable: 1, pending: 0 });
    expect(counts.failedByReason).to.deep.equal([
      { reason: "400: Bad Request: chat not found", count: 1 },
      { reason: "500: Internal Server Error", count: 1 },
    ]);
    expect(await store.finish(job.id, "done")).to.equal(true);
    expect(await store.finish(job.id, "cancelled")).to.equal(false);
    const finished = (await store.get(job.id))!;
    expect(finished).to.include({ status: "done", rateLimitedCount: 2, finishedAt: clock.now() });
    expect(await store.listUnfinished()).to.deep.equal([]);
    expect((await store.lastFinished())!.id).to.equal(job.id);
    expect(await store.purgeFinishedBefore(clock.now())).to.equal(0);
    expect(await store.purgeFinishedBefore(clock.now() + 1)).to.equal(1);
    expect(await db("broadcast_recipients").count({ n: "*" }).first()).to.deep.equal({ n: 0 });
  });

  it("lists running jobs before queued ones, oldest first", async () => {
    const first = await create();
    const second = await create();
    const third = await create();
    await store.markRunning(second.id);
    expect((await store.listUnfinished()).map((job) => job.id)).to.deep.equal([second.id, first.id, third.id]);
  });
});
