import type { Api } from "grammy";
import { AdminDirectory } from "../admin/admin-directory.js";
import type { Database } from "../database/open-database.js";
import { AppEvents } from "../economy/app-events.js";
import { Ledger } from "../economy/ledger.js";
import type { Logger } from "../logging/logger.js";
import type { BackgroundTaskManager } from "../tasks/background-task-manager.js";
import { Cleanup } from "../tasks/cleanup.js";
import { HealthMonitor } from "../tasks/health-monitor.js";
import type { Clock } from "../time/clock.js";
import { UserRoster } from "../users/user-roster.js";
import type { ConfigHolder } from "./config-holder.js";
import type { Services } from "./services.js";

/** Options of {@link createServices}. */
export interface CreateServicesOptions {
  settings: ConfigHolder;
  db: Database;
  logger: Logger;
  clock: Clock;
  api: Api;
  tasks: BackgroundTaskManager;
  /** How often the roster writes seen users, in milliseconds. Default: the roster's (200). */
  rosterFlushIntervalMilliseconds?: number;
}

/**
 * Builds the services every feature receives (the daemon's startup step
 * "systems", and test harnesses that run features without a daemon). Nothing
 * is started here: the caller starts the roster and the features.
 */
export function createServices(options: CreateServicesOptions): Services {
  const { settings, db, logger, clock, api, tasks } = options;
  const events = new AppEvents();
  // Every feature may listen (achievements on several events): more than Node's default of 10.
  events.setMaxListeners(50);
  return {
    settings,
    db,
    logger,
    clock,
    api,
    roster: new UserRoster({ db, clock, logger, flushIntervalMilliseconds: options.rosterFlushIntervalMilliseconds }),
    ledger: new Ledger(db, clock),
    events,
    admins: new AdminDirectory({ settings, api, logger, now: () => clock.now() }),
    tasks,
    cleanup: new Cleanup(logger, () => clock.now()),
    health: new HealthMonitor(logger, () => clock.now()),
    features: new Map(),
  };
}
