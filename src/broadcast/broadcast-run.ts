import { type Api, GrammyError, HttpError } from "grammy";
import type { ConfigHolder } from "../app/config-holder.js";
import type { Logger } from "../logging/logger.js";
import { sleep } from "../time/abortable-sleep.js";
import type { UserRoster } from "../users/user-roster.js";
import type { BroadcastCounts, BroadcastJob, BroadcastStore } from "./broadcast-store.js";
import type { SendPacer } from "./send-pacer.js";

/** How a run ended: all recipients handled, cancelled by an admin, or stopped by a shutdown (resumable). */
export type BroadcastOutcome = "done" | "cancelled" | "stopped";

/** What a run reports to its owner (the progress message and the final report). */
export interface BroadcastRunObserver {
  /** Called every `progressIntervalSeconds` while sending. */
  onProgress(job: BroadcastJob, counts: BroadcastCounts, pausedForMilliseconds: number): Promise<void>;
  /** Called once at the end when the outcome is done or cancelled. */
  onFinished(job: BroadcastJob, counts: BroadcastCounts, outcome: "done" | "cancelled", durationMilliseconds: number): Promise<void>;
}

/** What a {@link BroadcastRun} needs. */
export interface BroadcastRunOptions {
  job: BroadcastJob;
  store: BroadcastStore;
  /** A Bot API client WITHOUT auto-retry: a 429 must pause the whole broadcast, not one request. */
  api: Api;
  pacer: SendPacer;
  settings: ConfigHolder;
  roster: UserRoster;
  logger: Logger;
  observer: BroadcastRunObserver;
  /** Wall clock in milliseconds (for durations shown to the admin). */
  now: () => number;
}

/** Recipients read from the database at a time. */
const PAGE_SIZE = 200;
/** First retry delay after a retryable error, in milliseconds; doubles per attempt. */
const RETRY_BASE_DELAY_MILLISECONDS = 500;
/** Longest retry delay, in milliseconds. */
const RETRY_MAX_DELAY_MILLISECONDS = 30_000;
/** How long stopping waits for a progress edit in flight, in milliseconds. */
const PROGRESS_STOP_WAIT_MILLISECONDS = 2000;

interface WorkItem {
  userId: number;
  /** Attempts that counted so far (429s do not count). */
  attempts: number;
  /** performance.now() before which it is not tried again. */
  notBefore: number;
}

/**
 * Sends one broadcast job: `concurrency` workers take recipients in user id
 * order, each marks its recipient `sending` (durably) before the request and
 * records the outcome after it, so after a crash only the requests in flight
 * are uncertain. The {@link SendPacer} keeps the overall rate.
 *
 * Errors: 429 pauses every worker for `retry_after` and retries the recipient
 * (not counted as an attempt); 403 marks the user unreachable; 5xx and network
 * errors are retried with backoff up to `maxAttempts`; other 4xx (Bad Request:
 * chat not found, ...) do not change when asked again and fail at once.
 */
export class BroadcastRun {
  private readonly halt = new AbortController();
  private readonly requests = new AbortController();
  private haltReason: "cancelled" | "stopped" | null = null;
  private cancelledBy: number | undefined;
  private readonly page: number[] = [];
  private cursor = 0;
  private exhausted = false;
  private loading: Promise<void> | null = null;
  private readonly retries: WorkItem[] = [];
  private inFlight = 0;
  private workers: Promise<void> | null = null;
  private readonly logger: Logger;
  private job: BroadcastJob;

  constructor(private readonly options: BroadcastRunOptions) {
    this.job = options.job;
    this.logger = options.logger.child({ component: "broadcast", broadcastId: options.job.id });
  }

  /** The id of the job being sent. */
  get id(): number {
    return this.job.id;
  }

  /** Sends until every recipient is handled, or until cancelled or stopped. */
  async execute(): Promise<BroadcastOutcome> {
    const { store, settings } = this.options;
    const startedAt = this.options.now();
    const flagged = await store.markRunning(this.job.id);
    this.job = (await store.get(this.job.id)) ?? this.job;
    if (flagged > 0) this.logger.warn("resuming broadcast: recipients in flight at the crash are sent again", { possiblyDuplicated: flagged });
    this.logger.info("broadcast sending", { total: this.job.total, resumed: flagged > 0 });
    const progress = this.startProgressLoop();
    const concurrency = Math.max(1, settings.current.broadcast.concurrency);
    this.workers = Promise.all(Array.from({ length: concurrency }, () => this.work())).then(() => undefined);
    try {
      await this.workers;
    } finally {
      await progress.stop();
    }
    if (this.haltReason === "stopped") {
      this.logger.info("broadcast paused by shutdown; it resumes at the next start");
      return "stopped";
    }
    const outcome = this.haltReason === "cancelled" ? "cancelled" : "done";
    await store.finish(this.job.id, outcome, this.cancelledBy);
    this.job = (await store.get(this.job.id)) ?? this.job;
    const counts = await store.counts(this.job.id);
    const durationMilliseconds = (this.job.finishedAt ?? this.options.now()) - (this.job.startedAt ?? startedAt);
    const { failedByReason, ...totals } = counts;
    this.logger.info("broadcast finished", { outcome, durationMilliseconds, ...totals, failedByReason, rateLimited: this.job.rateLimitedCount });
    try {
      await this.options.observer.onFinished(this.job, counts, outcome, durationMilliseconds);
    } catch (error) {
      this.logger.warn("could not send the broadcast report", { error: describeError(error) });
    }
    return outcome;
  }

  /** Stops sending new messages; {@link execute} then finishes the job as cancelled. Resolves when in-flight sends settled. */
  async cancel(adminId: number | undefined): Promise<void> {
    if (this.haltReason === null) {
      this.haltReason = "cancelled";
      this.cancelledBy = adminId;
      this.halt.abort();
    }
    await this.workers;
  }

  /**
   * Stops sending (shutdown): waits up to `graceMilliseconds` for requests in
   * flight, then aborts them (they stay `sending` and count as possibly
   * duplicated when the job resumes). The job stays `running`.
   */
  async stop(graceMilliseconds: number): Promise<void> {
    if (this.haltReason === null) this.haltReason = "stopped";
    this.halt.abort();
    if (this.workers === null) return;
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), graceMilliseconds)));
    const settled = await Promise.race([this.workers.then(() => "settled" as const), graceOver]);
    clearTimeout(timer);
    if (settled === "timeout") {
      this.logger.warn("broadcast requests still in flight at shutdown: aborting them", { inFlight: this.inFlight });
      this.requests.abort();
      await this.workers;
    }
  }

  /** Requests in flight now. */
  inFlightCount(): number {
    return this.inFlight;
  }

  private async work(): Promise<void> {
    for (;;) {
      if (this.halt.signal.aborted) return;
      const item = await this.nextItem();
      if (item === null) return;
      await this.sendOne(item);
    }
  }

  /** The next recipient: a retry that is due, else the next pending one; waits for retries not yet due. Null when done. */
  private async nextItem(): Promise<WorkItem | null> {
    for (;;) {
      if (this.halt.signal.aborted) return null;
      const now = performance.now();
      const dueIndex = this.retries.findIndex((retry) => retry.notBefore <= now);
      if (dueIndex !== -1) return this.retries.splice(dueIndex, 1)[0];
      if (this.page.length === 0 && !this.exhausted) await this.loadPage();
      const userId = this.page.shift();
      if (userId !== undefined) return { userId, attempts: 0, notBefore: 0 };
      if (this.retries.length === 0) return null;
      const earliest = Math.min(...this.retries.map((retry) => retry.notBefore));
      await sleep(Math.max(1, earliest - now), this.halt.signal);
    }
  }

  private async loadPage(): Promise<void> {
    // Several workers may find the page empty at once: one read serves them all.
    this.loading ??= (async () => {
      const ids = await this.options.store.pendingRecipients(this.job.id, this.cursor, PAGE_SIZE);
      if (ids.length === 0) this.exhausted = true;
      else this.cursor = ids[ids.length - 1];
      this.page.push(...ids);
    })().finally(() => {
      this.loading = null;
    });
    await this.loading;
  }

  private async sendOne(item: WorkItem): Promise<void> {
    const { store, api, pacer } = this.options;
    const jobId = this.job.id;
    const { userId } = item;
    // Durable before the request: a crash from here on leaves it `sending` (possibly delivered).
    await store.markSending(jobId, userId);
    const ticket = await pacer.acquire(this.halt.signal);
    if (ticket === null || this.halt.signal.aborted) {
      if (ticket !== null) pacer.complete(ticket);
      await store.markRetry(jobId, userId, item.attempts, null);
      return;
    }
    this.inFlight += 1;
    let failure: { error: unknown } | null = null;
    try {
      // grammY types its signal with the abort-controller polyfill; Node's is compatible at runtime.
      const signal = this.requests.signal as Parameters<Api["sendMessage"]>[3];
      await api.sendMessage(userId, this.job.text, { entities: this.job.entities }, signal);
    } catch (error) {
      failure = { error };
    } finally {
      pacer.complete(ticket);
      this.inFlight -= 1;
    }
    if (failure === null) await store.markSent(jobId, userId, item.attempts + 1);
    else await this.handleFailure(item, failure.error);
  }

  private async handleFailure(item: WorkItem, error: unknown): Promise<void> {
    const { store, pacer, roster, settings } = this.options;
    const jobId = this.job.id;
    const { userId } = item;
    const attempts = item.attempts + 1;
    const maxAttempts = Math.max(1, settings.current.broadcast.maxAttempts);
    if (error instanceof GrammyError) {
      const reason = `${error.error_code}: ${error.description}`;
      if (error.error_code === 429) {
        // The flood wait applies to the bot, not to this message: everyone waits.
        const retryAfterSeconds = error.parameters.retry_after ?? 1;
        pacer.pause(retryAfterSeconds);
        await store.addRateLimited(jobId, 1);
        await store.markRetry(jobId, userId, item.attempts, reason);
        this.retries.unshift({ userId, attempts: item.attempts, notBefore: 0 });
        this.logger.warn("flood wait: broadcast paused", { userId, retryAfterSeconds });
        return;
      }
      if (error.error_code === 403) {
        await store.markUnreachable(jobId, userId, attempts, reason);
        await roster.markUnreachable(userId);
        this.logger.debug("recipient unreachable", { userId, reason });
        return;
      }
      if (error.error_code >= 400 && error.error_code < 500) {
        await store.markFailed(jobId, userId, attempts, reason);
        this.logger.warn("broadcast message refused", { userId, reason });
        return;
      }
      await this.retryOrFail(item, attempts, maxAttempts, reason, false);
      return;
    }
    if (this.requests.signal.aborted) {
      // Aborted by the shutdown: it may have arrived. Left `sending` so the resume counts it.
      return;
    }
    const reason = error instanceof HttpError ? `network: ${describeError(error.error)}` : describeError(error);
    await this.retryOrFail(item, attempts, maxAttempts, reason, true);
  }

  private async retryOrFail(item: WorkItem, attempts: number, maxAttempts: number, reason: string, uncertain: boolean): Promise<void> {
    const { store } = this.options;
    if (attempts >= maxAttempts) {
      if (uncertain) await store.markUncertainRetry(this.job.id, item.userId, attempts, reason);
      await store.markFailed(this.job.id, item.userId, attempts, reason);
      this.logger.warn("broadcast message failed", { userId: item.userId, attempts, reason });
      return;
    }
    if (uncertain) await store.markUncertainRetry(this.job.id, item.userId, attempts, reason);
    else await store.markRetry(this.job.id, item.userId, attempts, reason);
    const delay = Math.min(RETRY_MAX_DELAY_MILLISECONDS, RETRY_BASE_DELAY_MILLISECONDS * 2 ** (attempts - 1));
    this.retries.push({ userId: item.userId, attempts, notBefore: performance.now() + delay });
    this.logger.debug("broadcast message will be retried", { userId: item.userId, attempts, reason, delayMilliseconds: delay });
  }

  private startProgressLoop(): { stop(): Promise<void> } {
    const controller = new AbortController();
    const loop = (async () => {
      for (;;) {
        await sleep(this.options.settings.current.broadcast.progressIntervalSeconds * 1000, controller.signal);
        if (controller.signal.aborted) return;
        try {
          if (this.job.progressMessageId === null) this.job = (await this.options.store.get(this.job.id)) ?? this.job;
          const counts = await this.options.store.counts(this.job.id);
          await this.options.observer.onProgress(this.job, counts, this.options.pacer.pausedForMilliseconds());
        } catch (error) {
          this.logger.warn("could not update the broadcast progress", { error: describeError(error) });
        }
      }
    })();
    return {
      stop: async () => {
        controller.abort();
        // An edit held up by a flood wait must not hold up the report or a shutdown.
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([loop, new Promise<void>((resolve) => (timer = setTimeout(resolve, PROGRESS_STOP_WAIT_MILLISECONDS)))]);
        clearTimeout(timer);
      },
    };
  }
}

/** An error's message without anything that could hold the token (grammY's HttpError cause carries the URL). */
function describeError(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/bot\d+:[\w-]+/g, "bot<token>");
}
