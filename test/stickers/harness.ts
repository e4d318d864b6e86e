/**
 * An in-process stickerbot for fast tests of the sticker feature: real SQLite
 * in a temp folder, a grammY bot pointed at the {@link FakeBotApi}, a
 * {@link ManualClock}, and `handle(update)` instead of polling.
 */
import type { Update } from "grammy/types";
import path from "node:path";
import { ConfigHolder } from "../../src/app/config-holder.js";
import { createServices } from "../../src/app/create-services.js";
import { installFeatures } from "../../src/app/install-features.js";
import type { Services } from "../../src/app/services.js";
import { createCoreFeature } from "../../src/app/core-feature.js";
import { createBot, installCoreMiddleware } from "../../src/bot/create-bot.js";
import type { Config } from "../../src/config/config.js";
import { loadConfig } from "../../src/config/load-config.js";
import { type Database, migrateDatabase, openDatabase } from "../../src/database/open-database.js";
import { createSilentLogger } from "../../src/logging/logger.js";
import { createStickersFeature, type StickersFeature } from "../../src/stickers/stickers-feature.js";
import { BackgroundTaskManager } from "../../src/tasks/background-task-manager.js";
import { ManualClock } from "../../src/time/clock.js";
import { createTempDirectory } from "../support/daemon-process.js";
import { DEFAULT_BOT_INFO, FakeBotApi } from "../support/fake-bot-api.js";

/** A running in-process harness. */
export interface StickerHarness {
  api: FakeBotApi;
  db: Database;
  clock: ManualClock;
  services: Services;
  feature: StickersFeature;
  settings: ConfigHolder;
  /** Runs one update through the bot's middleware. */
  handle(update: Update): Promise<void>;
  /** Stops the feature and roster, closes the database and the fake, removes the folder. */
  close(): Promise<void>;
}

/** Starts a harness; `configure` edits the loaded default config (e.g. short delays, admin ids). */
export async function startStickerHarness(configure: (config: Config) => void = () => undefined, options: { start?: boolean } = {}): Promise<StickerHarness> {
  const api = await FakeBotApi.start();
  const temp = createTempDirectory("sb-stk-h-");
  const config = loadConfig({ env: { STICKERBOT_TOKEN: api.token, STICKERBOT_API_ROOT: api.apiRoot }, configFile: undefined });
  config.databasePath = path.join(temp.dir, "db.sqlite");
  configure(config);
  const settings = new ConfigHolder(config);
  const db = await openDatabase(config.databasePath);
  await migrateDatabase(db);
  const clock = new ManualClock(Date.now());
  const logger = createSilentLogger();
  const { bot } = createBot({ settings, logger, botInfo: { ...DEFAULT_BOT_INFO } });
  const services: Services = createServices({ settings, db, logger, clock, api: bot.api, tasks: new BackgroundTaskManager({ logger, clock }) });
  const roster = services.roster;
  const core = await createCoreFeature(services);
  const feature = (await createStickersFeature(services)) as StickersFeature;
  services.features.set(core.name, core);
  services.features.set(feature.name, feature);
  installCoreMiddleware(bot, services);
  installFeatures(bot, [core, feature]);
  if (options.start ?? true) await feature.start!();
  return {
    api,
    db,
    clock,
    services,
    feature,
    settings,
    handle: async (update) => {
      await bot.handleUpdate(update);
      await roster.flush();
      await feature.notices.idle();
      await feature.deletions.flush();
    },
    close: async () => {
      await feature.stop!();
      await roster.stop();
      await db.destroy();
      await api.stop();
      temp.remove();
    },
  };
}

/** Retries `check` until it passes or `timeoutMilliseconds` elapse (for effects that run after the reply). */
export async function eventually(check: () => Promise<unknown>, timeoutMilliseconds = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMilliseconds;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

