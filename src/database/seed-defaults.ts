import type { Config } from "../config/config.js";
import type { Database } from "./open-database.js";
import { seedShopItems } from "../shop/seed-shop-items.js";
import { seedAchievements } from "../achievements/seed-achievements.js";
import { seedParsingRules } from "../parsing/seed-parsing-rules.js";

/** Inserts one feature's default rows. Must be idempotent: it runs at every startup. */
export type Seeder = (db: Database, config: Config, now: number) => Promise<void>;

/**
 * The seeders, in order. Each feature that has defaults (parsing rules, shop
 * items, achievements) adds its seeder here.
 */
export const SEEDERS: Array<{ name: string; seed: Seeder }> = [
  { name: "parsingRules", seed: seedParsingRules },
  { name: "shopItems", seed: seedShopItems },
  { name: "achievements", seed: seedAchievements },
];

/** Runs every seeder in one transaction. */
export async function seedDefaults(db: Database, config: Config, now: number): Promise<string[]> {
  await db.transaction(async (trx) => {
    for (const { seed } of SEEDERS) await seed(trx, config, now);
  });
  return SEEDERS.map((seeder) => seeder.name);
}
