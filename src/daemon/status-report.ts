import type { Config } from "../config/config.js";
import type { BackgroundTaskManager, TaskStatus } from "../tasks/background-task-manager.js";
import type { HealthReport } from "../tasks/health-monitor.js";

/** The JSON `stickerbot status --json` prints. Field names are stable: scripts read them. */
export interface StatusReport {
  state: "starting" | "running" | "stopping";
  pid: number;
  version: string;
  startedAt: string;
  uptimeSeconds: number;
  socketPath: string;
  databasePath: string;
  backgroundTasks: {
    /** Every periodic loop is alive. */
    running: boolean;
    cleanup: TaskStatus | null;
    monitor: TaskStatus | null;
  };
  health: HealthReport;
  polling: { running: boolean; lastSuccessfulPollAt: string | null };
  /** Facts of individual features (sticker passes, broadcasts, ...). */
  features: Record<string, unknown>;
  memory: { rssBytes: number; heapUsedBytes: number };
}

/** The package version, set by the CLI from package.json. */
export const VERSION = { current: "0.0.0" };

/** Assembles the status report from the daemon's parts. */
export function buildStatusReport(input: {
  state: StatusReport["state"];
  startedAt: number;
  now: number;
  config: Config;
  tasks: BackgroundTaskManager | null;
  health: HealthReport | null;
  polling: { running: boolean; lastSuccessfulPollAt: number | null };
  features: Record<string, unknown>;
}): StatusReport {
  const memory = process.memoryUsage();
  return {
    state: input.state,
    pid: process.pid,
    version: VERSION.current,
    startedAt: new Date(input.startedAt).toISOString(),
    uptimeSeconds: Math.max(0, Math.floor((input.now - input.startedAt) / 1000)),
    socketPath: input.config.socketPath,
    databasePath: input.config.databasePath,
    backgroundTasks: {
      running: input.tasks?.isRunning() ?? false,
      cleanup: input.tasks?.taskStatus("cleanup") ?? null,
      monitor: input.tasks?.taskStatus("monitor") ?? null,
    },
    health: input.health ?? { status: "unknown", checkedAt: null, checks: {} },
    polling: {
      running: input.polling.running,
      lastSuccessfulPollAt: input.polling.lastSuccessfulPollAt === null ? null : new Date(input.polling.lastSuccessfulPollAt).toISOString(),
    },
    features: input.features,
    memory: { rssBytes: memory.rss, heapUsedBytes: memory.heapUsed },
  };
}
