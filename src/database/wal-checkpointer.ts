import knex, { type Knex } from "knex";
import type { Logger } from "../logging/logger.js";
import { createSqliteConnectionConfig } from "./dialect.js";

/** Options of {@link WalCheckpointer}. */
export interface WalCheckpointerOptions {
  /** The SQLite file the daemon writes (not `:memory:`). */
  filename: string;
  logger: Logger;
  /** How often to checkpoint, in ms. Default 1000. */
  intervalMilliseconds?: number;
}

/** What one checkpoint did, in WAL pages (SQLite's `PRAGMA wal_checkpoint` result). */
export interface CheckpointResult {
  /** 1 when the checkpoint could not run to completion (a reader or writer held it back); it is tried again. */
  busy: number;
  /** Pages in the WAL. */
  log: number;
  /** Pages copied into the database file so far. */
  checkpointed: number;
}

/**
 * Copies the write-ahead log into the database file from a second
 * connection, in the background, so the daemon's own connection never does.
 *
 * Why: with WAL, SQLite checkpoints inside the COMMIT that grows the log past
 * `wal_autocheckpoint` pages, and a checkpoint writes and fsyncs the database
 * file. On a slow disk that COMMIT took 150-500 ms (bench/ingest), and every
 * credit and sticker deletion queued behind it on the one connection waited
 * as long. A PASSIVE checkpoint here runs on its own connection and thread,
 * does not block writers, and keeps the log short; the daemon's connection
 * keeps a high `wal_autocheckpoint` only as a safety net (see dialect.ts).
 */
export class WalCheckpointer {
  private db: Knex | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private last: CheckpointResult | null = null;
  private readonly logger: Logger;

  constructor(private readonly options: WalCheckpointerOptions) {
    this.logger = options.logger.child({ component: "wal-checkpoint" });
  }

  /** Opens the second connection and starts the periodic checkpoint. */
  async start(): Promise<void> {
    this.db = knex(createSqliteConnectionConfig(this.options.filename));
    await this.checkpoint();
    this.timer = setInterval(() => {
      if (this.running === null) {
        this.running = this.checkpoint()
          .then(() => undefined)
          .catch((error: unknown) => {
            this.logger.warn("checkpoint failed; the next one retries", { error: String(error) });
          })
          .finally(() => {
            this.running = null;
          });
      }
    }, this.options.intervalMilliseconds ?? 1000);
    this.timer.unref();
  }

  /** Runs one PASSIVE checkpoint now. */
  async checkpoint(): Promise<CheckpointResult> {
    if (this.db === null) throw new Error("the WAL checkpointer is not started");
    const rows = (await this.db.raw("PRAGMA wal_checkpoint(PASSIVE)")) as Array<CheckpointResult>;
    const result: CheckpointResult = { busy: Number(rows[0]?.busy ?? 0), log: Number(rows[0]?.log ?? 0), checkpointed: Number(rows[0]?.checkpointed ?? 0) };
    this.last = result;
    if (result.log > 0) this.logger.debug("checkpointed", { ...result });
    return result;
  }

  /** The last checkpoint's result (status), or null before the first. */
  lastResult(): CheckpointResult | null {
    return this.last;
  }

  /** Stops the timer, waits for a checkpoint in progress and closes the connection. */
  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.running;
    await this.db?.destroy();
    this.db = null;
  }
}
