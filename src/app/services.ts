import type { Api, Composer } from "grammy";
import type { CommandHandlers } from "../bot/command-handlers.js";
import type { BotContext } from "../bot/context.js";
import type { Database } from "../database/open-database.js";
import type { AppEvents } from "../economy/app-events.js";
import type { Ledger } from "../economy/ledger.js";
import type { Logger } from "../logging/logger.js";
import type { BackgroundTaskManager } from "../tasks/background-task-manager.js";
import type { Cleanup, CleanupStep } from "../tasks/cleanup.js";
import type { HealthCheck, HealthMonitor } from "../tasks/health-monitor.js";
import type { Clock } from "../time/clock.js";
import type { UserRoster } from "../users/user-roster.js";
import type { AdminDirectory } from "../admin/admin-directory.js";
import type { ConfigHolder } from "./config-holder.js";
import type { MessageKey } from "../i18n/catalogue.js";

/** Everything a feature may use. Created by the daemon in its startup sequence. */
export interface Services {
  settings: ConfigHolder;
  db: Database;
  logger: Logger;
  clock: Clock;
  /** The Bot API client (works before polling starts). */
  api: Api;
  roster: UserRoster;
  ledger: Ledger;
  events: AppEvents;
  admins: AdminDirectory;
  tasks: BackgroundTaskManager;
  cleanup: Cleanup;
  health: HealthMonitor;
  /** Other features by name, for features that build on others (the shop on stickers). */
  features: Map<string, Feature>;
}

/** A command, for /help and BotFather's command list. */
export interface CommandInfo {
  /** Without the slash, e.g. `balance`. */
  command: string;
  /** Catalogue key of the one-line description. */
  description: MessageKey;
  /** Shown only to admins. */
  adminOnly?: boolean;
}

/**
 * A feature of the bot: its chat handlers, cleanup steps, health checks and
 * lifecycle. Features are created in order (see `app/features.ts`) and started
 * after the background tasks, before polling.
 */
export interface Feature {
  name: string;
  /**
   * Middleware for what is not a command (reports, stickers, prompts),
   * installed in feature order. It sees every update: filter cheaply and call
   * `next()` for what is not yours.
   */
  composer?: Composer<BotContext>;
  /** The feature's chat commands; one router dispatches all features' (see `installFeatures`). */
  commandHandlers?: CommandHandlers<BotContext>;
  commands?: CommandInfo[];
  cleanupSteps?: CleanupStep[];
  healthChecks?: HealthCheck[];
  /** Starts timers and resumes durable work. Called once. */
  start?(): Promise<void>;
  /** Stops timers and waits for work in progress. Called once, in reverse order. */
  stop?(): Promise<void>;
  /** Extra facts for `stickerbot status` and /bg_status, under the feature's name. */
  status?(): Promise<Record<string, unknown>> | Record<string, unknown>;
  /** The config was reloaded (`settings.current` is the new one). Reject to report a problem. */
  reload?(): Promise<void>;
}

/** Creates a feature from the services. */
export type FeatureFactory = (services: Services) => Feature | Promise<Feature>;
