import { run, type RunnerHandle } from "@grammyjs/runner";
import type { Bot } from "grammy";
import type { Logger } from "../logging/logger.js";
import type { BotContext } from "./context.js";
import type { PollingStats } from "./create-bot.js";

/** Options of {@link startPolling}. */
export interface PollingOptions {
  logger: Logger;
  stats: PollingStats;
  /** Long-poll timeout of getUpdates, in seconds. Default 30. */
  pollTimeoutSeconds?: number;
  /**
   * Updates in flight at once. Default 1000. Updates of one chat waiting in
   * `sequentialize`'s queue count too: with a few busy chats a low limit fills
   * with waiting updates and the runner fetches one or two updates per
   * getUpdates call, which collapses throughput (measured: bench/ingest).
   */
  concurrency?: number;
}

/** A running poller. */
export interface Poller {
  /** Stops fetching, waits for updates in progress, then confirms the offset. */
  stop(): Promise<void>;
  isRunning(): boolean;
}

/**
 * Starts long polling with grammY's runner: updates of different chats are
 * handled concurrently, those of one chat strictly in order (the caller
 * installs `sequentialize` by chat as the first middleware; see daemon).
 * Deletes a webhook first, since getUpdates is refused while one is set.
 */
export async function startPolling(bot: Bot<BotContext>, options: PollingOptions): Promise<Poller> {
  await bot.api.deleteWebhook();
  const handle: RunnerHandle = run(bot, {
    runner: {
      fetch: {
        timeout: options.pollTimeoutSeconds ?? 30,
        allowed_updates: ["message", "edited_message", "callback_query", "my_chat_member", "chat_member"],
      },
      silent: true,
      retryInterval: "exponential",
      maxRetryTime: 365 * 24 * 3600 * 1000,
    },
    sink: { concurrency: options.concurrency ?? 1000 },
  });
  const logger = options.logger;
  void handle.task()?.catch((error: unknown) => {
    logger.error("polling stopped with an error", { component: "polling", error: String(error) });
  });
  return {
    isRunning: () => handle.isRunning(),
    async stop() {
      if (handle.isRunning()) await handle.stop();
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
