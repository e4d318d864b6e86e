/**
 * A bot wired like the daemon's (core middleware, the economy and parsing
 * features) on a real SQLite file, talking real HTTP to a {@link FakeBotApi},
 * driven with `bot.handleUpdate` — fast tests of the handlers without
 * spawning a process. End-to-end tests spawn the real daemon instead.
 */
import { Writable } from "node:stream";
import path from "node:path";
import winston from "winston";
import type { Update } from "grammy/types";
import { ConfigHolder } from "../../src/app/config-holder.js";
import { createServices } from "../../src/app/create-services.js";
import { installFeatures } from "../../src/app/install-features.js";
import type { ParsingFeature } from "../../src/parsing/parsing-feature.js";
import type { Feature, Services } from "../../src/app/services.js";
import { createBot, installCoreMiddleware } from "../../src/bot/create-bot.js";
import type { Bot } from "grammy";
import type { BotContext } from "../../src/bot/context.js";
import type { Config } from "../../src/config/config.js";
import { loadConfig } from "../../src/config/load-config.js";
import { type Database, migrateDatabase, openDatabase } from "../../src/database/open-database.js";
import { seedDefaults } from "../../src/database/seed-defaults.js";
import { createEconomyFeature } from "../../src/economy/economy-feature.js";
import { createCoreFeature } from "../../src/app/core-feature.js";
import { createParsingFeature } from "../../src/parsing/parsing-feature.js";
import { BackgroundTaskManager } from "../../src/tasks/background-task-manager.js";
import { ManualClock } from "../../src/time/clock.js";
import { DEFAULT_BOT_INFO, FakeBotApi } from "../support/fake-bot-api.js";
import { createTempDirectory } from "../support/daemon-process.js";

/** The id of the bot admin in harness tests. */
export const ADMIN_ID = 777_001;

/** A running harness. */
export interface ParsingHarness {
  api: FakeBotApi;
  db: Database;
  bot: Bot<BotContext>;
  services: Services;
  clock: ManualClock;
  parsing: Feature;
  /** JSON log entries written so far (level debug and up). */
  logs: Array<Record<string, unknown>>;
  /** Handles one update through the whole middleware stack and flushes the roster. */
  handle(update: Update): Promise<void>;
  /** Replaces the configuration (as `stickerbot reload` does) and reloads the features. */
  reconfigure(change: (config: Config) => void): Promise<void>;
  close(): Promise<void>;
}

/** Options of {@link startParsingHarness}. */
export interface HarnessOptions {
  /** Adjusts the loaded default configuration before the features start. */
  configure?: (config: Config) => void;
}

/** Starts a harness in a fresh temp folder. */
export async function startParsingHarness(options: HarnessOptions = {}): Promise<ParsingHarness> {
  const api = await FakeBotApi.start();
  const temp = createTempDirectory("stickerbot-parsing-");
  const config = loadConfig({ env: { STICKERBOT_TOKEN: api.token, STICKERBOT_API_ROOT: api.apiRoot } });
  config.databasePath = path.join(temp.dir, "db.sqlite");
  config.adminIds = [ADMIN_ID];
  options.configure?.(config);
  const logs: Array<Record<string, unknown>> = [];
  const logger = winston.createLogger({
    level: "debug",
    format: winston.format.json(),
    transports: [
      new winston.transports.Stream({
        stream: new Writable({
          write(chunk: Buffer, _encoding, callback) {
            for (const line of chunk.toString("utf8").split("\n")) if (line.trim() !== "") logs.push(JSON.parse(line) as Record<string, unknown>);
            callback();
          },
        }),
      }),
    ],
  });
  const clock = new ManualClock(Date.UTC(2026, 11, 1, 12, 0, 0));
  const db = await openDatabase(config.databasePath);
  await migrateDatabase(db);
  await seedDefaults(db, config, clock.now());
  const settings = new ConfigHolder(config);
  const { bot } = createBot({ settings, logger, botInfo: { ...DEFAULT_BOT_INFO } });
  const services: Services = createServices({ settings, db, logger, clock, api: bot.api, tasks: new BackgroundTaskManager({ logger, clock }), rosterFlushIntervalMilliseconds: 60_000 });
  const roster = services.roster;
  const features: Feature[] = [];
  for (const factory of [createCoreFeature, createEconomyFeature, createParsingFeature]) {
    const feature = await factory(services);
    services.features.set(feature.name, feature);
    features.push(feature);
  }
  for (const feature of features) await feature.start?.();
  installCoreMiddleware(bot, services);
  installFeatures(bot, features);
  return {
    api,
    db,
    bot,
    services,
    clock,
    parsing: services.features.get("parsing")!,
    logs,
    async handle(update) {
      await bot.handleUpdate(update);
      await roster.flush();
      await (services.features.get("parsing") as ParsingFeature).acknowledgements.idle();
    },
    async reconfigure(change) {
      const next = structuredClone(settings.current);
      change(next);
      const previous = settings.current;
      settings.replace(next);
      try {
        for (const feature of features) await feature.reload?.();
      } catch (error) {
        settings.replace(previous);
        throw error;
      }
    },
    async close() {
      await roster.stop();
      await db.destroy();
      await api.stop();
      temp.remove();
    },
  };
}
