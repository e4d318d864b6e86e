import type { StatusReport } from "../daemon/status-report.js";
import type { TaskStatus } from "../tasks/background-task-manager.js";

/** Formats a duration in seconds as `2d 3h`, `5m 10s`, `42s`. */
export function formatDuration(totalSeconds: number): string {
  const seconds = Math.max(0, Math.round(totalSeconds));
  const days = Math.floor(seconds / 86400);
  const hours = Math.floor((seconds % 86400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  if (days > 0) return `${days}d ${hours}h`;
  if (hours > 0) return `${hours}h ${minutes}m`;
  if (minutes > 0) return `${minutes}m ${rest}s`;
  return `${rest}s`;
}

function formatTask(task: TaskStatus | null, now: number): string[] {
  if (task === null) return ["  (not registered)"];
  const last = task.lastRun;
  const lastLine =
    last === null
      ? "never"
      : `${last.finishedAt} (${last.outcome}${last.error ? `: ${last.error}` : ""}, ${last.durationMilliseconds} ms)` +
        (last.result !== null && typeof last.result === "object" && "revokedPasses" in (last.result as object)
          ? ` result ${JSON.stringify(last.result)}`
          : "");
  const next = task.nextRunAt === null ? (task.busy ? "running now" : "not scheduled") : `${task.nextRunAt} (in ${formatDuration((Date.parse(task.nextRunAt) - now) / 1000)})`;
  return [
    `  ${task.name}: every ${formatDuration(task.intervalSeconds)}, ${task.runCount} runs, ${task.errorCount} errors${task.busy ? ", running now" : ""}`,
    `    last run: ${lastLine}`,
    `    next run: ${next}`,
  ];
}

/** The human output of `stickerbot status`. */
export function formatStatus(report: StatusReport, now = Date.now()): string {
  const lines = [
    `stickerbot ${report.version}: ${report.state}`,
    `  pid ${report.pid}, up ${formatDuration(report.uptimeSeconds)} (since ${report.startedAt})`,
    `  socket ${report.socketPath}`,
    `  database ${report.databasePath}`,
    `  memory ${(report.memory.rssBytes / 1048576).toFixed(1)} MB RSS`,
    `  polling: ${report.polling.running ? "running" : "stopped"}, last getUpdates ${report.polling.lastSuccessfulPollAt ?? "never"}`,
    `background tasks: ${report.backgroundTasks.running ? "running" : "NOT RUNNING"}`,
    ...formatTask(report.backgroundTasks.cleanup, now),
    ...formatTask(report.backgroundTasks.monitor, now),
    `health: ${report.health.status}${report.health.checkedAt ? ` (checked ${report.health.checkedAt})` : ""}`,
    ...Object.entries(report.health.checks).map(([name, check]) => `  ${check.ok ? "ok  " : "FAIL"} ${name}: ${check.detail}`),
  ];
  for (const [name, facts] of Object.entries(report.features)) {
    lines.push(`${name}: ${JSON.stringify(facts)}`);
  }
  return lines.join("\n");
}
