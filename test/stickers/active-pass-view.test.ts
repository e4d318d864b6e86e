import { expect } from "chai";
import fc from "fast-check";
import path from "node:path";
import { type Database, migrateDatabase, openDatabase } from "../../src/database/open-database.js";
import { createSilentLogger } from "../../src/logging/logger.js";
import { StickerManager } from "../../src/stickers/sticker-manager.js";
import { ManualClock } from "../../src/time/clock.js";
import { createTempDirectory } from "../support/daemon-process.js";

/** Counts the statements the database runs that touch `sticker_passes`. */
function countPassQueries(db: Database): { count(): number; stop(): void } {
  let count = 0;
  const listener = (query: { sql: string }) => {
    if (query.sql.includes("sticker_passes")) count += 1;
  };
  db.on("query", listener);
  return { count: () => count, stop: () => void db.off("query", listener) };
}

/** The ground truth: the predicate on the stored row. */
async function activeInDatabase(db: Database, userId: number, at: number): Promise<boolean> {
  const row = await db("sticker_passes").where({ user_id: userId }).andWhere("starts_at", "<=", at).andWhere("expires_at", ">", at).first("user_id");
  return row !== undefined;
}

describe("StickerManager.hasActivePass from memory (real SQLite)", function () {
  this.timeout(60_000);
  let temp: ReturnType<typeof createTempDirectory>;
  let db: Database;
  let clock: ManualClock;
  let manager: StickerManager;

  beforeEach(async () => {
    temp = createTempDirectory("sb-stk-view-");
    db = await openDatabase(path.join(temp.dir, "db.sqlite"));
    await migrateDatabase(db);
    clock = new ManualClock(Date.UTC(2026, 0, 1));
    manager = new StickerManager({ db, clock, logger: createSilentLogger() });
  });
  afterEach(async () => {
    await db.destroy();
    temp.remove();
  });

  it("after the load, answers for users with and without a pass (now and up to 48 h back) cost no query", async () => {
    const now = clock.now();
    // Rows written before the manager loads (as a previous run of the daemon left them).
    await db("sticker_passes").insert([
      { user_id: 1, starts_at: now - 3_600_000, expires_at: now + 3_600_000, source: "purchase", updated_at: now },
      { user_id: 2, starts_at: now - 7_200_000, expires_at: now - 3_600_000, source: "purchase", updated_at: now },
    ]);
    await manager.loadActivePasses();
    const queries = countPassQueries(db);
    expect(await manager.hasActivePass(1, now)).to.equal(true);
    expect(await manager.hasActivePass(2, now)).to.equal(false);
    expect(await manager.hasActivePass(2, now - 5_000_000)).to.equal(true);
    expect(await manager.hasActivePass(3, now)).to.equal(false);
    expect(await manager.hasActivePass(1, now + 3_600_000)).to.equal(false);
    expect(queries.count()).to.equal(0);
    // Further back than 48 h the memory does not reach: the database answers.
    expect(await manager.hasActivePass(1, now - 49 * 3_600_000)).to.equal(false);
    expect(queries.count()).to.equal(1);
    queries.stop();
  });

  it("loads on first use when nobody called loadActivePasses (one query, then none)", async () => {
    await manager.grantPass(4, 60, { source: "admin" });
    const queries = countPassQueries(db);
    const fresh = new StickerManager({ db, clock, logger: createSilentLogger() });
    expect(await Promise.all([fresh.hasActivePass(4), fresh.hasActivePass(5)])).to.deep.equal([true, false]);
    expect(queries.count()).to.equal(1);
    expect(await fresh.hasActivePass(4)).to.equal(true);
    expect(queries.count()).to.equal(1);
    queries.stop();
  });

  it("a grant inside the caller's transaction counts from its commit (before afterPassGranted), and never after a rollback", async () => {
    await manager.loadActivePasses();
    let asked: Promise<boolean> | undefined;
    await db.transaction(async (trx) => {
      await manager.grantPass(5, 60, { source: "purchase", trx });
      // Asked from outside while the purchase is still open: waits for the connection, then sees the commit.
      asked = manager.hasActivePass(5);
      await trx("users").count({ n: "*" });
    });
    // Committed: visible at once, before afterPassGranted ran.
    expect(await manager.hasActivePass(5)).to.equal(true);
    expect(await asked).to.equal(true);

    await db
      .transaction(async (trx) => {
        await manager.grantPass(6, 60, { source: "purchase", trx });
        asked = manager.hasActivePass(6);
        throw new Error("purchase failed");
      })
      .catch(() => undefined);
    expect(await manager.hasActivePass(6)).to.equal(false);
    expect(await asked).to.equal(false);

    // Once the transactions settled and were read back, memory answers again.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const queries = countPassQueries(db);
    expect(await manager.hasActivePass(5)).to.equal(true);
    expect(await manager.hasActivePass(6)).to.equal(false);
    expect(queries.count()).to.equal(0);
    queries.stop();
  });

  it("a revoke counts from its statement; an extension moves the end in memory; expiry needs no sweep", async () => {
    await manager.loadActivePasses();
    await manager.grantPass(7, 60, { source: "admin" });
    await manager.grantPass(7, 60, { source: "admin" });
    const queries = countPassQueries(db);
    expect(await manager.hasActivePass(7, clock.now() + 119_999)).to.equal(true);
    expect(await manager.hasActivePass(7, clock.now() + 120_000)).to.equal(false);
    expect(queries.count()).to.equal(0);
    clock.advance(1_000);
    const revoking = manager.revokePass(7);
    // Asked while the revoke is in flight: the database answers, after the revoke's statement.
    const askedDuring = manager.hasActivePass(7);
    expect(await revoking).to.equal(true);
    expect(await askedDuring).to.equal(false);
    const before = queries.count();
    expect(await manager.hasActivePass(7)).to.equal(false);
    expect(queries.count()).to.equal(before);
    queries.stop();
  });

  it("matches the database at any time for any sequence of grants, revokes, sweeps and clock moves (≥100 runs)", async () => {
    type Step = { kind: "grant"; userId: number; seconds: number } | { kind: "revoke"; userId: number } | { kind: "advance"; milliseconds: number } | { kind: "sweep" };
    const step: fc.Arbitrary<Step> = fc.oneof(
      fc.record({ kind: fc.constant("grant" as const), userId: fc.constantFrom(1, 2, 3), seconds: fc.integer({ min: 1, max: 200_000 }) }),
      fc.record({ kind: fc.constant("revoke" as const), userId: fc.constantFrom(1, 2, 3) }),
      fc.record({ kind: fc.constant("advance" as const), milliseconds: fc.integer({ min: 0, max: 30 * 3_600_000 }) }),
      fc.record({ kind: fc.constant("sweep" as const) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 25 }), fc.array(fc.integer({ min: -60 * 3_600_000, max: 3_600_000 }), { minLength: 3, maxLength: 6 }), async (steps, offsets) => {
        await db("sticker_passes").delete();
        await db("sticker_pass_sweeps").update({ processed_until: 0 });
        clock.set(Date.UTC(2026, 0, 1));
        const subject = new StickerManager({ db, clock, logger: createSilentLogger() });
        await subject.loadActivePasses();
        for (const action of steps) {
          if (action.kind === "grant") await subject.grantPass(action.userId, action.seconds, { source: "purchase" });
          else if (action.kind === "revoke") await subject.revokePass(action.userId);
          else if (action.kind === "advance") clock.advance(action.milliseconds);
          else await subject.cleanupExpiredPasses(clock.now());
          for (const userId of [1, 2, 3, 4]) {
            for (const offset of offsets) {
              const at = clock.now() + offset;
              expect(await subject.hasActivePass(userId, at), `user ${userId} at now${offset >= 0 ? "+" : ""}${offset}`).to.equal(await activeInDatabase(db, userId, at));
            }
          }
        }
      }),
      { numRuns: 100 },
    );
  });
});
