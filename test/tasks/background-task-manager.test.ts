import { expect } from "chai";
import { BackgroundTaskManager } from "../../src/tasks/background-task-manager.js";
import { createSilentLogger } from "../../src/logging/logger.js";
import { systemClock } from "../../src/time/clock.js";

const wait = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

describe("BackgroundTaskManager", () => {
  let manager: BackgroundTaskManager;
  beforeEach(() => {
    manager = new BackgroundTaskManager({ logger: createSilentLogger(), clock: systemClock });
  });
  afterEach(() => manager.stop());

  it("runs a task periodically and records each run", async () => {
    let runs = 0;
    manager.register({ name: "tick", intervalSeconds: 0.02, run: async () => ++runs });
    manager.start();
    expect(manager.isRunning()).to.equal(true);
    await wait(150);
    const status = manager.taskStatus("tick")!;
    expect(status.runCount).to.be.at.least(3);
    expect(status.lastRun!.outcome).to.equal("ok");
    expect(status.lastRun!.result).to.equal(status.runCount);
    expect(status.nextRunAt).to.be.a("string");
  });

  it("never overlaps a slow run with the next one, nor with run-now", async () => {
    let active = 0;
    let maxActive = 0;
    manager.register({
      name: "slow",
      intervalSeconds: 0.01,
      runAtStart: true,
      run: async () => {
        active += 1;
        maxActive = Math.max(maxActive, active);
        await wait(40);
        active -= 1;
      },
    });
    manager.start();
    await Promise.all([manager.runNow("slow"), manager.runNow("slow"), wait(250)]);
    expect(maxActive).to.equal(1);
    expect(manager.taskStatus("slow")!.runCount).to.be.at.least(3);
  });

  it("logs an error and keeps the loop going", async () => {
    let calls = 0;
    manager.register({
      name: "flaky",
      intervalSeconds: 0.01,
      run: async () => {
        calls += 1;
        if (calls === 1) throw new Error("boom");
        return "fine";
      },
    });
    manager.start();
    await wait(100);
    const status = manager.taskStatus("flaky")!;
    expect(status.errorCount).to.equal(1);
    expect(status.runCount).to.be.at.least(2);
    expect(status.lastRun!.outcome).to.equal("ok");
    expect(manager.isRunning()).to.equal(true);
  });

  it("run-now returns the record of that run, errors included", async () => {
    manager.register({ name: "fails", intervalSeconds: 60, run: async () => Promise.reject(new Error("nope")) });
    manager.start();
    const record = await manager.runNow("fails");
    expect(record.trigger).to.equal("manual");
    expect(record.outcome).to.equal("error");
    expect(record.error).to.equal("nope");
  });

  it("stop waits for the run in progress, aborts its signal, and leaves nothing scheduled", async () => {
    let finished = false;
    let aborted = false;
    manager.register({
      name: "long",
      intervalSeconds: 0.01,
      runAtStart: true,
      run: async (signal) => {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 200);
          signal.addEventListener("abort", () => {
            aborted = true;
            clearTimeout(timer);
            setTimeout(resolve, 20);
          });
        });
        finished = true;
      },
    });
    manager.start();
    await wait(20);
    expect(manager.taskStatus("long")!.busy).to.equal(true);
    await manager.stop();
    expect(finished).to.equal(true);
    expect(aborted).to.equal(true);
    expect(manager.isStopped()).to.equal(true);
    expect(manager.isRunning()).to.equal(false);
    expect(manager.taskStatus("long")!.nextRunAt).to.equal(null);
  });

  it("is not running before start or without tasks", () => {
    expect(manager.isRunning()).to.equal(false);
    manager.start();
    expect(manager.isRunning()).to.equal(false);
  });
});
