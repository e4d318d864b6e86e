import type { Logger } from "../logging/logger.js";

/**
 * The result of one cleanup, as `stickerbot cleanup --json`, `/cleanup_now`
 * and `status` report it. Counts are of what this run did.
 */
export interface CleanupResult {
  /** Sticker passes whose expiry was processed now. */
  revokedPasses: number;
  /** Scheduled sticker deletions since the last run: done, skipped (older than 48 h, pass bought), failed. */
  deletions: { executed: number; skipped: number; failed: number };
  /** Old records removed, by kind (e.g. `taskRuns`, `stickerDeletions`, `parsedTransactions`). */
  purged: Record<string, number>;
  /** One line per part that failed; the other parts still ran. */
  errors: string[];
}

/** What a part of the cleanup returns; missing fields count as zero. */
export interface CleanupContribution {
  revokedPasses?: number;
  deletions?: Partial<CleanupResult["deletions"]>;
  purged?: Record<string, number>;
  errors?: string[];
}

/** A named part of the cleanup, contributed by a feature. */
export interface CleanupStep {
  name: string;
  run(now: number, signal: AbortSignal): Promise<CleanupContribution>;
}

/** An empty result, for merging contributions into. */
export function createEmptyCleanupResult(): CleanupResult {
  return { revokedPasses: 0, deletions: { executed: 0, skipped: 0, failed: 0 }, purged: {}, errors: [] };
}

/**
 * The cleanup task: runs every step in order; a failing step is recorded in
 * `errors` and the others still run.
 */
export class Cleanup {
  private readonly steps: CleanupStep[] = [];

  constructor(
    private readonly logger: Logger,
    private readonly now: () => number,
  ) {}

  /** Adds a step; steps run in the order they were added. */
  addStep(step: CleanupStep): void {
    this.steps.push(step);
  }

  /** Runs all steps once. */
  async run(signal: AbortSignal): Promise<CleanupResult> {
    const result = createEmptyCleanupResult();
    const now = this.now();
    for (const step of this.steps) {
      try {
        const part = await step.run(now, signal);
        result.revokedPasses += part.revokedPasses ?? 0;
        result.deletions.executed += part.deletions?.executed ?? 0;
        result.deletions.skipped += part.deletions?.skipped ?? 0;
        result.deletions.failed += part.deletions?.failed ?? 0;
        for (const [kind, count] of Object.entries(part.purged ?? {})) {
          result.purged[kind] = (result.purged[kind] ?? 0) + count;
        }
        result.errors.push(...(part.errors ?? []));
      } catch (error) {
        const message = `${step.name}: ${error instanceof Error ? error.message : String(error)}`;
        this.logger.error("cleanup step failed", { component: "cleanup", step: step.name, error: message });
        result.errors.push(message);
      }
    }
    return result;
  }
}
