import type { Knex } from "knex";
import { loadConfig } from "./src/config/load-config.js";
import { createSqliteConnectionConfig } from "./src/database/dialect.js";
import { DirectoryMigrationSource } from "./src/database/migration-source.js";

/**
 * For the knex CLI (the daemon migrates by itself at startup):
 *   node --import tsx node_modules/knex/bin/cli.js migrate:status
 * The database path comes from the same config as the daemon's
 * (STICKERBOT_CONFIG or STICKERBOT_DATABASE).
 */
const config = loadConfig({ configFile: process.env.STICKERBOT_CONFIG, requireToken: false });

const knexConfig: Knex.Config = {
  ...createSqliteConnectionConfig(config.databasePath),
  migrations: { migrationSource: new DirectoryMigrationSource() },
};

export default knexConfig;
