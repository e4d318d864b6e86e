import type { ConfigHolder } from "../app/config-holder.js";
import type { Database } from "../database/open-database.js";
import type { CleanupStep } from "./cleanup.js";
import { DAY_MILLISECONDS } from "../time/durations.js";


/** The cleanup step of the core: removes task runs older than `retention.taskRunDays`. */
export function createRetentionStep(db: Database, settings: ConfigHolder): CleanupStep {
  return {
    name: "retention",
    async run(now) {
      const cutoff = now - settings.current.retention.taskRunDays * DAY_MILLISECONDS;
      const taskRuns = await db("task_runs").where("started_at", "<", cutoff).delete();
      return { purged: { taskRuns } };
    },
  };
}
