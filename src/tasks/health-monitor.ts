import type { Logger } from "../logging/logger.js";

/** One health check's outcome. */
export interface HealthCheckResult {
  ok: boolean;
  /** A short human explanation, e.g. "last getUpdates 3 s ago". */
  detail: string;
}

/** The latest health report, as `status` shows it. */
export interface HealthReport {
  /** `ok` when every check passed, `failing` otherwise; `unknown` before the first check. */
  status: "ok" | "failing" | "unknown";
  checkedAt: string | null;
  checks: Record<string, HealthCheckResult>;
}

/** A named check: resolves with its result; a throw counts as failed. */
export interface HealthCheck {
  name: string;
  check(): Promise<HealthCheckResult>;
}

/**
 * Runs the health checks (database reachable, polling alive, background loops
 * alive, and whatever features add), keeps the latest report, and logs
 * transitions between healthy and failing at warn/info so the journal shows them.
 */
export class HealthMonitor {
  private readonly checks: HealthCheck[] = [];
  private latest: HealthReport = { status: "unknown", checkedAt: null, checks: {} };

  constructor(
    private readonly logger: Logger,
    private readonly now: () => number,
  ) {}

  addCheck(check: HealthCheck): void {
    this.checks.push(check);
  }

  /** The latest report. */
  report(): HealthReport {
    return this.latest;
  }

  /** Runs every check now and stores the report. */
  async run(): Promise<HealthReport> {
    const checks: Record<string, HealthCheckResult> = {};
    for (const { name, check } of this.checks) {
      try {
        checks[name] = await check();
      } catch (error) {
        checks[name] = { ok: false, detail: error instanceof Error ? error.message : String(error) };
      }
    }
    const failing = Object.entries(checks).filter(([, result]) => !result.ok);
    const report: HealthReport = {
      status: failing.length === 0 ? "ok" : "failing",
      checkedAt: new Date(this.now()).toISOString(),
      checks,
    };
    if (report.status === "failing") {
      this.logger.warn("health check failing", {
        component: "health",
        failing: Object.fromEntries(failing.map(([name, result]) => [name, result.detail])),
      });
    } else if (this.latest.status === "failing") {
      this.logger.info("health recovered", { component: "health" });
    }
    this.latest = report;
    return report;
  }
}
