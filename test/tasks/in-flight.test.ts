import { expect } from "chai";
import { InFlight } from "../../src/tasks/in-flight.js";

describe("InFlight", () => {
  it("idle() waits for tracked work, including work tracked while waiting; rejections go to onError", async () => {
    const work = new InFlight();
    const errors: unknown[] = [];
    const done: string[] = [];
    let releaseFirst!: () => void;
    work.track(new Promise<void>((resolve) => (releaseFirst = resolve)).then(() => done.push("first")), (error) => errors.push(error));
    work.track(Promise.reject(new Error("boom")), (error) => errors.push(error));
    expect(work.size).to.equal(2);
    let idle = false;
    const waiting = work.idle().then(() => (idle = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(idle).to.equal(false);
    expect(errors.map(String)).to.deep.equal(["Error: boom"]);
    // Tracked while idle() waits: waited for too.
    let releaseLate!: () => void;
    work.track(new Promise<void>((resolve) => (releaseLate = resolve)).then(() => done.push("late")), (error) => errors.push(error));
    releaseFirst();
    await new Promise((resolve) => setImmediate(resolve));
    expect(idle).to.equal(false);
    releaseLate();
    await waiting;
    expect(done).to.deep.equal(["first", "late"]);
    expect(work.size).to.equal(0);
    await work.idle();
  });
});
