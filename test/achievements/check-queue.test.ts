import { expect } from "chai";
import fc from "fast-check";
import { ACHIEVEMENT_CONDITIONS, type AchievementCondition } from "../../src/achievements/achievement-conditions.js";
import { CheckQueue, type CheckQueueOptions, type PendingCheck } from "../../src/achievements/check-queue.js";
import { type Deferred, deferred, flush, track } from "../support/deferred.js";



const conditions = (...list: AchievementCondition[]) => new Set<AchievementCondition>(list);
const measured = (entries: Array<[AchievementCondition, number]>) => new Map<AchievementCondition, number>(entries);

/** A plain, comparable copy of a check (the queue's objects are live). */
function plain(check: PendingCheck): { conditions: AchievementCondition[]; chatId: number | null; measured: Array<[AchievementCondition, number]> } {
  return {
    conditions: [...check.conditions].sort(),
    chatId: check.chatId,
    measured: [...check.measured].sort(([a], [b]) => a.localeCompare(b)),
  };
}

interface Run {
  userId: number;
  check: PendingCheck;
  /** What the check held when the run started. */
  atStart: ReturnType<typeof plain>;
  deferred: Deferred;
  finished: boolean;
}

/**
 * A queue whose `run` waits for a deferred per run (in start order), so a
 * test decides when each check ends.
 */
class Harness {
  readonly runs: Run[] = [];
  readonly errors: Array<{ error: unknown; userId: number }> = [];
  readonly queue: CheckQueue;
  maxRunning = 0;

  constructor(options: Partial<CheckQueueOptions> = {}) {
    this.queue = new CheckQueue({
      run: (userId, check) => {
        const run: Run = { userId, check, atStart: plain(check), deferred: deferred(), finished: false };
        this.runs.push(run);
        this.maxRunning = Math.max(this.maxRunning, this.running().length);
        return run.deferred.promise.finally(() => {
          run.finished = true;
        });
      },
      onError: (error, userId) => {
        this.errors.push({ error, userId });
      },
      ...options,
    });
  }

  /** Users of the runs started so far, in start order. */
  started(): number[] {
    return this.runs.map((run) => run.userId);
  }

  /** Runs started and not finished, in start order. */
  running(): Run[] {
    return this.runs.filter((run) => !run.finished);
  }

  async finish(index: number): Promise<void> {
    this.runs[index].deferred.resolve();
    await flush();
  }

  async fail(index: number, error: unknown): Promise<void> {
    this.runs[index].deferred.reject(error);
    await flush();
  }
}

describe("CheckQueue", () => {
  describe("concurrency and order", () => {
    for (const concurrency of [1, 2, 3]) {
      it(`runs at most ${concurrency} check(s) at once and starts waiting ones in order of first add (concurrency ${concurrency})`, async () => {
        const harness = new Harness({ concurrency });
        const users = [11, 12, 13, 14, 15, 16, 17];
        for (const userId of users) harness.queue.add(userId, conditions("earned_at_least"), -1);
        await flush();
        expect(harness.started()).to.deep.equal(users.slice(0, concurrency));
        expect(harness.queue.size).to.equal(users.length);

        // Free the slots out of start order: the most recently started run first.
        let done = 0;
        while (done < users.length) {
          const running = harness.running();
          const newest = harness.runs.indexOf(running[running.length - 1]);
          await harness.finish(newest);
          done += 1;
          const startedCount = Math.min(users.length, concurrency + done);
          expect(harness.started(), `after ${done} finished`).to.deep.equal(users.slice(0, startedCount));
          expect(harness.running(), `after ${done} finished`).to.have.length(Math.min(concurrency, users.length - done));
          expect(harness.queue.size).to.equal(users.length - done);
        }
        expect(harness.maxRunning).to.equal(concurrency);
        expect(harness.errors).to.deep.equal([]);
      });
    }

    it("runs two checks at once by default", async () => {
      const harness = new Harness();
      for (const userId of [1, 2, 3, 4]) harness.queue.add(userId, conditions("balance_at_least"), null);
      await flush();
      expect(harness.started()).to.deep.equal([1, 2]);
      await harness.finish(1);
      expect(harness.started()).to.deep.equal([1, 2, 3]);
      expect(harness.running().map((run) => run.userId)).to.deep.equal([1, 3]);
      expect(harness.maxRunning).to.equal(2);
    });

    for (const concurrency of [0, -5]) {
      it(`treats a concurrency of ${concurrency} as 1`, async () => {
        const harness = new Harness({ concurrency });
        for (const userId of [1, 2, 3]) harness.queue.add(userId, conditions("earned_at_least"), null);
        await flush();
        expect(harness.started()).to.deep.equal([1]);
        await harness.finish(0);
        expect(harness.started()).to.deep.equal([1, 2]);
        await harness.finish(1);
        expect(harness.started()).to.deep.equal([1, 2, 3]);
        await harness.finish(2);
        expect(harness.maxRunning).to.equal(1);
        expect(harness.queue.size).to.equal(0);
      });
    }

    it("keeps a waiting user's place when the user is added again", async () => {
      const harness = new Harness({ concurrency: 1 });
      harness.queue.add(1, conditions("earned_at_least"), null);
      harness.queue.add(2, conditions("earned_at_least"), null);
      harness.queue.add(3, conditions("earned_at_least"), null);
      harness.queue.add(2, conditions("purchases_at_least"), null);
      harness.queue.add(4, conditions("earned_at_least"), null);
      for (let index = 0; index < 4; index += 1) await harness.finish(index);
      expect(harness.started()).to.deep.equal([1, 2, 3, 4]);
      expect(harness.runs[1].atStart.conditions).to.deep.equal(["earned_at_least", "purchases_at_least"]);
    });

    it("puts a user added again after their check started at the back of the line", async () => {
      const harness = new Harness({ concurrency: 1 });
      harness.queue.add(1, conditions("earned_at_least"), null);
      harness.queue.add(2, conditions("earned_at_least"), null);
      await flush();
      harness.queue.add(1, conditions("balance_at_least"), null);
      harness.queue.add(3, conditions("earned_at_least"), null);
      for (let index = 0; index < 4; index += 1) await harness.finish(index);
      expect(harness.started()).to.deep.equal([1, 2, 1, 3]);
      expect(harness.runs[2].atStart.conditions).to.deep.equal(["balance_at_least"]);
    });
  });

  describe("merging the adds of a waiting user", () => {
    it("makes one run with the union of the conditions, the merged measured values (later wins) and the chat id", async () => {
      const harness = new Harness({ concurrency: 1 });
      harness.queue.add(99, conditions("parsed_wins_at_least"), null); // holds the only slot
      harness.queue.add(
        1,
        conditions("earned_at_least", "balance_at_least"),
        -100,
        measured([
          ["earned_at_least", 5],
          ["balance_at_least", 7],
        ]),
      );
      harness.queue.add(
        1,
        conditions("balance_at_least", "purchases_at_least"),
        null,
        measured([
          ["balance_at_least", 8],
          ["purchases_at_least", 1],
        ]),
      );
      await flush();
      expect(harness.queue.size).to.equal(2);
      await harness.finish(0);
      await harness.finish(1);

      expect(harness.started()).to.deep.equal([99, 1]);
      expect(harness.runs[1].atStart).to.deep.equal({
        conditions: ["balance_at_least", "earned_at_least", "purchases_at_least"],
        chatId: -100,
        measured: [
          ["balance_at_least", 8],
          ["earned_at_least", 5],
          ["purchases_at_least", 1],
        ],
      });
      expect(harness.queue.size).to.equal(0);
    });

    it("lets a later non-null chat id replace an earlier one, and never lets null overwrite one", async () => {
      const harness = new Harness({ concurrency: 1 });
      harness.queue.add(99, conditions("parsed_wins_at_least"), null); // holds the only slot
      // User 1: null, then -1, then null → -1.
      harness.queue.add(1, conditions("earned_at_least"), null);
      harness.queue.add(1, conditions("earned_at_least"), -1);
      harness.queue.add(1, conditions("earned_at_least"), null);
      // User 2: -1, then -2 → -2.
      harness.queue.add(2, conditions("earned_at_least"), -1);
      harness.queue.add(2, conditions("earned_at_least"), -2);
      // User 3: only nulls → null.
      harness.queue.add(3, conditions("earned_at_least"), null);
      harness.queue.add(3, conditions("earned_at_least"), null);
      // User 4: a private chat (positive id) after a group → the private chat.
      harness.queue.add(4, conditions("earned_at_least"), -1);
      harness.queue.add(4, conditions("earned_at_least"), 4);
      for (let index = 0; index < 5; index += 1) await harness.finish(index);

      expect(harness.started()).to.deep.equal([99, 1, 2, 3, 4]);
      expect(harness.runs.slice(1).map((run) => run.atStart.chatId)).to.deep.equal([-1, -2, null, 4]);
    });

    it("keeps the measured values when a later add has none", async () => {
      const harness = new Harness({ concurrency: 1 });
      harness.queue.add(99, conditions("parsed_wins_at_least"), null);
      harness.queue.add(1, conditions("earned_at_least"), -1, measured([["earned_at_least", 42]]));
      harness.queue.add(1, conditions("sticker_passes_at_least"), -1);
      harness.queue.add(1, conditions("activity_streak_at_least"), -1, new Map());
      await harness.finish(0);
      expect(harness.runs[1].atStart).to.deep.equal({
        conditions: ["activity_streak_at_least", "earned_at_least", "sticker_passes_at_least"],
        chatId: -1,
        measured: [["earned_at_least", 42]],
      });
    });

    it("gives a first add without measured values an empty map", async () => {
      const harness = new Harness();
      harness.queue.add(1, conditions("earned_at_least"), -1);
      await flush();
      expect(harness.runs[0].check.measured).to.be.instanceOf(Map);
      expect(harness.runs[0].atStart).to.deep.equal({ conditions: ["earned_at_least"], chatId: -1, measured: [] });
    });

    it("copies the caller's set and map (changing them after add changes nothing)", async () => {
      const harness = new Harness({ concurrency: 1 });
      harness.queue.add(99, conditions("parsed_wins_at_least"), null);
      const mine = conditions("earned_at_least");
      const values = measured([["earned_at_least", 1]]);
      harness.queue.add(1, mine, -1, values);
      mine.add("purchases_at_least");
      values.set("earned_at_least", 1000);
      values.set("purchases_at_least", 3);
      await harness.finish(0);
      expect(harness.runs[1].atStart).to.deep.equal({ conditions: ["earned_at_least"], chatId: -1, measured: [["earned_at_least", 1]] });
      expect([...mine].sort()).to.deep.equal(["earned_at_least", "purchases_at_least"]);
    });
  });

  describe("a user whose check is running", () => {
    it("gets a second, separate run after the first, with only the later add's values", async () => {
      const harness = new Harness({ concurrency: 1 });
      harness.queue.add(1, conditions("earned_at_least"), -1, measured([["earned_at_least", 10]]));
      await flush();
      expect(harness.started()).to.deep.equal([1]);

      harness.queue.add(1, conditions("purchases_at_least"), null, measured([["purchases_at_least", 2]]));
      await flush();
      expect(harness.started()).to.deep.equal([1]);
      expect(harness.queue.size).to.equal(2);
      // The running check did not take the new add in.
      expect(plain(harness.runs[0].check)).to.deep.equal({ conditions: ["earned_at_least"], chatId: -1, measured: [["earned_at_least", 10]] });

      await harness.finish(0);
      expect(harness.started()).to.deep.equal([1, 1]);
      expect(harness.runs[1].check).to.not.equal(harness.runs[0].check);
      // Not merged with the first: no chat id inherited from it.
      expect(harness.runs[1].atStart).to.deep.equal({ conditions: ["purchases_at_least"], chatId: null, measured: [["purchases_at_least", 2]] });
      await harness.finish(1);
      expect(harness.queue.size).to.equal(0);
    });

    it("merges further adds into the user's second, waiting check", async () => {
      const harness = new Harness({ concurrency: 1 });
      harness.queue.add(1, conditions("earned_at_least"), -1);
      await flush();
      harness.queue.add(1, conditions("purchases_at_least"), null);
      harness.queue.add(1, conditions("balance_at_least"), -2);
      expect(harness.queue.size).to.equal(2);
      await harness.finish(0);
      await harness.finish(1);
      expect(harness.started()).to.deep.equal([1, 1]);
      expect(harness.runs[1].atStart).to.deep.equal({ conditions: ["balance_at_least", "purchases_at_least"], chatId: -2, measured: [] });
      expect(harness.runs).to.have.length(2);
    });

    it("starts the second run at once when a slot is free (runs of one user are not serialized)", async () => {
      // The queue promises one waiting entry per user, not one running check per user:
      // with a free slot the user's next check runs next to the first one.
      const harness = new Harness({ concurrency: 2 });
      harness.queue.add(1, conditions("earned_at_least"), -1);
      await flush();
      harness.queue.add(1, conditions("purchases_at_least"), -1);
      await flush();
      expect(harness.started()).to.deep.equal([1, 1]);
      expect(harness.running()).to.have.length(2);
      expect(harness.runs[1].atStart.conditions).to.deep.equal(["purchases_at_least"]);
      expect(harness.queue.size).to.equal(2);
    });
  });

  describe("size", () => {
    it("is 0 for a new queue", () => {
      const harness = new Harness();
      expect(harness.queue.size).to.equal(0);
    });

    it("counts waiting and running checks through a scenario", async () => {
      const harness = new Harness({ concurrency: 2 });
      const sizes: number[] = [];
      const note = () => sizes.push(harness.queue.size);

      harness.queue.add(1, conditions("earned_at_least"), null); // runs
      note();
      harness.queue.add(2, conditions("earned_at_least"), null); // runs
      note();
      harness.queue.add(3, conditions("earned_at_least"), null); // waits
      note();
      harness.queue.add(3, conditions("balance_at_least"), null); // merged into 3
      note();
      harness.queue.add(1, conditions("balance_at_least"), null); // 1 is running: a second entry
      note();
      await flush();
      note();
      await harness.finish(0); // user 1 done → 3 starts; waiting: 1
      note();
      await harness.fail(1, new Error("boom")); // user 2 failed → 1 starts; waiting: none
      note();
      await harness.finish(2); // user 3 done
      note();
      await harness.finish(3); // user 1 (second) done
      note();

      expect(sizes).to.deep.equal([1, 2, 3, 3, 4, 4, 3, 2, 1, 0]);
      expect(harness.started()).to.deep.equal([1, 2, 3, 1]);
    });
  });

  describe("idle", () => {
    it("resolves immediately when nothing waits or runs", async () => {
      const harness = new Harness();
      const idle = track(harness.queue.idle());
      await Promise.resolve();
      expect(idle.settled).to.equal(true);
    });

    it("resolves immediately again once every check is done", async () => {
      const harness = new Harness();
      harness.queue.add(1, conditions("earned_at_least"), null);
      await harness.finish(0);
      const idle = track(harness.queue.idle());
      await Promise.resolve();
      expect(idle.settled).to.equal(true);
    });

    it("resolves only after the last check finished, including checks added while it waited", async () => {
      const harness = new Harness({ concurrency: 1 });
      harness.queue.add(1, conditions("earned_at_least"), null);
      harness.queue.add(2, conditions("earned_at_least"), null);
      const first = track(harness.queue.idle());
      const second = track(harness.queue.idle());

      await harness.finish(0);
      expect(first.settled).to.equal(false);
      harness.queue.add(3, conditions("earned_at_least"), null);
      harness.queue.add(2, conditions("balance_at_least"), null); // 2 is running: another check
      const third = track(harness.queue.idle());
      await flush();

      for (const index of [1, 2]) {
        await harness.finish(index);
        expect(first.settled, `after run ${index}`).to.equal(false);
        expect(third.settled, `after run ${index}`).to.equal(false);
      }
      expect(harness.started()).to.deep.equal([1, 2, 3, 2]);
      await harness.finish(3);
      expect(first.settled).to.equal(true);
      expect(second.settled).to.equal(true);
      expect(third.settled).to.equal(true);
      expect(harness.queue.size).to.equal(0);
    });

    it("resolves when the last check fails", async () => {
      const harness = new Harness();
      harness.queue.add(1, conditions("earned_at_least"), null);
      const idle = track(harness.queue.idle());
      await harness.fail(0, new Error("boom"));
      expect(idle.settled).to.equal(true);
      expect(harness.errors).to.have.length(1);
    });

    it("waits again for checks added after the queue was idle", async () => {
      const harness = new Harness();
      harness.queue.add(1, conditions("earned_at_least"), null);
      const before = track(harness.queue.idle());
      await harness.finish(0);
      expect(before.settled).to.equal(true);

      harness.queue.add(2, conditions("earned_at_least"), null);
      const after = track(harness.queue.idle());
      await flush();
      expect(after.settled).to.equal(false);
      await harness.finish(1);
      expect(after.settled).to.equal(true);
    });
  });

  describe("errors", () => {
    it("passes a rejection of run to onError with the user id and runs the next check", async () => {
      const harness = new Harness({ concurrency: 1 });
      harness.queue.add(7, conditions("earned_at_least"), null);
      harness.queue.add(8, conditions("earned_at_least"), null);
      const boom = new Error("boom");
      await harness.fail(0, boom);
      expect(harness.errors).to.have.length(1);
      expect(harness.errors[0].error).to.equal(boom);
      expect(harness.errors[0].userId).to.equal(7);
      expect(harness.started()).to.deep.equal([7, 8]);
      await harness.finish(1);
      expect(harness.errors).to.have.length(1);
      expect(harness.queue.size).to.equal(0);
    });

    it("passes a rejection with a value that is not an Error as it is", async () => {
      const harness = new Harness();
      harness.queue.add(7, conditions("earned_at_least"), null);
      const reason = { code: 42 };
      await harness.fail(0, reason);
      expect(harness.errors).to.have.length(1);
      expect(harness.errors[0].error).to.equal(reason);
      expect(harness.errors[0].userId).to.equal(7);
    });

    it("catches a run that throws synchronously, without add throwing, and goes on", async () => {
      const errors: Array<{ error: unknown; userId: number }> = [];
      const ran: number[] = [];
      const boom = new Error("sync");
      const queue = new CheckQueue({
        concurrency: 1,
        run: (userId) => {
          if (userId === 2) throw boom;
          ran.push(userId);
          return Promise.resolve();
        },
        onError: (error, userId) => {
          errors.push({ error, userId });
        },
      });
      expect(() => {
        queue.add(1, conditions("earned_at_least"), null);
        queue.add(2, conditions("earned_at_least"), null);
        queue.add(3, conditions("earned_at_least"), null);
      }).to.not.throw();
      await queue.idle();
      expect(errors).to.have.length(1);
      expect(errors[0].error).to.equal(boom);
      expect(errors[0].userId).to.equal(2);
      expect(ran).to.deep.equal([1, 3]);
      expect(queue.size).to.equal(0);

      // Later checks still run, for the failed user too.
      queue.add(2, conditions("balance_at_least"), null);
      queue.add(4, conditions("earned_at_least"), null);
      await queue.idle();
      expect(errors.map((entry) => entry.userId)).to.deep.equal([2, 2]);
      expect(ran).to.deep.equal([1, 3, 4]);
    });

    it("frees the slot of a failed check for the next waiting one", async () => {
      const harness = new Harness({ concurrency: 2 });
      for (const userId of [1, 2, 3, 4]) harness.queue.add(userId, conditions("earned_at_least"), null);
      await harness.fail(1, new Error("second"));
      expect(harness.started()).to.deep.equal([1, 2, 3]);
      await harness.fail(0, new Error("first"));
      expect(harness.started()).to.deep.equal([1, 2, 3, 4]);
      expect(harness.errors.map((entry) => [String(entry.error), entry.userId])).to.deep.equal([
        ["Error: second", 2],
        ["Error: first", 1],
      ]);
      expect(harness.queue.size).to.equal(2);
      expect(harness.maxRunning).to.equal(2);
    });
  });

  describe("property: every add covered by exactly one later run, bounded concurrency, ends idle", () => {
    const CONDITIONS = ACHIEVEMENT_CONDITIONS;

    type Step =
      | { kind: "add"; userId: number; conditions: AchievementCondition[]; chat: boolean; measured: AchievementCondition[] }
      | { kind: "settle"; pick: number; fail: boolean; flush: boolean };

    const step: fc.Arbitrary<Step> = fc.oneof(
      fc.record({
        kind: fc.constant("add" as const),
        userId: fc.integer({ min: 1, max: 4 }),
        conditions: fc.subarray([...CONDITIONS], { minLength: 1 }),
        chat: fc.boolean(),
        measured: fc.subarray([...CONDITIONS]),
      }),
      fc.record({
        kind: fc.constant("settle" as const),
        pick: fc.nat(),
        fail: fc.boolean(),
        flush: fc.boolean(),
      }),
    );

    interface Added {
      index: number;
      userId: number;
      conditions: AchievementCondition[];
      chatId: number | null;
      measured: Map<AchievementCondition, number>;
    }

    it("holds for random adds over a few users interleaved with random completions", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(step, { minLength: 1, maxLength: 60 }),
          fc.integer({ min: 1, max: 4 }),
          fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }),
          async (steps, concurrency, throwsAt) => {
            /** Adds no run has taken yet, in add order. */
            const pending: Added[] = [];
            /** For each add (by index): the runs that took it. */
            const coveredBy = new Map<number, number[]>();
            const runs: Array<{ index: number; userId: number; deferred: Deferred; check: PendingCheck; atStart: ReturnType<typeof plain> }> = [];
            const settled = new Set<number>();
            const syncErrors = new Set<unknown>();
            const errors: Array<{ error: unknown; userId: number }> = [];
            const expectedErrors: Array<{ error: unknown; userId: number }> = [];
            /** Checks the queue counts as running: from the start of run until its result reached the queue. */
            let running = 0;
            let maxRunning = 0;

            const queue = new CheckQueue({
              concurrency,
              run: (userId, check) => {
                const runIndex = runs.length;
                // FIFO of first add: the user whose oldest untaken add is the oldest of all.
                expect(pending.length, "a run without a pending add").to.be.greaterThan(0);
                expect(userId, "start order").to.equal(pending[0].userId);
                // This run takes every add of the user since the user's previous run started.
                const mine = pending.filter((added) => added.userId === userId);
                for (const added of mine) {
                  pending.splice(pending.indexOf(added), 1);
                  coveredBy.set(added.index, [...(coveredBy.get(added.index) ?? []), runIndex]);
                }
                // ...and its check is exactly their merge.
                const union = new Set<AchievementCondition>();
                const values = new Map<AchievementCondition, number>();
                let chatId: number | null = null;
                for (const added of mine) {
                  for (const condition of added.conditions) union.add(condition);
                  for (const [condition, value] of added.measured) values.set(condition, value);
                  if (added.chatId !== null) chatId = added.chatId;
                }
                const atStart = plain(check);
                expect(atStart).to.deep.equal(plain({ conditions: union, chatId, measured: values }));

                const entry = { index: runIndex, userId, deferred: deferred(), check, atStart };
                runs.push(entry);
                running += 1;
                maxRunning = Math.max(maxRunning, running);
                if (throwsAt[runIndex % throwsAt.length]) {
                  settled.add(runIndex);
                  const error = new Error(`sync ${runIndex}`);
                  syncErrors.add(error);
                  expectedErrors.push({ error, userId });
                  throw error;
                }
                return entry.deferred.promise.finally(() => {
                  running -= 1;
                });
              },
              onError: (error, userId) => {
                errors.push({ error, userId });
                if (syncErrors.has(error)) running -= 1;
              },
            });

            let addCount = 0;
            for (const item of steps) {
              if (item.kind === "add") {
                const index = addCount;
                addCount += 1;
                const added: Added = {
                  index,
                  userId: item.userId,
                  conditions: item.conditions,
                  chatId: item.chat ? -(index + 1) : null,
                  measured: new Map(item.measured.map((condition, i) => [condition, index * 10 + i])),
                };
                pending.push(added);
                queue.add(added.userId, new Set(added.conditions), added.chatId, added.measured);
              } else {
                const open = runs.filter((entry) => !settled.has(entry.index));
                if (open.length > 0) {
                  const entry = open[item.pick % open.length];
                  settled.add(entry.index);
                  if (item.fail) {
                    const error = new Error(`async ${entry.index}`);
                    expectedErrors.push({ error, userId: entry.userId });
                    entry.deferred.reject(error);
                  } else {
                    entry.deferred.resolve();
                  }
                }
                if (item.flush) await flush();
              }
              expect(running).to.be.at.most(concurrency);
              if (item.kind === "add" || item.flush) {
                const waitingUsers = new Set(pending.map((added) => added.userId)).size;
                // Work conserving: while a check waits, every slot is taken.
                if (waitingUsers > 0) expect(running, "a free slot while a check waits").to.equal(concurrency);
                expect(queue.size).to.equal(waitingUsers + running);
              }
            }

            // Drain: finish everything still running, including checks started while draining.
            const idle = track(queue.idle());
            for (let guard = 0; guard < 1000; guard += 1) {
              await flush();
              const open = runs.filter((entry) => !settled.has(entry.index));
              if (open.length === 0) break;
              for (const entry of open) {
                settled.add(entry.index);
                entry.deferred.resolve();
              }
            }
            await flush();

            expect(idle.settled, "idle resolved").to.equal(true);
            expect(queue.size).to.equal(0);
            expect(running).to.equal(0);
            expect(pending, "adds never run").to.deep.equal([]);
            for (let index = 0; index < addCount; index += 1) {
              expect(coveredBy.get(index), `runs covering add ${index}`).to.have.length(1);
            }
            expect(maxRunning).to.be.at.most(concurrency);
            // A started check is never changed by later adds.
            for (const entry of runs) expect(plain(entry.check), `run ${entry.index}`).to.deep.equal(entry.atStart);
            const byMessage = (list: Array<{ error: unknown; userId: number }>) =>
              list.map((entry) => [(entry.error as Error).message, entry.userId]).sort(([a], [b]) => String(a).localeCompare(String(b)));
            expect(byMessage(errors)).to.deep.equal(byMessage(expectedErrors));
          },
        ),
        { numRuns: 300 },
      );
    });
  });

  it("survives an onError that throws, and treats a non-integer or NaN concurrency as its floor or 1", async () => {
    const runs: number[] = [];
    const throwing = new CheckQueue({
      run: async (userId) => {
        runs.push(userId);
        throw new Error(`check ${userId} failed`);
      },
      onError: () => {
        throw new Error("the error handler failed too");
      },
    });
    throwing.add(1, new Set(), null);
    throwing.add(2, new Set(), null);
    await throwing.idle();
    expect(runs).to.deep.equal([1, 2]);
    expect(throwing.size).to.equal(0);

    for (const [concurrency, expected] of [[Number.NaN, 1], [1.5, 1], [2.9, 2]] as const) {
      let running = 0;
      let peak = 0;
      const queue = new CheckQueue({
        concurrency,
        run: async () => {
          running += 1;
          peak = Math.max(peak, running);
          await new Promise((resolve) => setImmediate(resolve));
          running -= 1;
        },
        onError: () => {},
      });
      for (let userId = 1; userId <= 5; userId += 1) queue.add(userId, new Set(), null);
      await queue.idle();
      expect(peak, String(concurrency)).to.equal(expected);
    }
  });
});
