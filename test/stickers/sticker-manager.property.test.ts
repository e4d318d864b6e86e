import { expect } from "chai";
import fc from "fast-check";
import path from "node:path";
import { type Database, migrateDatabase, openDatabase } from "../../src/database/open-database.js";
import { createSilentLogger } from "../../src/logging/logger.js";
import { StickerManager } from "../../src/stickers/sticker-manager.js";
import { ManualClock } from "../../src/time/clock.js";
import { createTempDirectory } from "../support/daemon-process.js";

type Action =
  | { kind: "grant"; userId: number; seconds: number }
  | { kind: "advance"; milliseconds: number }
  | { kind: "revoke"; userId: number }
  | { kind: "cleanup" };

interface ModelPass {
  startsAt: number;
  expiresAt: number;
  processed: boolean;
}

const USERS = [1, 2, 3];

const actionArbitrary: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ kind: fc.constant("grant" as const), userId: fc.constantFrom(...USERS), seconds: fc.integer({ min: 1, max: 600 }) }),
  fc.record({ kind: fc.constant("advance" as const), milliseconds: fc.integer({ min: 0, max: 900_000 }) }),
  fc.record({ kind: fc.constant("revoke" as const), userId: fc.constantFrom(...USERS) }),
  fc.record({ kind: fc.constant("cleanup" as const) }),
);

describe("StickerManager (property tests against a model, real SQLite)", function () {
  this.timeout(120_000);
  let temp: ReturnType<typeof createTempDirectory>;
  let db: Database;
  let clock: ManualClock;
  let manager: StickerManager;

  before(async () => {
    temp = createTempDirectory("stickers-prop-");
    db = await openDatabase(path.join(temp.dir, "test.sqlite"));
    await migrateDatabase(db);
    clock = new ManualClock();
    manager = new StickerManager({ db, clock, logger: createSilentLogger() });
  });
  after(async () => {
    await db.destroy();
    temp.remove();
  });
  const reset = async () => {
    await db("sticker_passes").delete();
    await db("sticker_deletions").delete();
    await db("sticker_pass_sweeps").update({ processed_until: 0 });
    clock.set(Date.UTC(2026, 0, 1));
    // The rows were deleted behind the manager's back: a new one (its memory of the passes starts empty).
    manager = new StickerManager({ db, clock, logger: createSilentLogger() });
  };

  it("grant / extend / revoke / expire follow the model (≥100 runs)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(actionArbitrary, { minLength: 1, maxLength: 30 }), async (actions) => {
        await reset();
        const model = new Map<number, ModelPass>();
        const active = (pass: ModelPass | undefined, at: number) => pass !== undefined && pass.startsAt <= at && at < pass.expiresAt;
        for (const action of actions) {
          const now = clock.now();
          switch (action.kind) {
            case "grant": {
              const before = model.get(action.userId);
              const wasActive = active(before, now);
              const next: ModelPass = wasActive
                ? { startsAt: before!.startsAt, expiresAt: before!.expiresAt + action.seconds * 1000, processed: false }
                : { startsAt: now, expiresAt: now + action.seconds * 1000, processed: false };
              model.set(action.userId, next);
              const grant = await manager.grantPass(action.userId, action.seconds, { source: "admin", grantedBy: 9 });
              expect(grant).to.deep.equal({ startsAt: next.startsAt, expiresAt: next.expiresAt, extended: wasActive });
              break;
            }
            case "advance":
              clock.advance(action.milliseconds);
              break;
            case "revoke": {
              const pass = model.get(action.userId);
              const wasActive = active(pass, now);
              if (wasActive) model.set(action.userId, { ...pass!, expiresAt: now, processed: true });
              expect(await manager.revokePass(action.userId, 9)).to.equal(wasActive);
              break;
            }
            case "cleanup": {
              let expected = 0;
              for (const pass of model.values()) {
                if (!pass.processed && pass.expiresAt <= now) {
                  pass.processed = true;
                  expected += 1;
                }
              }
              expect(await manager.cleanupExpiredPasses(now)).to.equal(expected);
              break;
            }
          }
          const at = clock.now();
          for (const userId of USERS) {
            const pass = model.get(userId);
            expect(await manager.hasActivePass(userId, at), `user ${userId} at ${at}`).to.equal(active(pass, at));
            const stored = await manager.getPass(userId);
            if (pass === undefined) expect(stored).to.equal(undefined);
            else {
              expect(stored?.startsAt).to.equal(pass.startsAt);
              expect(stored?.expiresAt).to.equal(pass.expiresAt);
              expect(stored?.endProcessed).to.equal(pass.processed);
            }
          }
          const listed = (await manager.listActivePasses(at)).map((pass) => pass.userId).sort();
          expect(listed).to.deep.equal(USERS.filter((userId) => active(model.get(userId), at)));
          expect(await manager.countActivePasses(at)).to.equal(listed.length);
          const pending = [...model.values()].filter((pass) => !pass.processed).map((pass) => pass.expiresAt);
          expect(await manager.nextExpiryAt()).to.equal(pending.length === 0 ? null : Math.min(...pending));
        }
      }),
      { numRuns: 100 },
    );
  });

  it("no pass is ever active at or after its end, and always active inside [start, end) (≥100 runs)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ gap: fc.integer({ min: 0, max: 100_000 }), seconds: fc.integer({ min: 1, max: 100 }) }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.integer({ min: -5_000, max: 5_000 }), { minLength: 1, maxLength: 10 }),
        async (grants, probes) => {
          await reset();
          for (const { gap, seconds } of grants) {
            clock.advance(gap);
            await manager.grantPass(7, seconds, { source: "purchase" });
          }
          const pass = (await manager.getPass(7))!;
          for (const offset of probes) {
            expect(await manager.hasActivePass(7, pass.expiresAt + Math.abs(offset))).to.equal(false);
            const inside = pass.startsAt + (Math.abs(offset) % (pass.expiresAt - pass.startsAt));
            expect(await manager.hasActivePass(7, inside)).to.equal(true);
          }
          // Even before the expiry was processed, the pass is not listed after its end.
          expect(await manager.listActivePasses(pass.expiresAt)).to.deep.equal([]);
          expect(await manager.cleanupExpiredPasses(pass.expiresAt)).to.equal(1);
          expect(await manager.hasActivePass(7, pass.expiresAt)).to.equal(false);
        },
      ),
      { numRuns: 100 },
    );
  });

  it("extending an active pass adds exactly the granted time to its end (≥100 runs)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 86_400 }), { minLength: 1, maxLength: 10 }),
        fc.array(fc.double({ min: 0, max: 0.999, noNaN: true }), { minLength: 10, maxLength: 10 }),
        async (durations, gapFractions) => {
          await reset();
          const start = clock.now();
          let end = start;
          for (const [index, seconds] of durations.entries()) {
            if (index > 0) {
              // The next grant comes while the pass is still running.
              const remaining = end - clock.now();
              clock.advance(Math.floor(remaining * gapFractions[index]));
            }
            const grant = await manager.grantPass(42, seconds, { source: index % 2 === 0 ? "purchase" : "admin" });
            end += seconds * 1000;
            expect(grant.startsAt).to.equal(start);
            expect(grant.expiresAt).to.equal(end);
            expect(grant.extended).to.equal(index > 0);
          }
          const total = durations.reduce((sum, seconds) => sum + seconds, 0);
          expect((await manager.getPass(42))!.expiresAt - start).to.equal(total * 1000);
        },
      ),
      { numRuns: 100 },
    );
  });

  it("a grant inside a caller's transaction is rolled back with it and has no side effects until afterPassGranted", async () => {
    await reset();
    const events: number[] = [];
    const withEvents = new StickerManager({ db, clock, logger: createSilentLogger() });
    withEvents.addListener({ passStarted: (userId) => void events.push(userId) });
    await db
      .transaction(async (trx) => {
        await withEvents.grantPass(5, 60, { source: "purchase", trx });
        throw new Error("purchase failed");
      })
      .catch(() => undefined);
    expect(await withEvents.getPass(5)).to.equal(undefined);
    expect(events).to.deep.equal([]);
    await db.transaction((trx) => withEvents.grantPass(5, 60, { source: "purchase", trx }));
    expect(events).to.deep.equal([]);
    await withEvents.afterPassGranted(5);
    expect(events).to.deep.equal([5]);
    expect(await withEvents.hasActivePass(5)).to.equal(true);
  });

  it("a grant cancels the user's pending sticker deletions in the same transaction", async () => {
    await reset();
    const now = clock.now();
    await db("sticker_deletions").insert([
      { chat_id: -1, message_id: 1, user_id: 8, kind: "sticker", sent_at: now, due_at: now + 120_000, status: "pending", created_at: now },
      { chat_id: -1, message_id: 2, user_id: 8, kind: "notice", sent_at: now, due_at: now + 60_000, status: "pending", created_at: now },
      { chat_id: -1, message_id: 3, user_id: 9, kind: "sticker", sent_at: now, due_at: now + 120_000, status: "pending", created_at: now },
    ]);
    await manager.grantPass(8, 60, { source: "admin" });
    const rows = await db("sticker_deletions").orderBy("message_id").select("message_id", "status");
    expect(rows).to.deep.equal([
      { message_id: 1, status: "cancelled" },
      { message_id: 2, status: "pending" },
      { message_id: 3, status: "pending" },
    ]);
  });

  it("rejects a non-positive duration with the user in the message", async () => {
    let error: unknown;
    try {
      await manager.grantPass(3, 0, { source: "admin" });
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(RangeError);
    expect((error as Error).message).to.equal("grantPass: seconds must be a positive number (got 0) for user 3");
  });
});
