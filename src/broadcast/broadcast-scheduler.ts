import { Api, GrammyError } from "grammy";
import type { MessageEntity } from "grammy/types";
import type { Services } from "../app/services.js";
import type { Language } from "../config/config.js";
import type { Logger } from "../logging/logger.js";
import { sleep } from "../time/abortable-sleep.js";
import { formatBroadcastProgress, formatBroadcastReport } from "./broadcast-report.js";
import { BroadcastRun, type BroadcastRunObserver } from "./broadcast-run.js";
import { type BroadcastCounts, type BroadcastJob, BroadcastStore } from "./broadcast-store.js";
import { SendPacer } from "./send-pacer.js";

/** What {@link BroadcastScheduler.enqueue} did. */
export type EnqueueResult =
  | { kind: "started"; job: BroadcastJob }
  | { kind: "queued"; job: BroadcastJob; position: number; runningId: number }
  | { kind: "empty" };

/** What {@link BroadcastScheduler.cancel} did. */
export type CancelResult =
  | { kind: "stopping"; id: number }
  | { kind: "dequeued"; id: number }
  | { kind: "notFound"; id: number }
  | { kind: "nothing" };

/** A broadcast as `status` shows it. */
export interface BroadcastSummary {
  id: number;
  status: string;
  total: number;
  sent: number;
  failed: number;
  unreachable: number;
  /** Not handled yet. */
  pending: number;
  possiblyDuplicated: number;
  /** 429 answers received. */
  rateLimited: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** What the feature's `status()` returns (under `features.broadcast` in `stickerbot status --json`). */
export interface BroadcastStatusReport {
  running: BroadcastSummary | null;
  queued: BroadcastSummary[];
  lastFinished: BroadcastSummary | null;
  /** Seconds left of a flood wait (429), 0 when none. */
  pausedForSeconds: number;
}

/** Options of {@link BroadcastScheduler}. */
export interface BroadcastSchedulerOptions {
  services: Services;
  /**
   * The client broadcasts are sent with. Default: a new grammY `Api` for the
   * configured token and API root, deliberately without auto-retry.
   */
  api?: Api;
  /** How long a shutdown waits for sends in flight before aborting them, in milliseconds. Default 4000. */
  stopGraceMilliseconds?: number;
}

/** Pause after an unexpected error of the job loop (e.g. the database was busy), in milliseconds. */
const LOOP_ERROR_PAUSE_MILLISECONDS = 5000;
/** Seconds a request of a broadcast may take before it counts as a network error. */
const SEND_TIMEOUT_SECONDS = 30;

/**
 * Runs broadcast jobs one at a time, in the order they were created; the
 * others wait as `queued` in the database. Unfinished jobs resume at
 * {@link start}; {@link stop} leaves the running one resumable.
 */
export class BroadcastScheduler {
  readonly store: BroadcastStore;
  private readonly api: Api;
  private readonly pacer: SendPacer;
  private readonly logger: Logger;
  private current: BroadcastRun | null = null;
  private loop: Promise<void> | null = null;
  private kickedDuringLoop = false;
  private stopping = false;
  private readonly stopController = new AbortController();

  constructor(private readonly options: BroadcastSchedulerOptions) {
    const { services } = options;
    this.store = new BroadcastStore(services.db, () => services.clock.now());
    const config = services.settings.current;
    // Not services.api: its auto-retry would wait out a 429 per message, while
    // the flood wait concerns the whole bot and must pause every sender.
    this.api = options.api ?? new Api(config.token, { apiRoot: config.apiRoot, timeoutSeconds: SEND_TIMEOUT_SECONDS });
    this.pacer = new SendPacer({ messagesPerSecond: () => services.settings.current.broadcast.messagesPerSecond });
    this.logger = services.logger.child({ component: "broadcast" });
  }

  /** Resumes unfinished jobs (in the background). */
  start(): void {
    this.kick();
  }

  /** Stops sending: the running job stays `running` and resumes at the next start. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.stopController.abort();
    await this.current?.stop(this.options.stopGraceMilliseconds ?? 4000);
    await this.loop;
  }

  /** Creates a job for everyone reachable now; it runs next, or waits behind the jobs ahead of it. */
  async enqueue(input: { adminId: number; adminChatId: number; language: Language; text: string; entities?: MessageEntity[] }): Promise<EnqueueResult> {
    const job = await this.store.create(input);
    if (job.total === 0) {
      await this.store.finish(job.id, "done");
      return { kind: "empty" };
    }
    const ahead = (await this.store.listUnfinished()).filter((other) => other.id < job.id);
    if (ahead.length === 0) return { kind: "started", job };
    return { kind: "queued", job, position: ahead.length, runningId: this.current?.id ?? ahead[0].id };
  }

  /** Records the message that shows the job's progress (when the reply went out), then starts the job loop if idle. */
  async attachProgressMessage(id: number, messageId: number | null): Promise<void> {
    if (messageId !== null) {
      this.pacer.note();
      await this.store.setProgressMessage(id, messageId);
    }
    this.kick();
  }

  /** Cancels job `id` (running or queued), or the running one when `id` is undefined. */
  async cancel(id: number | undefined, adminId: number): Promise<CancelResult> {
    const unfinished = await this.store.listUnfinished();
    const target = id === undefined ? (unfinished.find((job) => job.id === this.current?.id) ?? unfinished[0]) : unfinished.find((job) => job.id === id);
    if (target === undefined) return id === undefined ? { kind: "nothing" } : { kind: "notFound", id };
    if (this.current !== null && this.current.id === target.id) {
      this.logger.info("broadcast cancelled by an admin", { broadcastId: target.id, adminId });
      void this.current.cancel(adminId);
      return { kind: "stopping", id: target.id };
    }
    if (!(await this.store.finish(target.id, "cancelled", adminId))) return { kind: "notFound", id: target.id };
    this.logger.info("queued broadcast cancelled by an admin", { broadcastId: target.id, adminId });
    const job = (await this.store.get(target.id))!;
    if (job.progressMessageId !== null) {
      await this.editQuietly(job.adminChatId, job.progressMessageId, formatBroadcastReport(job, await this.store.counts(job.id), "cancelled", 0));
    }
    return { kind: "dequeued", id: target.id };
  }

  /** Running and queued jobs with their progress, and the last finished one. */
  async status(): Promise<BroadcastStatusReport> {
    const unfinished = await this.store.listUnfinished();
    const summaries = await Promise.all(unfinished.map((job) => this.summarize(job)));
    const last = await this.store.lastFinished();
    return {
      running: summaries.find((summary) => summary.status === "running") ?? null,
      queued: summaries.filter((summary) => summary.status === "queued"),
      lastFinished: last === undefined ? null : await this.summarize(last),
      pausedForSeconds: Math.ceil(this.pacer.pausedForMilliseconds() / 1000),
    };
  }

  private async summarize(job: BroadcastJob): Promise<BroadcastSummary> {
    const counts = await this.store.counts(job.id);
    const iso = (value: number | null) => (value === null ? null : new Date(value).toISOString());
    return {
      id: job.id,
      status: job.status,
      total: job.total,
      sent: counts.sent,
      failed: counts.failed,
      unreachable: counts.unreachable,
      pending: counts.pending + counts.sending,
      possiblyDuplicated: counts.possiblyDuplicated,
      rateLimited: job.rateLimitedCount,
      createdAt: new Date(job.createdAt).toISOString(),
      startedAt: iso(job.startedAt),
      finishedAt: iso(job.finishedAt),
    };
  }

  private kick(): void {
    if (this.stopping) return;
    if (this.loop !== null) {
      // The loop may be past its last look at the queue: look again when it ends.
      this.kickedDuringLoop = true;
      return;
    }
    this.kickedDuringLoop = false;
    this.loop = this.runJobs().finally(() => {
      this.loop = null;
      if (this.kickedDuringLoop) this.kick();
    });
  }

  private async runJobs(): Promise<void> {
    const { services } = this.options;
    while (!this.stopping) {
      try {
        const [next] = await this.store.listUnfinished();
        // A shutdown may have begun while we looked.
        if (next === undefined || this.stopping) return;
        const run = new BroadcastRun({
          job: next,
          store: this.store,
          api: this.api,
          pacer: this.pacer,
          settings: services.settings,
          roster: services.roster,
          logger: services.logger,
          observer: this.observer,
          now: () => services.clock.now(),
        });
        this.current = run;
        try {
          if ((await run.execute()) === "stopped") return;
        } finally {
          this.current = null;
        }
      } catch (error) {
        this.logger.error("broadcast job loop failed; retrying", { error: error instanceof Error ? error.message : String(error) });
        await sleep(LOOP_ERROR_PAUSE_MILLISECONDS, this.stopController.signal);
      }
    }
  }

  private readonly observer: BroadcastRunObserver = {
    onProgress: async (job, counts, pausedForMilliseconds) => {
      if (job.progressMessageId === null) return;
      await this.editQuietly(job.adminChatId, job.progressMessageId, formatBroadcastProgress(job, counts, pausedForMilliseconds));
    },
    onFinished: async (job, counts, outcome, durationMilliseconds) => {
      await this.report(job, counts, outcome, durationMilliseconds);
    },
  };

  /** Edits the progress message into the report and sends the report as a new message (edits do not notify). */
  private async report(job: BroadcastJob, counts: BroadcastCounts, outcome: "done" | "cancelled", durationMilliseconds: number): Promise<void> {
    const text = formatBroadcastReport(job, counts, outcome, durationMilliseconds);
    if (job.progressMessageId !== null) {
      try {
        await this.editQuietly(job.adminChatId, job.progressMessageId, text);
      } catch (error) {
        this.logger.warn("could not edit the progress message", { broadcastId: job.id, error: error instanceof Error ? error.message : String(error) });
      }
    }
    // The report counts against the same per-bot limit as the broadcast it ends.
    const ticket = await this.pacer.acquire();
    const replyTo = job.progressMessageId === null ? {} : { reply_parameters: { message_id: job.progressMessageId, allow_sending_without_reply: true } };
    try {
      await this.options.services.api.sendMessage(job.adminChatId, text, replyTo);
    } finally {
      if (ticket !== null) this.pacer.complete(ticket);
    }
  }

  private async editQuietly(chatId: number, messageId: number, text: string): Promise<void> {
    try {
      await this.options.services.api.editMessageText(chatId, messageId, text);
    } catch (error) {
      // Nothing changed since the last edit: Telegram refuses identical edits.
      if (error instanceof GrammyError && /message is not modified/i.test(error.description)) return;
      throw error;
    }
  }
}
