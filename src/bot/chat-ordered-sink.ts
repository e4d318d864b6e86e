import type { UpdateSink } from "@grammyjs/runner";
import type { Update } from "grammy/types";

/** Options of {@link ChatOrderedSink}. */
export interface ChatOrderedSinkOptions {
  /** Handles one update; a rejection goes to `onError`, and the chat's next update still runs. */
  consume(update: Update): Promise<void>;
  onError(error: unknown, update: Update): Promise<void> | void;
  /** Updates accepted at once (queued behind their chat, or in progress). */
  capacity: number;
  /**
   * Once full, the sink asks for more only when this many slots are free, so a
   * busy bot fetches full batches (getUpdates takes at most 100) rather than
   * one HTTP round trip per finished update.
   */
  batchRoom: number;
}

/**
 * The chat an update belongs to: updates of one chat are handled in order.
 * Updates without a chat fall back to their sender; those with neither (polls)
 * have no key and run on their own.
 */
export function updateChatKey(update: Update): number | undefined {
  for (const key in update) {
    if (key === "update_id") continue;
    const body = (update as unknown as Record<string, unknown>)[key] as
      | { chat?: { id: number }; message?: { chat?: { id: number } }; from?: { id: number }; user?: { id: number } }
      | undefined;
    if (body === undefined || body === null || typeof body !== "object") continue;
    return body.chat?.id ?? body.message?.chat?.id ?? body.from?.id ?? body.user?.id;
  }
  return undefined;
}

interface ChatQueue {
  items: Update[];
  head: number;
}

/**
 * The runner's sink: updates of one chat strictly in order, different chats
 * concurrently, at most `capacity` accepted at once.
 *
 * It replaces grammY runner's concurrent sink plus `sequentialize`: there an
 * update waiting behind its chat holds a slot and the runner refetches as soon
 * as one slot frees, so under load every getUpdates call returned one to four
 * updates and HTTP overhead ate the daemon's CPU. Here the chat's order costs
 * one array per busy chat, and fetching resumes with room for a full batch.
 * {@link idle} lets shutdown wait for the accepted updates before the offset
 * is confirmed.
 */
export class ChatOrderedSink implements UpdateSink<Update> {
  private readonly queues = new Map<number, ChatQueue>();
  private pending = 0;
  private roomWaiters: Array<() => void> = [];
  private idleWaiters: Array<() => void> = [];
  private readonly resumeAt: number;

  constructor(private readonly options: ChatOrderedSinkOptions) {
    if (!(options.capacity >= 1)) throw new Error("capacity must be at least 1");
    if (!(options.batchRoom >= 1)) throw new Error("batchRoom must be at least 1");
    this.resumeAt = Math.max(0, options.capacity - Math.min(options.batchRoom, options.capacity));
  }

  /** Accepts a batch; resolves with the free capacity once fetching may go on. */
  handle(updates: Update[]): Promise<number> {
    for (const update of updates) this.accept(update);
    if (this.pending <= this.resumeAt) return Promise.resolve(this.options.capacity - this.pending);
    return new Promise<number>((resolve) => {
      this.roomWaiters.push(() => resolve(this.options.capacity - this.pending));
    });
  }

  /** Updates accepted and not finished. */
  size(): number {
    return this.pending;
  }

  /** The accepted updates not finished, chat by chat. */
  snapshot(): Update[] {
    const all: Update[] = [];
    for (const queue of this.queues.values()) all.push(...queue.items.slice(queue.head));
    return all;
  }

  /** Resolves when every accepted update is finished. */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private accept(update: Update): void {
    this.pending += 1;
    const key = updateChatKey(update);
    if (key === undefined) {
      void this.run(update).then(() => this.finished());
      return;
    }
    const queue = this.queues.get(key);
    if (queue !== undefined) {
      queue.items.push(update);
      return;
    }
    const fresh: ChatQueue = { items: [update], head: 0 };
    this.queues.set(key, fresh);
    void this.drain(key, fresh);
  }

  private async drain(key: number, queue: ChatQueue): Promise<void> {
    while (queue.head < queue.items.length) {
      const update = queue.items[queue.head];
      await this.run(update);
      queue.head += 1;
      if (queue.head > 64 && queue.head * 2 > queue.items.length) {
        queue.items = queue.items.slice(queue.head);
        queue.head = 0;
      }
      this.finished();
    }
    this.queues.delete(key);
  }

  private async run(update: Update): Promise<void> {
    try {
      await this.options.consume(update);
    } catch (error) {
      try {
        await this.options.onError(error, update);
      } catch {
        // The error handler must not stop the chat's queue.
      }
    }
  }

  private finished(): void {
    this.pending -= 1;
    if (this.roomWaiters.length > 0 && this.pending <= this.resumeAt) {
      const waiters = this.roomWaiters;
      this.roomWaiters = [];
      for (const wake of waiters) wake();
    }
    if (this.pending === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const wake of waiters) wake();
    }
  }
}
