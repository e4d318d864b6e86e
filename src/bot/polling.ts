import { createRunner, createSource, createUpdateFetcher, type RunnerHandle } from "@grammyjs/runner";
import type { Bot } from "grammy";
import type { Update } from "grammy/types";
import { sleep } from "../time/abortable-sleep.js";
import type { Logger } from "../logging/logger.js";
import { ChatOrderedSink } from "./chat-ordered-sink.js";
import type { BotContext } from "./context.js";
import type { PollingStats } from "./create-bot.js";

/** The most updates one getUpdates returns (Bot API `limit`, 1-100). */
const MAX_BATCH = 100;

/** Options of {@link startPolling}. */
export interface PollingOptions {
  logger: Logger;
  stats: PollingStats;
  /** Long-poll timeout of getUpdates, in seconds. Default 30. */
  pollTimeoutSeconds?: number;
  /**
   * Updates accepted at once, in progress or queued behind their chat.
   * Default 1000. Fetching resumes when a full batch (100) fits again.
   */
  concurrency?: number;
  /**
   * After a getUpdates that returned some updates but not a full batch, wait
   * this long before the next call, so a busy bot collects its updates into
   * fewer, fuller batches (each call costs an HTTP round trip on both ends)
   * for at most this much added latency. 0 fetches again at once; an empty
   * answer (the long poll timed out) is never followed by a pause.
   * Default 5.
   */
  batchPauseMilliseconds?: number;
}

/** A running poller. */
export interface Poller {
  /** Stops fetching, waits for updates in progress, then confirms the offset. */
  stop(): Promise<void>;
  isRunning(): boolean;
}

/**
 * Starts long polling with grammY runner's fetcher and source and our
 * {@link ChatOrderedSink}: updates of different chats are handled
 * concurrently, those of one chat strictly in order.
 * Deletes a webhook first, since getUpdates is refused while one is set.
 * The bot must be initialised (getMe) before.
 */
export async function startPolling(bot: Bot<BotContext>, options: PollingOptions): Promise<Poller> {
  await bot.api.deleteWebhook();
  const logger = options.logger;
  const fetchUpdates = createUpdateFetcher(bot, {
    fetch: {
      timeout: options.pollTimeoutSeconds ?? 30,
      allowed_updates: ["message", "edited_message", "callback_query", "my_chat_member", "chat_member"],
    },
    silent: true,
    retryInterval: "exponential",
    maxRetryTime: 365 * 24 * 3600 * 1000,
  });
  const sink = new ChatOrderedSink({
    capacity: options.concurrency ?? 1000,
    batchRoom: MAX_BATCH,
    consume: (update: Update) => bot.handleUpdate(update),
    onError: async (error) => {
      await bot.errorHandler(error as Parameters<typeof bot.errorHandler>[0]);
    },
  });
  const pause = options.batchPauseMilliseconds ?? 5;
  // The runner's AbortSignal type comes from its Node shim (abort-controller); at runtime it is Node's own.
  type RunnerSignal = Parameters<typeof fetchUpdates>[1];
  const supply = async (batchSize: number, signal: RunnerSignal): Promise<Update[]> => {
    const updates = await fetchUpdates(batchSize, signal);
    if (pause > 0 && updates.length > 0 && updates.length < Math.min(batchSize, MAX_BATCH)) await sleep(pause, signal as unknown as AbortSignal);
    return updates;
  };
  const handle: RunnerHandle = createRunner(createSource({ supply }), sink);
  handle.start();
  void handle.task()?.catch((error: unknown) => {
    logger.error("polling stopped with an error", { component: "polling", error: String(error) });
  });
  return {
    isRunning: () => handle.isRunning(),
    async stop() {
      if (handle.isRunning()) await handle.stop();
      const unfinished = sink.size();
      if (unfinished > 0) logger.info("waiting for updates in progress", { component: "polling", updates: unfinished });
      await sink.idle();
      const last = options.stats.lastUpdateId;
      if (last !== null) {
        // The runner advanced its offset in memory only: tell Telegram, so the
        // handled updates are not delivered again after a restart.
        try {
          await bot.api.getUpdates({ offset: last + 1, limit: 1, timeout: 0 });
          logger.info("polling offset confirmed", { component: "polling", offset: last + 1 });
        } catch (error) {
          logger.warn("could not confirm the polling offset", { component: "polling", error: String(error) });
        }
      }
    },
  };
}
