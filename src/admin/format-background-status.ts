import type { Language } from "../config/config.js";
import { translate } from "../i18n/catalogue.js";
import type { TaskStatus } from "../tasks/background-task-manager.js";
import type { CleanupResult } from "../tasks/cleanup.js";
import type { HealthReport } from "../tasks/health-monitor.js";
import { formatLocalizedDuration, formatTimestamp } from "./format-time.js";

/** The facts /bg_status shows: those of `stickerbot status`, gathered from the services. */
export interface BackgroundStatusFacts {
  tasksRunning: boolean;
  tasks: TaskStatus[];
  health: HealthReport;
  /** `status()` of every feature that has one, by feature name. */
  features: Record<string, unknown>;
  pid: number;
  uptimeSeconds: number;
  rssBytes: number;
  now: number;
}

/** Longest JSON shown for one feature's facts, in characters. */
const MAX_FEATURE_FACTS_LENGTH = 300;
/** Telegram's limit on a message's text. */
const MAX_MESSAGE_LENGTH = 4096;

/** The text of /bg_status. */
export function formatBackgroundStatus(language: Language, facts: BackgroundStatusFacts): string {
  const t = (key: Parameters<typeof translate>[1], params?: Parameters<typeof translate>[2]) => translate(language, key, params);
  const lines = [t("admin.bg.title", { state: t(facts.tasksRunning ? "admin.bg.running" : "admin.bg.notRunning") })];
  for (const task of facts.tasks) {
    lines.push(
      t("admin.bg.task", {
        name: task.name,
        interval: formatLocalizedDuration(language, task.intervalSeconds),
        runs: task.runCount,
        errors: task.errorCount,
      }),
    );
    if (task.busy) lines.push(t("admin.bg.busy"));
    const last = task.lastRun;
    if (last === null) {
      lines.push(t("admin.bg.lastRunNever"));
    } else {
      lines.push(
        t("admin.bg.lastRun", {
          at: formatTimestamp(Date.parse(last.finishedAt)),
          outcome: last.outcome === "ok" ? t("admin.bg.outcomeOk") : t("admin.bg.outcomeError", { error: last.error ?? "" }),
          milliseconds: last.durationMilliseconds,
        }),
      );
      if (isCleanupResult(last.result)) lines.push(formatCleanupLine(language, last.result));
    }
    lines.push(
      task.nextRunAt === null
        ? t("admin.bg.nextRunNone")
        : t("admin.bg.nextRun", {
            in: formatLocalizedDuration(language, (Date.parse(task.nextRunAt) - facts.now) / 1000),
            at: formatTimestamp(Date.parse(task.nextRunAt)),
          }),
    );
  }
  const healthStatus = { ok: "admin.bg.healthOk", failing: "admin.bg.healthFailing", unknown: "admin.bg.healthUnknown" } as const;
  lines.push(
    t("admin.bg.health", {
      status: t(healthStatus[facts.health.status]),
      checked: facts.health.checkedAt === null ? "" : t("admin.bg.healthChecked", { at: formatTimestamp(Date.parse(facts.health.checkedAt)) }),
    }),
  );
  for (const [name, check] of Object.entries(facts.health.checks)) {
    lines.push(t("admin.bg.check", { mark: check.ok ? "✅" : "❌", name, detail: check.detail }));
  }
  lines.push(
    t("admin.bg.process", {
      pid: String(facts.pid),
      uptime: formatLocalizedDuration(language, facts.uptimeSeconds),
      megabytes: Math.round((facts.rssBytes / 1_048_576) * 10) / 10,
    }),
  );
  const featureLines: string[] = [];
  for (const [name, value] of Object.entries(facts.features)) {
    if (name === "broadcast" && isBroadcastStatus(value)) {
      const running = value.running;
      featureLines.push(
        running === null
          ? t("admin.bg.broadcastIdle")
          : t("admin.bg.broadcastRunning", {
              id: String(running.id),
              done: running.sent + running.failed + running.unreachable,
              total: running.total,
              queued: value.queued.length,
            }),
      );
      continue;
    }
    let json = JSON.stringify(value) ?? "null";
    if (json.length > MAX_FEATURE_FACTS_LENGTH) json = `${json.slice(0, MAX_FEATURE_FACTS_LENGTH - 1)}…`;
    featureLines.push(t("admin.bg.feature", { name, facts: json }));
  }
  if (featureLines.length > 0) lines.push(t("admin.bg.features"), ...featureLines);
  const text = lines.join("\n");
  return text.length <= MAX_MESSAGE_LENGTH ? text : `${text.slice(0, MAX_MESSAGE_LENGTH - 1)}…`;
}

/** The cleanup result as one line of /bg_status. */
function formatCleanupLine(language: Language, result: CleanupResult): string {
  return translate(language, "admin.bg.cleanupResult", {
    revoked: result.revokedPasses,
    executed: result.deletions.executed,
    skipped: result.deletions.skipped,
    failed: result.deletions.failed,
    purged: formatPurged(language, result.purged),
    errors: result.errors.length === 0 ? translate(language, "admin.none") : result.errors.join("; "),
  });
}

/** `taskRuns 3, broadcasts 1`, or "none". */
export function formatPurged(language: Language, purged: Record<string, number>): string {
  const parts = Object.entries(purged)
    .filter(([, count]) => count > 0)
    .map(([kind, count]) => `${kind} ${count}`);
  return parts.length === 0 ? translate(language, "admin.none") : parts.join(", ");
}

function isCleanupResult(value: unknown): value is CleanupResult {
  return typeof value === "object" && value !== null && "revokedPasses" in value && "deletions" in value;
}

function isBroadcastStatus(value: unknown): value is {
  running: { id: number; total: number; sent: number; failed: number; unreachable: number } | null;
  queued: unknown[];
} {
  return typeof value === "object" && value !== null && "running" in value && Array.isArray((value as { queued?: unknown }).queued);
}
