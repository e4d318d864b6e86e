import type { Bot } from "grammy";
import { ConfigHolder } from "../app/config-holder.js";
import { createServices } from "../app/create-services.js";
import { installFeatures } from "../app/install-features.js";
import { FEATURE_FACTORIES } from "../app/features.js";
import type { Feature, Services } from "../app/services.js";
import type { BotContext } from "../bot/context.js";
import { createBot, installCoreMiddleware, type PollingStats } from "../bot/create-bot.js";
import { type Poller, startPolling } from "../bot/polling.js";
import type { Config } from "../config/config.js";
import { loadConfig } from "../config/load-config.js";
import { startControlServer, type ControlServer } from "../control/control-server.js";
import { pingDatabase } from "../database/dialect.js";
import { type Database, migrateDatabase, openDatabase } from "../database/open-database.js";
import { WalCheckpointer } from "../database/wal-checkpointer.js";
import { seedDefaults } from "../database/seed-defaults.js";
import type { Logger } from "../logging/logger.js";
import { BackgroundTaskManager, type TaskRunRecord } from "../tasks/background-task-manager.js";
import type { CleanupResult } from "../tasks/cleanup.js";
import { createRetentionStep } from "../tasks/retention.js";
import { type Clock, systemClock } from "../time/clock.js";
import { claimSocketPath } from "./single-instance.js";
import { buildStatusReport, type StatusReport } from "./status-report.js";
import { notifySystemd } from "./systemd-notify.js";

/** The daemon's lifecycle state, as `status` reports it. */
export type DaemonState = "starting" | "running" | "stopping" | "stopped";

/** Options of {@link Daemon.start}. */
export interface DaemonOptions {
  /** The validated configuration. */
  config: Config;
  /** The config file to re-read on reload; undefined means defaults and environment only. */
  configFile?: string;
  /** The environment reload reads. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  logger: Logger;
  clock?: Clock;
  /** Long-poll timeout of getUpdates, in seconds. Default 30. */
  pollTimeoutSeconds?: number;
  /** Called when a shutdown was asked for over the socket (the runner exits the process). */
  onStopRequested?: () => void;
}

/** Thrown when a startup step fails; everything started before it has been unwound. */
export class StartupError extends Error {
  override readonly name = "StartupError";
  constructor(
    readonly step: string,
    override readonly cause: unknown,
  ) {
    super(`startup failed at "${step}": ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

/** What a reload did. */
export interface ReloadResult {
  reloaded: true;
  /** Keys whose new value needs a restart to take effect (the old value stays). */
  restartRequired: string[];
}

const STARTUP_GET_ME_TIMEOUT_MILLISECONDS = 15_000;

const RESTART_ONLY_KEYS = ["token", "apiRoot", "databasePath", "socketPath", "socketGroupAccess"] as const;

/**
 * The stickerbot daemon: the startup sequence (database, systems, background
 * tasks, status validation, control socket, polling) and the one graceful
 * shutdown path used by SIGINT, SIGTERM and `stickerbot stop`.
 */
export class Daemon {
  private state: DaemonState = "starting";
  private readonly startedAt: number;
  private readonly undo: Array<{ name: string; run: () => Promise<void> }> = [];
  private db: Database | null = null;
  private services: Services | null = null;
  private features: Feature[] = [];
  private tasks: BackgroundTaskManager | null = null;
  private control: ControlServer | null = null;
  private poller: Poller | null = null;
  private bot: Bot<BotContext> | null = null;
  private pollingStats: PollingStats | null = null;
  private shutdownPromise: Promise<void> | null = null;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly settings: ConfigHolder;

  private constructor(private readonly options: DaemonOptions) {
    this.logger = options.logger.child({ component: "daemon" });
    this.clock = options.clock ?? systemClock;
    this.startedAt = this.clock.now();
    this.settings = new ConfigHolder(options.config);
  }

  /** Runs the startup sequence. On failure, unwinds what was started and throws {@link StartupError}. */
  static async start(options: DaemonOptions): Promise<Daemon> {
    const daemon = new Daemon(options);
    try {
      await daemon.runStartupSequence();
    } catch (error) {
      await daemon.unwind();
      throw error;
    }
    return daemon;
  }

  private async step<T>(name: string, action: () => Promise<T>): Promise<T> {
    const started = performance.now();
    this.logger.info(`startup: ${name}`, { step: name });
    try {
      const result = await action();
      this.logger.info(`startup: ${name} done`, { step: name, durationMilliseconds: Math.round(performance.now() - started) });
      return result;
    } catch (error) {
      this.logger.error(`startup: ${name} failed`, { step: name, error: error instanceof Error ? error.message : String(error) });
      throw error instanceof StartupError ? error : new StartupError(name, error);
    }
  }

  private async runStartupSequence(): Promise<void> {
    const config = this.settings.current;
    const logger = this.options.logger;

    await this.step("single instance check", async () => {
      const outcome = await claimSocketPath(config.socketPath);
      if (outcome === "stale") this.logger.warn("removed a stale control socket left by a previous run", { socketPath: config.socketPath });
    });

    // 1. Database.
    const db = await this.step("database", async () => {
      const opened = await openDatabase(config.databasePath);
      this.undo.push({ name: "close database", run: () => opened.destroy() });
      const applied = await migrateDatabase(opened);
      const seeded = await seedDefaults(opened, config, this.clock.now());
      this.logger.info("database ready", { databasePath: config.databasePath, migrationsApplied: applied, seeders: seeded });
      if (config.databasePath !== ":memory:") {
        const checkpointer = new WalCheckpointer({ filename: config.databasePath, logger });
        await checkpointer.start();
        this.undo.push({ name: "stop WAL checkpoints", run: () => checkpointer.stop() });
      }
      return opened;
    });
    this.db = db;

    // 2. Systems.
    const { bot, polling } = createBot({ settings: this.settings, logger });
    this.bot = bot;
    this.pollingStats = polling;
    const tasks = new BackgroundTaskManager({
      logger,
      clock: this.clock,
      onRunFinished: (name, record) => this.recordTaskRun(name, record),
    });
    this.tasks = tasks;
    const services: Services = await this.step("systems", async () => {
      const created = createServices({ settings: this.settings, db, logger, clock: this.clock, api: bot.api, tasks });
      const roster = created.roster;
      roster.start();
      this.undo.push({ name: "flush users", run: () => roster.stop() });
      for (const factory of FEATURE_FACTORIES) {
        const feature = await factory(created);
        created.features.set(feature.name, feature);
        this.features.push(feature);
      }
      this.logger.info("systems created", { features: this.features.map((feature) => feature.name) });
      return created;
    });
    this.services = services;

    // 3. Background tasks: the cleanup and the health monitor, with their parts.
    await this.step("background tasks", async () => {
      services.cleanup.addStep(createRetentionStep(db, this.settings));
      for (const feature of this.features) for (const step of feature.cleanupSteps ?? []) services.cleanup.addStep(step);
      services.health.addCheck({
        name: "database",
        check: async () => {
          await pingDatabase(db);
          return { ok: true, detail: "reachable" };
        },
      });
      services.health.addCheck({
        name: "backgroundTasks",
        check: async () => ({ ok: tasks.isRunning(), detail: tasks.isRunning() ? "loops alive" : "a loop is not running" }),
      });
      services.health.addCheck({ name: "polling", check: async () => this.checkPolling() });
      for (const feature of this.features) for (const check of feature.healthChecks ?? []) services.health.addCheck(check);
      tasks.register({
        name: "cleanup",
        intervalSeconds: config.timings.cleanupIntervalSeconds,
        run: (signal) => services.cleanup.run(signal),
      });
      tasks.register({
        name: "monitor",
        intervalSeconds: config.timings.monitorIntervalSeconds,
        run: () => services.health.run(),
      });
    });

    // 4. Periodic tasks started.
    await this.step("periodic tasks", async () => {
      tasks.start();
      this.undo.push({ name: "stop periodic tasks", run: () => tasks.stop() });
    });

    // 5. Status validation: the loops must really be running before the bot goes live.
    await this.step("status validation", async () => {
      if (!tasks.isRunning()) throw new Error("the background task loops are not running");
      const summary = tasks.status().map((task) => ({ task: task.name, intervalSeconds: task.intervalSeconds, nextRunAt: task.nextRunAt }));
      this.logger.info("background tasks confirmed running", { tasks: summary });
    });

    await this.step("features", async () => {
      for (const feature of this.features) {
        if (feature.start === undefined) continue;
        await feature.start();
        if (feature.stop !== undefined) this.undo.push({ name: `stop ${feature.name}`, run: () => feature.stop!() });
      }
    });

    // 6. Control socket, then polling, then running.
    await this.step("control socket", async () => {
      this.control = await startControlServer({
        socketPath: config.socketPath,
        groupAccess: config.socketGroupAccess,
        logger,
        isStopping: () => this.state === "stopping" || this.state === "stopped",
        handlers: {
          ping: async () => ({ pid: process.pid, state: this.state }),
          status: async () => this.status(),
          cleanup: async () => this.runCleanupNow(),
          reload: async () => this.reload(),
          stop: async () => {
            setImmediate(() => this.options.onStopRequested?.());
            return { stopping: true, pid: process.pid };
          },
        },
      });
      const control = this.control;
      this.undo.push({ name: "close control socket", run: () => control.close() });
    });

    await this.step("bot polling", async () => {
      // Fail the start (systemd restarts us) rather than hang when the Bot API is unreachable.
      await bot.init(AbortSignal.timeout(STARTUP_GET_ME_TIMEOUT_MILLISECONDS) as Parameters<typeof bot.init>[0]);
      const me = bot.botInfo;
      this.logger.info("bot identity", { botId: me.id, username: me.username });
      if (!me.can_read_all_group_messages) {
        this.logger.warn(
          "privacy mode is on: the bot cannot see other bots' messages in groups, so game reports earn nothing. In BotFather: /setprivacy → Disable, and turn on Bot-to-Bot Communication Mode; make the bot an admin of each group (Telegram delivers other bots' messages only then), then remove and re-add it to each group",
          { username: me.username },
        );
      }
      // Updates of one chat are handled strictly in order, different chats in parallel (ChatOrderedSink).
      installCoreMiddleware(bot, services);
      installFeatures(bot, this.features);
      this.poller = await startPolling(bot, {
        logger,
        stats: this.pollingStats!,
        pollTimeoutSeconds: this.options.pollTimeoutSeconds,
      });
      const poller = this.poller;
      this.undo.push({ name: "stop polling", run: () => poller.stop() });
    });

    this.state = "running";
    this.logger.info("running", { pid: process.pid, socketPath: config.socketPath, startupMilliseconds: this.clock.now() - this.startedAt });
    await notifySystemd(this.logger, "--ready", "--status=running");
  }

  /** Runs the undo stack in reverse; each step's error is logged and the rest still run. */
  private async unwind(): Promise<void> {
    while (this.undo.length > 0) {
      const { name, run } = this.undo.pop()!;
      try {
        await run();
      } catch (error) {
        this.logger.error(`unwind: ${name} failed`, { error: String(error) });
      }
    }
  }

  private checkPolling(): { ok: boolean; detail: string } {
    const stats = this.pollingStats;
    if (this.poller === null || stats === null) return { ok: this.state !== "running", detail: "polling not started" };
    if (!this.poller.isRunning()) return { ok: false, detail: "polling stopped" };
    const last = stats.lastSuccessfulPollAt;
    if (last === null) return { ok: false, detail: "no successful getUpdates yet" };
    const ageSeconds = (Date.now() - last) / 1000;
    // A long poll lasts up to its timeout; allow two of them plus a margin.
    const limitSeconds = 2 * (this.options.pollTimeoutSeconds ?? 30) + 15;
    return { ok: ageSeconds <= limitSeconds, detail: `last successful getUpdates ${Math.round(ageSeconds)} s ago` };
  }

  private async recordTaskRun(name: string, record: TaskRunRecord): Promise<void> {
    // The monitor runs every minute: keep only its failures, not 1,440 rows a day.
    if (this.db === null || (name === "monitor" && record.outcome === "ok")) return;
    await this.db("task_runs").insert({
      task: name,
      trigger: record.trigger,
      started_at: Date.parse(record.startedAt),
      finished_at: Date.parse(record.finishedAt),
      result: record.result === null ? null : JSON.stringify(record.result),
      error: record.error,
    });
  }

  /** Runs the cleanup now (after any run in progress) and returns its result. */
  async runCleanupNow(): Promise<CleanupResult & { startedAt: string; finishedAt: string; durationMilliseconds: number }> {
    if (this.tasks === null) throw new Error("background tasks are not started");
    const record = await this.tasks.runNow("cleanup");
    if (record.outcome === "error") throw new Error(`cleanup failed: ${record.error}`);
    return { ...(record.result as CleanupResult), startedAt: record.startedAt, finishedAt: record.finishedAt, durationMilliseconds: record.durationMilliseconds };
  }

  /** The facts `stickerbot status` shows. */
  async status(): Promise<StatusReport> {
    const featureStatus: Record<string, unknown> = {};
    for (const feature of this.features) {
      if (feature.status === undefined) continue;
      try {
        featureStatus[feature.name] = await feature.status();
      } catch (error) {
        featureStatus[feature.name] = { error: String(error) };
      }
    }
    return buildStatusReport({
      state: this.state === "stopped" ? "stopping" : this.state,
      startedAt: this.startedAt,
      now: this.clock.now(),
      config: this.settings.current,
      tasks: this.tasks,
      health: this.services?.health.report() ?? null,
      polling: { running: this.poller?.isRunning() ?? false, lastSuccessfulPollAt: this.pollingStats?.lastSuccessfulPollAt ?? null },
      features: featureStatus,
    });
  }

  /**
   * Re-reads the config file and environment. Invalid config is rejected (the
   * error says why) and the old one stays in force. Settings that need a
   * restart keep their old value and are listed in the result.
   */
  async reload(): Promise<ReloadResult> {
    const next = loadConfig({ configFile: this.options.configFile, env: this.options.env ?? process.env });
    const previous = this.settings.current;
    const restartRequired = RESTART_ONLY_KEYS.filter((key) => JSON.stringify(next[key]) !== JSON.stringify(previous[key]));
    for (const key of restartRequired) (next as unknown as Record<string, unknown>)[key] = previous[key];
    this.settings.replace(next);
    this.options.logger.level = next.logLevel;
    this.tasks?.updateInterval("cleanup", next.timings.cleanupIntervalSeconds);
    this.tasks?.updateInterval("monitor", next.timings.monitorIntervalSeconds);
    const errors: string[] = [];
    for (const feature of this.features) {
      try {
        await feature.reload?.();
      } catch (error) {
        errors.push(`${feature.name}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (errors.length > 0) {
      this.settings.replace(previous);
      this.options.logger.level = previous.logLevel;
      throw new Error(`reload rejected, the previous configuration stays in force: ${errors.join("; ")}`);
    }
    this.logger.info("configuration reloaded", { configFile: this.options.configFile, restartRequired });
    return { reloaded: true, restartRequired };
  }

  /** The current lifecycle state. */
  getState(): DaemonState {
    return this.state;
  }

  /**
   * The one graceful shutdown path: stop answering control commands other than
   * status, stop polling (confirming the offset), stop the periodic tasks and
   * wait for a run in progress, verify they stopped, stop the features, flush
   * users, close the database, remove the socket. A failing step is logged and
   * the rest still run. Calling it again returns the same promise.
   */
  shutdown(reason: string): Promise<void> {
    this.shutdownPromise ??= this.runShutdown(reason);
    return this.shutdownPromise;
  }

  private async runShutdown(reason: string): Promise<void> {
    this.state = "stopping";
    this.logger.info("shutdown started", { reason });
    void notifySystemd(this.logger, "--status=stopping", "STOPPING=1");
    const run = async (name: string, action: () => Promise<void>) => {
      try {
        await action();
        this.logger.info(`shutdown: ${name}`);
      } catch (error) {
        this.logger.error(`shutdown: ${name} failed`, { error: error instanceof Error ? error.message : String(error) });
      }
    };
    const take = (name: string) => {
      const index = this.undo.findIndex((entry) => entry.name === name);
      return index === -1 ? undefined : this.undo.splice(index, 1)[0];
    };
    const poll = take("stop polling");
    if (poll) await run("polling stopped", poll.run);
    const tasks = take("stop periodic tasks");
    if (tasks) {
      await run("periodic tasks stopped", tasks.run);
      await run("periodic tasks verified stopped", async () => {
        if (!this.tasks!.isStopped()) throw new Error("a periodic task is still running");
      });
    }
    const socket = take("close control socket");
    // Features, users and database, in reverse order of start.
    await this.unwind();
    this.services = null;
    this.tasks = null;
    if (socket) await run("control socket removed", socket.run);
    this.state = "stopped";
    this.logger.info("shutdown complete", { reason });
  }
}
