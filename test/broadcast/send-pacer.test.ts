import { expect } from "chai";
import { SendPacer } from "../../src/broadcast/send-pacer.js";

const pause = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

describe("SendPacer", function () {
  this.timeout(10_000);

  it("never lets more than messagesPerSecond starts into any one-second window, and spreads them evenly", async () => {
    const pacer = new SendPacer({ messagesPerSecond: () => 40 });
    const starts: number[] = [];
    const answers: number[] = [];
    const began = performance.now();
    // Five concurrent senders, like the broadcast's workers; each request takes 3 ms.
    await Promise.all(
      Array.from({ length: 5 }, async () => {
        for (let index = 0; index < 12; index += 1) {
          const ticket = await pacer.acquire();
          expect(ticket).not.to.equal(null);
          starts.push(performance.now());
          await pause(3);
          pacer.complete(ticket!);
          answers.push(ticket!.answeredAt!);
        }
      }),
    );
    starts.sort((left, right) => left - right);
    answers.sort((left, right) => left - right);
    expect(starts).to.have.length(60);
    for (let index = 40; index < starts.length; index += 1) {
      // One window after the ANSWER of the request 40 before (so after its arrival at the server, whatever the jitter).
      expect(starts[index] - answers[index - 40], `window ending at start ${index}`).to.be.at.least(1000);
    }
    // 60 starts at 40/s: about 1.5 s, not a burst of 40 and a wait.
    expect(performance.now() - began).to.be.within(1400, 2800);
    const gaps = starts.slice(1).map((start, index) => start - starts[index]);
    expect(gaps.filter((gap) => gap < 10).length, "starts closer than 10 ms").to.be.at.most(3);
  });

  it("a request still unanswered holds back the one a window after it", async () => {
    const pacer = new SendPacer({ messagesPerSecond: () => 2 });
    const first = (await pacer.acquire())!;
    const second = (await pacer.acquire())!;
    pacer.complete(second);
    const began = performance.now();
    const third = pacer.acquire();
    await pause(1300);
    let granted = false;
    void third.then(() => (granted = true));
    await pause(20);
    expect(granted, "granted while the first request is unanswered").to.equal(false);
    pacer.complete(first);
    await third;
    expect(performance.now() - began).to.be.at.least(2300);
  });

  it("a 429 pauses every later acquisition for retry_after", async () => {
    const pacer = new SendPacer({ messagesPerSecond: () => 100 });
    pacer.complete((await pacer.acquire())!);
    pacer.pause(0.4);
    expect(pacer.pausedForMilliseconds()).to.be.within(350, 400);
    const began = performance.now();
    await Promise.all([pacer.acquire(), pacer.acquire()]);
    expect(performance.now() - began).to.be.at.least(395);
    expect(pacer.pausedForMilliseconds()).to.equal(0);
  });

  it("an aborted acquisition resolves null at once", async () => {
    const pacer = new SendPacer({ messagesPerSecond: () => 1 });
    pacer.complete((await pacer.acquire())!);
    const controller = new AbortController();
    const waiting = pacer.acquire(controller.signal);
    setTimeout(() => controller.abort(), 50);
    const began = performance.now();
    expect(await waiting).to.equal(null);
    expect(performance.now() - began).to.be.below(500);
  });

  it("reads the rate at every acquisition (a reload applies at once)", async () => {
    let rate = 2;
    const pacer = new SendPacer({ messagesPerSecond: () => rate });
    pacer.complete((await pacer.acquire())!);
    rate = 1000;
    const began = performance.now();
    for (let index = 0; index < 20; index += 1) pacer.complete((await pacer.acquire())!);
    // At 2/s these would take 10 s.
    expect(performance.now() - began).to.be.below(1500);
  });
});
