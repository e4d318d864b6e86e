import type { Logger } from "../logging/logger.js";
import type { Clock } from "../time/clock.js";

/** A task the manager runs periodically. */
export interface PeriodicTaskDefinition<Result = unknown> {
  /** Unique name, e.g. `cleanup`, shown in `stickerbot status`. */
  name: string;
  /** Pause between the end of one run and the start of the next, in seconds. */
  intervalSeconds: number;
  /** Run once right after `start()` instead of waiting one interval first. Default false. */
  runAtStart?: boolean;
  /** The work. `signal` aborts when the manager stops: pass it to sleeps and requests. */
  run(signal: AbortSignal): Promise<Result>;
}

/** What happened in one run. */
export interface TaskRunRecord<Result = unknown> {
  /** What started it: the schedule, `stickerbot cleanup`/chat (manual), or startup. */
  trigger: "schedule" | "manual" | "startup";
  /** ISO timestamps. */
  startedAt: string;
  finishedAt: string;
  durationMilliseconds: number;
  /** `ok` or `error`. */
  outcome: "ok" | "error";
  result: Result | null;
  error: string | null;
}

/** The state of one task, as `stickerbot status` shows it. */
export interface TaskStatus {
  name: string;
  intervalSeconds: number;
  /** A run is in progress now. */
  busy: boolean;
  lastRun: TaskRunRecord | null;
  /** ISO time of the next scheduled run, null when stopped. */
  nextRunAt: string | null;
  runCount: number;
  errorCount: number;
}

/** Options of {@link BackgroundTaskManager}. */
export interface BackgroundTaskManagerOptions {
  logger: Logger;
  clock: Clock;
  /** Called after every run (the daemon stores runs in `task_runs`). Errors are logged, not thrown. */
  onRunFinished?: (name: string, record: TaskRunRecord) => Promise<void> | void;
}

interface TaskState {
  definition: PeriodicTaskDefinition;
  timer: NodeJS.Timeout | null;
  nextRunAt: number | null;
  /** The run in progress; run-now and the schedule both chain on it so they never overlap. */
  current: Promise<TaskRunRecord> | null;
  lastRun: TaskRunRecord | null;
  runCount: number;
  errorCount: number;
}

/**
 * Runs named periodic tasks. A slow run never overlaps the next (the next run
 * is scheduled when the previous one ends), an error is logged and the loop
 * goes on, and every run is recorded for `status`. {@link runNow} executes the
 * same code, waits for a run in progress first, and never runs concurrently
 * with a scheduled one.
 */
export class BackgroundTaskManager {
  private readonly tasks = new Map<string, TaskState>();
  private controller: AbortController | null = null;

  constructor(private readonly options: BackgroundTaskManagerOptions) {}

  /** Adds a task. Must be called before {@link start}. */
  register(definition: PeriodicTaskDefinition): void {
    if (this.tasks.has(definition.name)) throw new Error(`task "${definition.name}" is already registered`);
    if (!(definition.intervalSeconds > 0)) throw new Error(`task "${definition.name}": intervalSeconds must be positive`);
    this.tasks.set(definition.name, {
      definition,
      timer: null,
      nextRunAt: null,
      current: null,
      lastRun: null,
      runCount: 0,
      errorCount: 0,
    });
  }

  /** Starts every registered task's loop. */
  start(): void {
    if (this.controller !== null) return;
    this.controller = new AbortController();
    for (const state of this.tasks.values()) {
      this.schedule(state, state.definition.runAtStart ? 0 : state.definition.intervalSeconds * 1000);
      this.options.logger.info("periodic task started", {
        component: "tasks",
        task: state.definition.name,
        intervalSeconds: state.definition.intervalSeconds,
      });
    }
  }

  /**
   * Whether every loop is alive: started, not stopped, and each task either
   * has its next run scheduled or a run in progress.
   */
  isRunning(): boolean {
    if (this.controller === null || this.controller.signal.aborted || this.tasks.size === 0) return false;
    for (const state of this.tasks.values()) {
      if (state.timer === null && state.current === null) return false;
    }
    return true;
  }

  /** Runs a task now (after any run in progress) and resolves with its record. */
  async runNow(name: string): Promise<TaskRunRecord> {
    const state = this.tasks.get(name);
    if (state === undefined) throw new Error(`unknown task "${name}"`);
    return this.execute(state, "manual");
  }

  /** The status of every task. */
  status(): TaskStatus[] {
    return [...this.tasks.values()].map((state) => ({
      name: state.definition.name,
      intervalSeconds: state.definition.intervalSeconds,
      busy: state.current !== null,
      lastRun: state.lastRun,
      nextRunAt: state.nextRunAt === null ? null : new Date(state.nextRunAt).toISOString(),
      runCount: state.runCount,
      errorCount: state.errorCount,
    }));
  }

  /** The status of one task. */
  taskStatus(name: string): TaskStatus | undefined {
    return this.status().find((task) => task.name === name);
  }

  /**
   * Stops every loop: no new runs start, the abort signal fires, and this
   * resolves when runs in progress have finished.
   */
  async stop(): Promise<void> {
    if (this.controller === null) return;
    this.controller.abort();
    const inProgress: Promise<unknown>[] = [];
    for (const state of this.tasks.values()) {
      if (state.timer !== null) clearTimeout(state.timer);
      state.timer = null;
      state.nextRunAt = null;
      if (state.current !== null) inProgress.push(state.current);
    }
    await Promise.allSettled(inProgress);
    this.options.logger.info("periodic tasks stopped", { component: "tasks", tasks: [...this.tasks.keys()] });
  }

  /** Changes a task's interval (after a reload); takes effect when its next run is scheduled. */
  updateInterval(name: string, intervalSeconds: number): void {
    const state = this.tasks.get(name);
    if (state === undefined || !(intervalSeconds > 0) || state.definition.intervalSeconds === intervalSeconds) return;
    state.definition = { ...state.definition, intervalSeconds };
    if (state.timer !== null) {
      clearTimeout(state.timer);
      state.timer = null;
      this.schedule(state, intervalSeconds * 1000);
    }
  }

  /** Whether {@link stop} has been called and no run is still in progress. */
  isStopped(): boolean {
    if (this.controller === null) return true;
    if (!this.controller.signal.aborted) return false;
    return [...this.tasks.values()].every((state) => state.timer === null && state.current === null);
  }

  private schedule(state: TaskState, delayMilliseconds: number): void {
    if (this.controller === null || this.controller.signal.aborted) return;
    state.nextRunAt = this.options.clock.now() + delayMilliseconds;
    state.timer = setTimeout(() => {
      state.timer = null;
      void this.execute(state, "schedule").finally(() => {
        if (state.timer === null) this.schedule(state, state.definition.intervalSeconds * 1000);
      });
    }, delayMilliseconds);
  }

  private async execute(state: TaskState, trigger: TaskRunRecord["trigger"]): Promise<TaskRunRecord> {
    // Wait for a run in progress so that runs never overlap.
    while (state.current !== null) await state.current.catch(() => undefined);
    const run = this.runOnce(state, trigger);
    state.current = run;
    try {
      return await run;
    } finally {
      state.current = null;
    }
  }

  private async runOnce(state: TaskState, trigger: TaskRunRecord["trigger"]): Promise<TaskRunRecord> {
    const { logger, clock } = this.options;
    const name = state.definition.name;
    const signal = this.controller?.signal ?? new AbortController().signal;
    const started = clock.now();
    const monotonicStart = performance.now();
    let result: unknown = null;
    let error: string | null = null;
    logger.debug("task run started", { component: "tasks", task: name, trigger });
    try {
      result = await state.definition.run(signal);
    } catch (caught) {
      error = caught instanceof Error ? caught.message : String(caught);
    }
    const record: TaskRunRecord = {
      trigger,
      startedAt: new Date(started).toISOString(),
      finishedAt: new Date(clock.now()).toISOString(),
      durationMilliseconds: Math.round(performance.now() - monotonicStart),
      outcome: error === null ? "ok" : "error",
      result: result ?? null,
      error,
    };
    state.lastRun = record;
    state.runCount += 1;
    if (error !== null) {
      state.errorCount += 1;
      logger.error("task run failed", { component: "tasks", task: name, trigger, error, durationMilliseconds: record.durationMilliseconds });
    } else {
      logger.log(name === "monitor" ? "debug" : "info", "task run finished", {
        component: "tasks",
        task: name,
        trigger,
        durationMilliseconds: record.durationMilliseconds,
        result,
      });
    }
    try {
      await this.options.onRunFinished?.(name, record);
    } catch (caught) {
      logger.warn("could not record task run", { component: "tasks", task: name, error: String(caught) });
    }
    return record;
  }
}
