/** A shop wired to a real SQLite file and the fake Bot API, for tests below the daemon. */
import { Api } from "grammy";
import type { User } from "grammy/types";
import path from "node:path";
import { ConfigHolder } from "../../src/app/config-holder.js";
import type { Config } from "../../src/config/config.js";
import { loadConfig } from "../../src/config/load-config.js";
import { type Database, migrateDatabase, openDatabase } from "../../src/database/open-database.js";
import { seedDefaults } from "../../src/database/seed-defaults.js";
import { AppEvents } from "../../src/economy/app-events.js";
import { Ledger } from "../../src/economy/ledger.js";
import { createSilentLogger } from "../../src/logging/logger.js";
import { type AdminNotifier, BotAdminNotifier } from "../../src/shop/admin-notifier.js";
import { MentionAllService } from "../../src/shop/mention-all-service.js";
import { PurchaseService, type StickerPassGranter } from "../../src/shop/purchase-service.js";
import { ShopCatalog } from "../../src/shop/shop-catalog.js";
import { StickerManager } from "../../src/stickers/sticker-manager.js";
import { ManualClock } from "../../src/time/clock.js";
import { UserRoster } from "../../src/users/user-roster.js";
import { createTempDirectory } from "../support/daemon-process.js";
import { FakeBotApi } from "../support/fake-bot-api.js";

/** Everything a shop test touches. */
export interface ShopHarness {
  fake: FakeBotApi;
  db: Database;
  clock: ManualClock;
  settings: ConfigHolder;
  ledger: Ledger;
  roster: UserRoster;
  events: AppEvents;
  stickers: StickerManager;
  catalog: ShopCatalog;
  mentions: MentionAllService;
  purchases: PurchaseService;
  /** Gives `user` `amount` coins through the ledger (reason admin_add). */
  fund(user: User, amount: number): Promise<void>;
  close(): Promise<void>;
}

/** Options of {@link createShopHarness}. */
export interface ShopHarnessOptions {
  /** Environment for loadConfig (admin ids, ...). */
  env?: Record<string, string>;
  /** Config overrides applied after loading. */
  shop?: Partial<Config["shop"]>;
  /** Replaces the real admin notifier (the property test). */
  admins?: AdminNotifier;
  /** Replaces the sticker pass manager (a failing one). */
  stickerPasses?: () => StickerPassGranter | undefined;
}

/** Opens a fresh migrated and seeded database in a temp folder and wires the shop's services to it. Call `close()` after. */
export async function createShopHarness(options: ShopHarnessOptions = {}): Promise<ShopHarness> {
  const fake = await FakeBotApi.start();
  const temp = createTempDirectory("sb-shop-");
  const db = await openDatabase(path.join(temp.dir, "shop.sqlite"));
  await migrateDatabase(db);
  const config = loadConfig({ env: { STICKERBOT_TOKEN: fake.token, ...options.env } });
  config.shop = { ...config.shop, mentionPauseSeconds: 0, ...options.shop };
  const settings = new ConfigHolder(config);
  const clock = new ManualClock(Date.UTC(2026, 5, 1, 12));
  await seedDefaults(db, config, clock.now());
  const logger = createSilentLogger();
  const api = new Api(fake.token, { apiRoot: fake.apiRoot });
  const ledger = new Ledger(db, clock);
  const roster = new UserRoster({ db, clock, logger });
  const events = new AppEvents();
  const stickers = new StickerManager({ db, clock, logger, events });
  const catalog = new ShopCatalog(db, clock);
  const base = { db, ledger, clock, logger, api, roster, settings, events };
  const mentions = new MentionAllService(base);
  const purchases = new PurchaseService({
    ...base,
    catalog,
    mentions,
    admins: options.admins ?? new BotAdminNotifier(base),
    stickerPasses: options.stickerPasses ?? (() => stickers),
  });
  return {
    fake,
    db,
    clock,
    settings,
    ledger,
    roster,
    events,
    stickers,
    catalog,
    mentions,
    purchases,
    async fund(user, amount) {
      await roster.ensureUser(user);
      await ledger.change({ userId: user.id, amount, reason: "admin_add" });
    },
    async close() {
      await mentions.stop();
      await roster.stop();
      await db.destroy();
      await fake.stop();
      temp.remove();
    },
  };
}

/** The user's balance, total spent and purchase count as stored. */
export async function moneyOf(db: Database, userId: number): Promise<{ balance: number; totalSpent: number; purchaseCount: number }> {
  const row = (await db("users").where("id", userId).first("balance", "total_spent", "purchase_count")) as
    | { balance: number; total_spent: number; purchase_count: number }
    | undefined;
  return { balance: Number(row?.balance ?? 0), totalSpent: Number(row?.total_spent ?? 0), purchaseCount: Number(row?.purchase_count ?? 0) };
}
