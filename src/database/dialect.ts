import type { Knex } from "knex";

/**
 * Everything SQLite-specific lives here, so PostgreSQL can later be a second
 * client: the rest of the code uses the portable knex query builder only.
 */

/** The knex connection settings for an SQLite file. */
export function createSqliteConnectionConfig(filename: string): Knex.Config {
  return {
    client: "sqlite3",
    connection: { filename },
    useNullAsDefault: true,
    // One connection: SQLite has one writer anyway, and a single connection makes
    // every transaction strictly serial, which the money code relies on.
    pool: {
      min: 1,
      max: 1,
      afterCreate: (connection: SqliteConnection, done: (error: Error | null, connection: unknown) => void) => {
        applySqlitePragmas(connection)
          .then(() => done(null, connection))
          .catch((error: Error) => done(error, connection));
      },
    },
  };
}

/** Pages of WAL past which SQLite checkpoints inside a COMMIT (its default is 1,000). */
const AUTOCHECKPOINT_PAGES = 10_000;

interface SqliteConnection {
  run(sql: string, callback: (error: Error | null) => void): void;
}

function run(connection: SqliteConnection, sql: string): Promise<void> {
  return new Promise((resolve, reject) => connection.run(sql, (error) => (error ? reject(error) : resolve())));
}

/**
 * WAL lets readers (the status command's queries) proceed while the daemon
 * writes; the busy timeout makes a second process (the knex CLI, a backup) wait
 * instead of failing at once; foreign keys are off by default in SQLite.
 * The daemon checkpoints the WAL from a second connection (WalCheckpointer),
 * so the automatic checkpoint — run inside a COMMIT, with an fsync — only
 * starts past 10,000 pages (40 MB), a safety net.
 */
async function applySqlitePragmas(connection: SqliteConnection): Promise<void> {
  await run(connection, "PRAGMA journal_mode = WAL");
  await run(connection, "PRAGMA busy_timeout = 5000");
  await run(connection, "PRAGMA synchronous = NORMAL");
  await run(connection, "PRAGMA foreign_keys = ON");
  await run(connection, `PRAGMA wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
}

/** Checks that the connection answers (used by health monitoring). */
export async function pingDatabase(db: Knex): Promise<void> {
  await db.raw("select 1 as ok");
}
