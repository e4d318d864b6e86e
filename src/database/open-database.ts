import knex, { type Knex } from "knex";
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { createSqliteConnectionConfig } from "./dialect.js";
import { DirectoryMigrationSource } from "./migration-source.js";

/** The database handle used everywhere: a knex instance. */
export type Database = Knex;

/** Opens (creating the folder and file if needed) the SQLite database. It does not migrate. */
export async function openDatabase(filename: string): Promise<Database> {
  if (filename !== ":memory:") ensureDirectory(path.dirname(path.resolve(filename)));
  const db = knex(createSqliteConnectionConfig(filename));
  // Acquire the connection now, so a bad path fails here with its reason
  // rather than at the first query.
  await db.raw("select 1");
  return db;
}

/**
 * Creates a folder and its missing parents, one level at a time. Not
 * `mkdirSync(…, { recursive: true })`: on Node 20 that spins forever on some
 * unwritable trees (e.g. under /proc) instead of failing.
 */
function ensureDirectory(directory: string): void {
  if (existsSync(directory)) return;
  const parent = path.dirname(directory);
  if (parent !== directory) ensureDirectory(parent);
  mkdirSync(directory);
}

/** Runs every pending migration; returns the names applied now. */
export async function migrateDatabase(db: Database): Promise<string[]> {
  const [, applied] = (await db.migrate.latest({ migrationSource: new DirectoryMigrationSource() })) as [number, string[]];
  return applied;
}
