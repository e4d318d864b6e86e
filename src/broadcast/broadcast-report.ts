import type { Language } from "../config/config.js";
import { translate } from "../i18n/catalogue.js";
import { formatLocalizedDuration } from "../admin/format-time.js";
import type { BroadcastCounts, BroadcastJob } from "./broadcast-store.js";

/** The text of the admin's progress message while a broadcast is sending. */
export function formatBroadcastProgress(job: BroadcastJob, counts: BroadcastCounts, pausedForMilliseconds: number): string {
  const language = job.language;
  const done = counts.sent + counts.failed + counts.unreachable;
  const total = Math.max(job.total, counts.total);
  const lines = [
    translate(language, "admin.broadcast.progress", {
      id: String(job.id),
      done,
      total,
      percent: total === 0 ? 100 : Math.floor((done / total) * 100),
      sent: counts.sent,
      unreachable: counts.unreachable,
      failed: counts.failed,
      left: counts.pending + counts.sending,
    }),
  ];
  if (pausedForMilliseconds > 0) lines.push(translate(language, "admin.broadcast.paused", { seconds: Math.ceil(pausedForMilliseconds / 1000) }));
  return lines.join("\n");
}

/** The final report: sent, failed by reason, unreachable, possibly duplicated, not sent, 429s and duration. */
export function formatBroadcastReport(
  job: BroadcastJob,
  counts: BroadcastCounts,
  outcome: "done" | "cancelled",
  durationMilliseconds: number,
): string {
  const language: Language = job.language;
  const duration = formatLocalizedDuration(language, durationMilliseconds / 1000);
  const lines = [
    translate(language, outcome === "done" ? "admin.broadcast.finished" : "admin.broadcast.cancelled", { id: String(job.id), duration }),
    translate(language, "admin.broadcast.report", {
      total: Math.max(job.total, counts.total),
      sent: counts.sent,
      failed: counts.failed,
      unreachable: counts.unreachable,
      duplicated: counts.possiblyDuplicated,
      notSent: counts.pending + counts.sending,
      rateLimited: job.rateLimitedCount,
    }),
    ...counts.failedByReason.map(({ reason, count }) => translate(language, "admin.broadcast.failedReason", { reason, count })),
  ];
  return lines.join("\n");
}
