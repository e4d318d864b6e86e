import { autoRetry } from "@grammyjs/auto-retry";
import { Bot, GrammyError, HttpError } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import { pickLanguage, translate } from "../i18n/catalogue.js";
import type { Services } from "../app/services.js";
import type { Logger } from "../logging/logger.js";
import type { ConfigHolder } from "../app/config-holder.js";
import type { BotContext } from "./context.js";

/** Options of {@link createBot}. */
export interface CreateBotOptions {
  settings: ConfigHolder;
  logger: Logger;
  /** Skip getMe at init (tests of handlers). */
  botInfo?: UserFromGetMe;
}

/** What the daemon knows about polling, for health checks and shutdown. */
export interface PollingStats {
  /** Time (ms) of the last getUpdates that succeeded, null before the first. */
  lastSuccessfulPollAt: number | null;
  /** The highest update_id fetched so far, null before the first update. */
  lastUpdateId: number | null;
}

/**
 * Creates the grammY bot pointed at the configured API root, with auto-retry
 * (429 waits `retry_after`; 5xx is retried a few times)
 * and a transformer that records polling progress.
 */
export function createBot(options: CreateBotOptions): { bot: Bot<BotContext>; polling: PollingStats } {
  const config = options.settings.current;
  const bot = new Bot<BotContext>(config.token, {
    client: { apiRoot: config.apiRoot },
    botInfo: options.botInfo,
  });
  const polling: PollingStats = { lastSuccessfulPollAt: null, lastUpdateId: null };
  bot.api.config.use(async (previous, method, payload, signal) => {
    const response = await previous(method, payload, signal);
    if (method === "getUpdates" && response.ok) {
      polling.lastSuccessfulPollAt = Date.now();
      const updates = response.result as Array<{ update_id: number }>;
      const last = updates[updates.length - 1];
      if (last !== undefined) polling.lastUpdateId = Math.max(polling.lastUpdateId ?? 0, last.update_id);
    }
    return response;
  });
  // 429 waits retry_after and 5xx is retried a few times. Network errors are
  // rethrown: auto-retry would otherwise retry them forever, stalling the caller;
  // durable work (deletions, broadcasts) retries on its own schedule.
  // getUpdates is exempt: the runner retries it itself, and a 409 there is fatal.
  const retry = autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 120, rethrowHttpErrors: true });
  bot.api.config.use((previous, method, payload, signal) =>
    method === "getUpdates" ? previous(method, payload, signal) : retry(previous, method, payload, signal),
  );
  return { bot, polling };
}

/**
 * Installs the context enrichment (services, language, `t`) and user
 * registration in front of the features' handlers, and the error boundary.
 */
export function installCoreMiddleware(bot: Bot<BotContext>, services: Services): void {
  bot.use(async (ctx, next) => {
    ctx.services = services;
    ctx.language = pickLanguage(ctx.from?.language_code, services.settings.current.defaultLanguage);
    ctx.t = (key, params) => translate(ctx.language, key, params);
    if (ctx.from !== undefined && ctx.update.edited_message === undefined) {
      services.roster.see(ctx.from, ctx.chat);
      if (!ctx.from.is_bot) services.events.emit("active", { userId: ctx.from.id, chatId: ctx.chat?.id ?? null });
    }
    await next();
  });
  bot.catch((error) => {
    const cause = error.error;
    const details: Record<string, unknown> = { component: "bot", updateId: error.ctx.update.update_id };
    if (cause instanceof GrammyError) {
      details.method = cause.method;
      details.errorCode = cause.error_code;
      details.description = cause.description;
    } else if (cause instanceof HttpError) {
      details.error = cause.message;
    } else {
      details.error = cause instanceof Error ? (cause.stack ?? cause.message) : String(cause);
    }
    services.logger.error("update handling failed", details);
  });
}
