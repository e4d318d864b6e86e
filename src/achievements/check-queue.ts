import type { AchievementCondition } from "./achievement-conditions.js";

/** One user's pending check: what to look at, where to congratulate, values already read. */
export interface PendingCheck {
  conditions: Set<AchievementCondition>;
  chatId: number | null;
  measured: Map<AchievementCondition, number>;
}

/** Options of {@link CheckQueue}. */
export interface CheckQueueOptions {
  /** Runs one user's check. */
  run(userId: number, check: PendingCheck): Promise<unknown>;
  /** Called when a check rejects; the queue goes on. */
  onError(error: unknown, userId: number): void;
  /** Checks running at once. Default 2. */
  concurrency?: number;
}

/**
 * The achievement checks waiting to run, one entry per user, a few at a time.
 *
 * Why a queue: a check of a user not seen since the start reads the
 * database (the user's achievements, then the conditions), and an award is a
 * transaction plus a message. Started as events arrive, hundreds of them
 * would queue their statements on the one database connection ahead of the
 * credits and sticker deletions that chats are waiting for (measured in
 * bench/ingest: a credit then waited 30-300 ms). Here at most `concurrency`
 * checks hold a place in the database's queue; the others wait in memory,
 * and events of a user whose check has not started yet merge into it.
 */
export class CheckQueue {
  private readonly waiting = new Map<number, PendingCheck>();
  private running = 0;
  private idleWaiters: Array<() => void> = [];
  private readonly concurrency: number;

  constructor(private readonly options: CheckQueueOptions) {
    const concurrency = Math.floor(options.concurrency ?? 2);
    this.concurrency = Number.isFinite(concurrency) && concurrency >= 1 ? concurrency : 1;
  }

  /** Queues a check of `userId`, merged with the one already waiting for that user. */
  add(userId: number, conditions: ReadonlySet<AchievementCondition>, chatId: number | null, measured?: ReadonlyMap<AchievementCondition, number>): void {
    const pending = this.waiting.get(userId);
    if (pending === undefined) {
      this.waiting.set(userId, { conditions: new Set(conditions), chatId, measured: new Map(measured) });
    } else {
      for (const condition of conditions) pending.conditions.add(condition);
      for (const [condition, value] of measured ?? []) pending.measured.set(condition, value);
      // Congratulate where the user was last active.
      if (chatId !== null) pending.chatId = chatId;
    }
    this.pump();
  }

  /** Checks waiting or running. */
  get size(): number {
    return this.waiting.size + this.running;
  }

  /** Resolves when no check is waiting or running. */
  idle(): Promise<void> {
    if (this.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    while (this.running < this.concurrency && this.waiting.size > 0) {
      const [userId, check] = this.waiting.entries().next().value as [number, PendingCheck];
      this.waiting.delete(userId);
      this.running += 1;
      void (async () => this.options.run(userId, check))()
        .catch((error: unknown) => {
          try {
            this.options.onError(error, userId);
          } catch {
            // The error handler must not stop the queue (nor reject unhandled).
          }
        })
        .finally(() => {
          this.running -= 1;
          this.pump();
          if (this.size === 0) {
            const waiters = this.idleWaiters;
            this.idleWaiters = [];
            for (const wake of waiters) wake();
          }
        });
    }
  }
}
