import { expect } from "chai";
import fc from "fast-check";
import type { Update } from "grammy/types";
import { ChatOrderedSink, type ChatOrderedSinkOptions, updateChatKey } from "../../src/bot/chat-ordered-sink.js";
import { callbackQuery, editedTextMessage, groupChat, privateChat, textMessage, user } from "../support/updates.js";
import { type Deferred, deferred, flush, track } from "../support/deferred.js";


/** A text message update in chat `chatId` with an explicit update id. */
function inChat(chatId: number, updateId: number): Update {
  return textMessage({ chat: groupChat(chatId), update_id: updateId, text: `u${updateId}` });
}

/** An update that has neither a chat nor a sender. */
function pollUpdate(updateId: number): Update {
  return {
    update_id: updateId,
    poll: {
      id: `poll-${updateId}`,
      question: "?",
      options: [],
      total_voter_count: 0,
      is_closed: false,
      is_anonymous: true,
      type: "regular",
      allows_multiple_answers: false,
      allows_revoting: false,
      members_only: false,
    },
  };
}

/**
 * A sink whose `consume` waits for a deferred per update id. Deferreds are
 * created on demand, so a test may settle an update before or after it starts.
 */
class Harness {
  readonly started: number[] = [];
  readonly finished: number[] = [];
  readonly errors: Array<{ error: unknown; update: Update }> = [];
  /** Updates that started while an earlier update of their chat had not finished. */
  readonly orderViolations: number[] = [];
  readonly sink: ChatOrderedSink;
  private readonly deferreds = new Map<number, Deferred>();
  /** Update ids per chat key, in the order they were handed to the sink. */
  private readonly submittedByChat = new Map<number, number[]>();

  constructor(options: Partial<ChatOrderedSinkOptions> = {}) {
    this.sink = new ChatOrderedSink({
      capacity: 100,
      batchRoom: 100,
      consume: async (update) => {
        const id = update.update_id;
        this.checkOrder(update);
        this.started.push(id);
        try {
          await this.deferredOf(id).promise;
        } finally {
          this.finished.push(id);
        }
      },
      onError: (error, update) => {
        this.errors.push({ error, update });
      },
      ...options,
    });
  }

  handle(updates: Update[]): Promise<number> {
    for (const update of updates) {
      const key = updateChatKey(update);
      if (key === undefined) continue;
      const list = this.submittedByChat.get(key) ?? [];
      list.push(update.update_id);
      this.submittedByChat.set(key, list);
    }
    return this.sink.handle(updates);
  }

  deferredOf(id: number): Deferred {
    let found = this.deferreds.get(id);
    if (found === undefined) {
      found = deferred();
      this.deferreds.set(id, found);
    }
    return found;
  }

  async finish(id: number): Promise<void> {
    this.deferredOf(id).resolve();
    await flush();
  }

  async fail(id: number, error: unknown): Promise<void> {
    this.deferredOf(id).reject(error);
    await flush();
  }

  /** Started and not finished, in start order. */
  running(): number[] {
    return this.started.filter((id) => !this.finished.includes(id));
  }

  private checkOrder(update: Update): void {
    const key = updateChatKey(update);
    if (key === undefined) return;
    const list = this.submittedByChat.get(key) ?? [];
    const earlier = list.slice(0, list.indexOf(update.update_id));
    if (earlier.some((id) => !this.finished.includes(id))) this.orderViolations.push(update.update_id);
  }
}


describe("ChatOrderedSink", () => {
  describe("order within a chat", () => {
    it("runs the updates of each chat in order even when they are settled in scrambled order", async () => {
      const harness = new Harness();
      const chats = [-1, -2, -3];
      const updates: Update[] = [];
      // Interleaved: update ids 1..15, chat of id i is chats[(i - 1) % 3].
      for (let id = 1; id <= 15; id += 1) updates.push(inChat(chats[(id - 1) % 3], id));
      const idsOf = (chat: number) => updates.filter((u) => updateChatKey(u) === chat).map((u) => u.update_id);

      // Settle every update ahead of time in a scrambled order, half of them before handing them over.
      const scrambled = [14, 3, 9, 1, 15, 7, 12, 5, 2, 11, 8, 13, 4, 10, 6];
      for (const id of scrambled.slice(0, 7)) harness.deferredOf(id).resolve();
      void harness.handle(updates);
      for (const id of scrambled.slice(7)) await harness.finish(id);
      await harness.sink.idle();

      expect(harness.orderViolations).to.deep.equal([]);
      for (const chat of chats) {
        expect(harness.started.filter((id) => idsOf(chat).includes(id))).to.deep.equal(idsOf(chat));
        expect(harness.finished.filter((id) => idsOf(chat).includes(id))).to.deep.equal(idsOf(chat));
      }
      expect([...harness.started].sort((a, b) => a - b)).to.deep.equal(updates.map((u) => u.update_id));
    });

    it("does not start a chat's second update before its first one finished", async () => {
      const harness = new Harness();
      void harness.handle([inChat(-1, 1), inChat(-1, 2), inChat(-1, 3)]);
      await flush();
      expect(harness.started).to.deep.equal([1]);

      // Settling a later update first changes nothing: it has not started.
      harness.deferredOf(3).resolve();
      await harness.finish(2);
      expect(harness.started).to.deep.equal([1]);

      await harness.finish(1);
      // 2 and 3 were already settled: both run now, in order.
      expect(harness.started).to.deep.equal([1, 2, 3]);
      expect(harness.finished).to.deep.equal([1, 2, 3]);
      expect(harness.orderViolations).to.deep.equal([]);
    });

    it("keeps order for updates of a chat handed over in later batches while the chat is busy", async () => {
      const harness = new Harness();
      void harness.handle([inChat(-1, 1)]);
      void harness.handle([inChat(-1, 2)]);
      await flush();
      expect(harness.started).to.deep.equal([1]);
      await harness.finish(1);
      expect(harness.started).to.deep.equal([1, 2]);
      void harness.handle([inChat(-1, 3)]);
      await flush();
      expect(harness.started).to.deep.equal([1, 2]);
      await harness.finish(2);
      expect(harness.started).to.deep.equal([1, 2, 3]);
    });

    it("handles a long queue of one chat (past internal compaction) in order", async () => {
      const harness = new Harness();
      const updates: Update[] = [];
      for (let id = 1; id <= 200; id += 1) updates.push(inChat(-1, id));
      void harness.handle(updates);
      for (let id = 1; id <= 100; id += 1) await harness.finish(id);
      // More updates of the busy chat arrive after the queue was compacted.
      const more: Update[] = [];
      for (let id = 201; id <= 230; id += 1) more.push(inChat(-1, id));
      void harness.handle(more);
      expect(harness.sink.snapshot().map((u) => u.update_id)).to.deep.equal(
        Array.from({ length: 130 }, (_, i) => i + 101),
      );
      for (let id = 101; id <= 230; id += 1) await harness.finish(id);
      await harness.sink.idle();
      expect(harness.started).to.deep.equal(Array.from({ length: 230 }, (_, i) => i + 1));
      expect(harness.orderViolations).to.deep.equal([]);
    });
  });

  describe("concurrency across chats", () => {
    it("starts the first updates of different chats before either finishes", async () => {
      const harness = new Harness();
      void harness.handle([inChat(-1, 1), inChat(-1, 2), inChat(-2, 3), inChat(-2, 4)]);
      expect(harness.started).to.deep.equal([1, 3]);
      await flush();
      expect(harness.running()).to.deep.equal([1, 3]);
      expect(harness.finished).to.deep.equal([]);
    });

    it("lets one chat go on while another chat is blocked", async () => {
      const harness = new Harness();
      void harness.handle([inChat(-1, 1), inChat(-1, 2), inChat(-2, 3), inChat(-2, 4), inChat(-2, 5)]);
      await harness.finish(3);
      await harness.finish(4);
      await harness.finish(5);
      expect(harness.finished).to.deep.equal([3, 4, 5]);
      expect(harness.running()).to.deep.equal([1]);
    });
  });

  describe("capacity and batchRoom", () => {
    it("keeps handle pending while full and resolves with the free capacity once batchRoom slots are free", async () => {
      const harness = new Harness({ capacity: 10, batchRoom: 4 });
      const updates = Array.from({ length: 10 }, (_, i) => inChat(-(i + 1), i + 1));
      const handled = track(harness.handle(updates));
      await flush();
      expect(handled.settled).to.equal(false);

      await harness.finish(1);
      await harness.finish(2);
      await harness.finish(3);
      expect(harness.sink.size()).to.equal(7);
      expect(handled.settled).to.equal(false);

      await harness.finish(4);
      expect(harness.sink.size()).to.equal(6);
      expect(handled.settled).to.equal(true);
      expect(handled.value).to.equal(4);
    });

    it("resolves handle immediately with capacity minus pending when pending is at most capacity - batchRoom", async () => {
      const harness = new Harness({ capacity: 10, batchRoom: 4 });
      expect(await harness.handle([inChat(-1, 1), inChat(-2, 2)])).to.equal(8);
      expect(await harness.handle([inChat(-3, 3), inChat(-4, 4), inChat(-5, 5), inChat(-6, 6)])).to.equal(4);
      expect(harness.sink.size()).to.equal(6);
      expect(await harness.handle([])).to.equal(4);
    });

    it("resolves an empty handle with the whole capacity", async () => {
      const harness = new Harness({ capacity: 10, batchRoom: 4 });
      expect(await harness.handle([])).to.equal(10);
    });

    it("counts updates queued behind their chat against the capacity", async () => {
      const harness = new Harness({ capacity: 10, batchRoom: 4 });
      const updates = Array.from({ length: 7 }, (_, i) => inChat(-1, i + 1));
      const handled = track(harness.handle(updates));
      await flush();
      expect(harness.started).to.deep.equal([1]);
      expect(handled.settled).to.equal(false);
      await harness.finish(1);
      expect(handled.value).to.equal(4);
    });

    it("waits until the sink is empty when batchRoom is at least the capacity", async () => {
      const harness = new Harness({ capacity: 3, batchRoom: 100 });
      const handled = track(harness.handle([inChat(-1, 1), inChat(-2, 2)]));
      await harness.finish(1);
      expect(handled.settled).to.equal(false);
      await harness.finish(2);
      expect(handled.value).to.equal(3);
    });

    it("rejects a capacity below 1", () => {
      const options = { consume: async () => {}, onError: () => {}, batchRoom: 1 };
      expect(() => new ChatOrderedSink({ ...options, capacity: 0 })).to.throw("capacity must be at least 1");
      expect(() => new ChatOrderedSink({ ...options, capacity: Number.NaN })).to.throw("capacity must be at least 1");
    });

    it("rejects a batchRoom below 1 (handle could then resolve with no room at all)", () => {
      const options = { consume: async () => {}, onError: () => {}, capacity: 10 };
      expect(() => new ChatOrderedSink({ ...options, batchRoom: 0 })).to.throw("batchRoom must be at least 1");
    });

    it("resolves every handle call waiting for room, not only the last one", async () => {
      const harness = new Harness({ capacity: 4, batchRoom: 2 });
      const first = track(harness.handle([inChat(-1, 1), inChat(-2, 2), inChat(-3, 3)]));
      const second = track(harness.handle([inChat(-4, 4)]));
      await flush();
      expect(first.settled).to.equal(false);
      expect(second.settled).to.equal(false);
      await harness.finish(1);
      await harness.finish(2);
      expect(first.value).to.equal(2);
      expect(second.value).to.equal(2);
    });
  });

  describe("size and snapshot", () => {
    it("are empty for a new sink", () => {
      const harness = new Harness();
      expect(harness.sink.size()).to.equal(0);
      expect(harness.sink.snapshot()).to.deep.equal([]);
    });

    it("reflect running and queued updates and shrink as they finish", async () => {
      const harness = new Harness();
      const updates = [inChat(-1, 1), inChat(-1, 2), inChat(-2, 3), inChat(-1, 4)];
      void harness.handle(updates);
      expect(harness.sink.size()).to.equal(4);
      // Chat by chat, in order within a chat.
      expect(harness.sink.snapshot()).to.deep.equal([updates[0], updates[1], updates[3], updates[2]]);

      await harness.finish(1);
      expect(harness.sink.size()).to.equal(3);
      expect(harness.sink.snapshot().map((u) => u.update_id)).to.deep.equal([2, 4, 3]);

      await harness.finish(3);
      expect(harness.sink.size()).to.equal(2);
      expect(harness.sink.snapshot().map((u) => u.update_id)).to.deep.equal([2, 4]);

      await harness.finish(2);
      await harness.finish(4);
      expect(harness.sink.size()).to.equal(0);
      expect(harness.sink.snapshot()).to.deep.equal([]);
    });

    it("count updates without a chat in size", async () => {
      const harness = new Harness();
      void harness.handle([pollUpdate(1)]);
      expect(harness.sink.size()).to.equal(1);
      await harness.finish(1);
      expect(harness.sink.size()).to.equal(0);
    });
  });

  describe("idle", () => {
    it("resolves immediately when nothing is pending", async () => {
      const harness = new Harness();
      const idle = track(harness.sink.idle());
      await Promise.resolve();
      expect(idle.settled).to.equal(true);
    });

    it("resolves only after the last accepted update finished", async () => {
      const harness = new Harness();
      void harness.handle([inChat(-1, 1), inChat(-1, 2), inChat(-2, 3), pollUpdate(4)]);
      const first = track(harness.sink.idle());
      const second = track(harness.sink.idle());
      for (const id of [3, 1, 4]) {
        await harness.finish(id);
        expect(first.settled, `after finishing ${id}`).to.equal(false);
      }
      await harness.finish(2);
      expect(first.settled).to.equal(true);
      expect(second.settled).to.equal(true);
      expect(harness.sink.size()).to.equal(0);
    });

    it("waits for updates accepted after idle was called", async () => {
      const harness = new Harness();
      void harness.handle([inChat(-1, 1)]);
      const idle = track(harness.sink.idle());
      void harness.handle([inChat(-2, 2)]);
      await harness.finish(1);
      expect(idle.settled).to.equal(false);
      await harness.finish(2);
      expect(idle.settled).to.equal(true);
    });
  });

  describe("errors", () => {
    it("passes a rejection of consume to onError with the update and runs the chat's next update", async () => {
      const harness = new Harness();
      const updates = [inChat(-1, 1), inChat(-1, 2)];
      void harness.handle(updates);
      const boom = new Error("boom");
      await harness.fail(1, boom);
      expect(harness.errors).to.have.length(1);
      expect(harness.errors[0].error).to.equal(boom);
      expect(harness.errors[0].update).to.equal(updates[0]);
      expect(harness.started).to.deep.equal([1, 2]);
      await harness.finish(2);
      expect(harness.errors).to.have.length(1);
      expect(harness.sink.size()).to.equal(0);
    });

    it("catches a consume that throws synchronously", async () => {
      const errors: unknown[] = [];
      const consumed: number[] = [];
      const boom = new Error("sync");
      const sink = new ChatOrderedSink({
        capacity: 10,
        batchRoom: 10,
        consume: (update) => {
          if (update.update_id === 1) throw boom;
          consumed.push(update.update_id);
          return Promise.resolve();
        },
        onError: (error) => {
          errors.push(error);
        },
      });
      await sink.handle([inChat(-1, 1), inChat(-1, 2)]);
      await sink.idle();
      expect(errors).to.deep.equal([boom]);
      expect(consumed).to.deep.equal([2]);
    });

    it("keeps the queue going when onError throws or rejects", async () => {
      let onErrorCalls = 0;
      const harness = new Harness({
        onError: (error) => {
          onErrorCalls += 1;
          if (onErrorCalls === 1) throw new Error(`handler failed on ${String(error)}`);
          return Promise.reject(new Error("handler rejected"));
        },
      });
      void harness.handle([inChat(-1, 1), inChat(-1, 2), inChat(-1, 3), pollUpdate(4)]);
      await harness.fail(1, "first");
      await harness.fail(2, "second");
      await harness.fail(4, "keyless");
      await harness.finish(3);
      expect(onErrorCalls).to.equal(3);
      expect(harness.started).to.deep.equal([1, 4, 2, 3]);
      expect(harness.sink.size()).to.equal(0);
      await harness.sink.idle();
    });

    it("waits for an async onError before the chat's next update starts", async () => {
      const gate = deferred();
      const harness = new Harness({ onError: () => gate.promise });
      void harness.handle([inChat(-1, 1), inChat(-1, 2)]);
      await harness.fail(1, new Error("boom"));
      expect(harness.started).to.deep.equal([1]);
      expect(harness.sink.size()).to.equal(2);
      gate.resolve();
      await flush();
      expect(harness.started).to.deep.equal([1, 2]);
    });
  });

  describe("updates without a chat key", () => {
    it("run on their own, not queued behind each other", async () => {
      const harness = new Harness();
      void harness.handle([pollUpdate(1), pollUpdate(2), pollUpdate(3)]);
      expect(harness.started).to.deep.equal([1, 2, 3]);
      await harness.finish(3);
      expect(harness.finished).to.deep.equal([3]);
      expect(harness.running()).to.deep.equal([1, 2]);
    });

    it("are not queued behind a busy chat", async () => {
      const harness = new Harness();
      void harness.handle([inChat(-1, 1), inChat(-1, 2), pollUpdate(3)]);
      expect(harness.started).to.deep.equal([1, 3]);
    });
  });

  describe("property: every update consumed once, per chat in order", () => {
    it("holds for random chats, batches, capacities and completion orders", async () => {
      const scenario = fc
        .record({
          chats: fc.array(fc.integer({ min: -1, max: 3 }), { minLength: 1, maxLength: 40 }),
          capacity: fc.integer({ min: 1, max: 12 }),
          batchRoom: fc.integer({ min: 1, max: 15 }),
          batchSize: fc.integer({ min: 1, max: 15 }),
          preSettled: fc.integer({ min: 0, max: 40 }),
        })
        .chain((base) =>
          fc.record({
            base: fc.constant(base),
            completion: fc.shuffledSubarray(
              base.chats.map((_, index) => index + 1),
              { minLength: base.chats.length, maxLength: base.chats.length },
            ),
          }),
        );

      await fc.assert(
        fc.asyncProperty(scenario, async ({ base, completion }) => {
          // Chat -1 stands for an update without chat or sender.
          const updates = base.chats.map((chat, index) =>
            chat === -1 ? pollUpdate(index + 1) : inChat(-(chat + 1), index + 1),
          );
          const harness = new Harness({ capacity: base.capacity, batchRoom: base.batchRoom });
          let maxSize = 0;

          // Settle some updates before they are handed over.
          const early = completion.slice(0, Math.min(base.preSettled, completion.length));
          for (const id of early) harness.deferredOf(id).resolve();

          // Feed like the runner: never more than the capacity the sink reported.
          const feeder = (async () => {
            let next = 0;
            let free = base.capacity;
            while (next < updates.length) {
              const take = Math.min(base.batchSize, free, updates.length - next);
              expect(take).to.be.greaterThan(0);
              const batch = updates.slice(next, next + take);
              next += take;
              const handled = harness.handle(batch);
              maxSize = Math.max(maxSize, harness.sink.size());
              free = await handled;
            }
          })();

          for (const id of completion.slice(early.length)) await harness.finish(id);
          await feeder;
          await harness.sink.idle();

          const ids = updates.map((u) => u.update_id);
          expect([...harness.started].sort((a, b) => a - b)).to.deep.equal(ids);
          expect([...harness.finished].sort((a, b) => a - b)).to.deep.equal(ids);
          expect(harness.orderViolations).to.deep.equal([]);
          for (let chat = 0; chat <= 3; chat += 1) {
            const ofChat = updates.filter((u) => updateChatKey(u) === -(chat + 1)).map((u) => u.update_id);
            expect(harness.started.filter((id) => ofChat.includes(id))).to.deep.equal(ofChat);
          }
          expect(maxSize).to.be.at.most(base.capacity);
          expect(harness.sink.size()).to.equal(0);
          expect(harness.sink.snapshot()).to.deep.equal([]);
          expect(harness.errors).to.deep.equal([]);
        }),
        { numRuns: 200 },
      );
    });
  });
});

describe("updateChatKey", () => {
  it("is the chat id of a message", () => {
    expect(updateChatKey(textMessage({ chat: groupChat(-100777) }))).to.equal(-100777);
  });

  it("is the chat id of a private message (the user's id)", () => {
    const sender = user({ id: 5151 });
    expect(updateChatKey(textMessage({ chat: privateChat(sender), from: sender }))).to.equal(5151);
  });

  it("is the chat id of an edited message", () => {
    expect(updateChatKey(editedTextMessage({ chat: groupChat(-100888) }))).to.equal(-100888);
  });

  it("is the chat of the message a callback query belongs to", () => {
    const message = textMessage({ chat: groupChat(-100999) });
    expect(updateChatKey(callbackQuery({ from: user({ id: 7 }), message }))).to.equal(-100999);
  });

  it("is the sender of a callback query without a message", () => {
    expect(updateChatKey(callbackQuery({ from: user({ id: 4711 }) }))).to.equal(4711);
  });

  it("is the chat of a my_chat_member update", () => {
    const bot = user({ id: 1000001, is_bot: true });
    const update: Update = {
      update_id: 1,
      my_chat_member: {
        chat: groupChat(-100555),
        from: user({ id: 8 }),
        date: 0,
        old_chat_member: { status: "left", user: bot },
        new_chat_member: { status: "member", user: bot },
      },
    };
    expect(updateChatKey(update)).to.equal(-100555);
  });

  it("is the user of an update that has a user but no chat or sender (poll_answer)", () => {
    const update: Update = {
      update_id: 1,
      poll_answer: { poll_id: "p", option_ids: [0], option_persistent_ids: ["o0"], user: user({ id: 99 }) },
    };
    expect(updateChatKey(update)).to.equal(99);
  });

  it("is undefined for an update with neither chat nor sender (poll)", () => {
    expect(updateChatKey(pollUpdate(1))).to.equal(undefined);
  });

  it("is undefined for an update with no body", () => {
    expect(updateChatKey({ update_id: 1 })).to.equal(undefined);
  });
});
