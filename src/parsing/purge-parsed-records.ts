import type { ConfigHolder } from "../app/config-holder.js";
import type { Database } from "../database/open-database.js";
import type { CleanupStep } from "../tasks/cleanup.js";
import { DAY_MILLISECONDS } from "../time/durations.js";


/**
 * The cleanup step of parsing: removes parsed transactions and failed parse
 * attempts older than `retention.parsedTransactionDays` (default 90). The
 * ledger rows of those credits stay: balances are the sum of the ledger.
 */
export function createParsedRecordsPurgeStep(db: Database, settings: ConfigHolder): CleanupStep {
  return {
    name: "parsedRecords",
    async run(now) {
      const cutoff = now - settings.current.retention.parsedTransactionDays * DAY_MILLISECONDS;
      const parsedTransactions = await db("parsed_transactions").where("created_at", "<", cutoff).delete();
      const parseFailures = await db("parse_failures").where("created_at", "<", cutoff).delete();
      return { purged: { parsedTransactions, parseFailures } };
    },
  };
}
