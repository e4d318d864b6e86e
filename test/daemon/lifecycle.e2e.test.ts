import { expect } from "chai";
import { existsSync, statSync } from "node:fs";
import net from "node:net";
import { FakeBotApi } from "../support/fake-bot-api.js";
import { createTempDirectory, type DaemonProcess, daemonEnvironment, runCliAsync, startDaemon } from "../support/daemon-process.js";
import { commandMessage, groupChat, textMessage, user } from "../support/updates.js";
import { waitUntil } from "../support/wait-until.js";

describe("daemon lifecycle (bin/stickerbot end to end)", function () {
  this.timeout(30_000);
  let api: FakeBotApi;
  let temp: ReturnType<typeof createTempDirectory>;
  let daemon: DaemonProcess | undefined;

  beforeEach(async () => {
    api = await FakeBotApi.start();
    temp = createTempDirectory();
    daemon = undefined;
  });
  afterEach(async () => {
    await daemon?.kill();
    await api.stop();
    temp.remove();
  });

  const env = () => daemonEnvironment({ apiRoot: api.apiRoot, token: api.token, dir: temp.dir });

  it("start → status → cleanup → stop: exit codes, JSON fields, shutdown complete, socket gone", async () => {
    daemon = await startDaemon({ apiRoot: api.apiRoot, token: api.token, dir: temp.dir });
    expect(api.callsTo("getMe")).to.have.length(1);
    expect(api.callsTo("deleteWebhook")).to.have.length(1);
    expect(statSync(daemon.socketPath).mode & 0o777).to.equal(0o600);

    const status = await runCliAsync(["status", "--json"], env());
    expect(status.code, status.stderr).to.equal(0);
    const report = JSON.parse(status.stdout);
    expect(report.state).to.equal("running");
    expect(report.pid).to.equal(daemon.pid);
    expect(report.uptimeSeconds).to.be.a("number").at.least(0);
    expect(report.backgroundTasks.running).to.equal(true);
    expect(report.backgroundTasks.cleanup.lastRun).to.equal(null);
    expect(Date.parse(report.backgroundTasks.cleanup.nextRunAt)).to.be.greaterThan(Date.now());
    expect(report.backgroundTasks.cleanup.intervalSeconds).to.equal(300);
    expect(report.health).to.have.property("status");

    const cleanup = await runCliAsync(["cleanup", "--json"], env());
    expect(cleanup.code, cleanup.stderr).to.equal(0);
    const result = JSON.parse(cleanup.stdout);
    expect(result.revokedPasses).to.equal(0);
    expect(result.errors).to.deep.equal([]);

    const after = JSON.parse((await runCliAsync(["status", "--json"], env())).stdout);
    expect(after.backgroundTasks.cleanup.lastRun.result.revokedPasses).to.equal(0);
    expect(after.backgroundTasks.cleanup.lastRun).to.include.keys("startedAt", "finishedAt", "result");

    const human = await runCliAsync(["status"], env());
    expect(human.code).to.equal(0);
    expect(human.stdout).to.match(/stickerbot .*: running/).and.match(/cleanup: every 5m 0s/).and.match(/health:/);

    const stop = await runCliAsync(["stop"], env());
    expect(stop.code, stop.stderr).to.equal(0);
    expect(stop.stdout).to.match(new RegExp(`stopped \\(pid ${daemon.pid}\\)`));
    const exit = await daemon.exited;
    expect(exit.code).to.equal(0);
    expect(daemon.logs().some((line) => line.message === "shutdown complete")).to.equal(true);
    expect(existsSync(daemon.socketPath)).to.equal(false);
  });

  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`${signal} runs the same graceful shutdown and confirms the polling offset`, async () => {
      daemon = await startDaemon({ apiRoot: api.apiRoot, token: api.token, dir: temp.dir });
      const updateId = api.pushUpdate(textMessage({ chat: groupChat(), from: user(), text: "hello" }));
      await waitUntil(() => api.pendingUpdateCount() === 0, "the update to be fetched");
      daemon.child.kill(signal);
      const exit = await daemon.exited;
      expect(exit.code).to.equal(0);
      const messages = daemon.logs().map((line) => line.message);
      expect(messages).to.include.members(["shutdown started", "shutdown: polling stopped", "shutdown: periodic tasks stopped", "shutdown: periodic tasks verified stopped", "shutdown complete"]);
      expect(messages.indexOf("shutdown: polling stopped")).to.be.lessThan(messages.indexOf("shutdown complete"));
      expect(api.confirmedOffset).to.equal(updateId + 1);
      expect(existsSync(daemon.socketPath)).to.equal(false);
    });
  }

  it("SIGTERM lets an update in progress finish (its reply is sent) before the offset is confirmed", async () => {
    daemon = await startDaemon({ apiRoot: api.apiRoot, token: api.token, dir: temp.dir });
    api.fail("sendMessage", { kind: "delay", milliseconds: 1_500 }, { times: 1 });
    const chat = groupChat();
    const updateId = api.pushUpdate(commandMessage({ chat, from: user(), command: "/balance" }));
    await waitUntil(() => api.pendingUpdateCount() === 0, "the update to be fetched");
    await new Promise((resolve) => setTimeout(resolve, 300)); // the handler is now waiting for its sendMessage
    const signalledAt = Date.now();
    daemon.child.kill("SIGTERM");
    const exit = await daemon.exited;
    expect(exit.code).to.equal(0);
    const replies = api.callsTo("sendMessage").filter((call) => Number(call.payload.chat_id) === chat.id);
    expect(replies).to.have.length(1);
    expect(String(replies[0].payload.text)).to.match(/0/);
    expect(Date.now() - signalledAt).to.be.at.least(1_000);
    const waiting = daemon.logs().find((line) => line.message === "waiting for updates in progress");
    expect(waiting?.updates).to.equal(1);
    const messages = daemon.logs().map((line) => line.message);
    expect(messages.indexOf("waiting for updates in progress")).to.be.lessThan(messages.indexOf("polling offset confirmed"));
    expect(api.confirmedOffset).to.equal(updateId + 1);
  });

  it("past the shutdown timeout it exits 1; a second signal exits 1 at once", async () => {
    daemon = await startDaemon({ apiRoot: api.apiRoot, token: api.token, dir: temp.dir, env: { STICKERBOT_SHUTDOWN_TIMEOUT_SECONDS: "1" } });
    api.pushUpdate(textMessage({ chat: groupChat(), from: user(), text: "hi" }));
    await waitUntil(() => api.pendingUpdateCount() === 0, "the update to be fetched");
    // The offset confirmation (getUpdates with timeout 0) never answers: the shutdown cannot finish.
    api.fail("getUpdates", { kind: "hang" }, { when: (payload) => payload.timeout === 0 });
    const started = Date.now();
    daemon.child.kill("SIGTERM");
    expect((await daemon.exited).code).to.equal(1);
    expect(Date.now() - started).to.be.within(900, 5000);
    expect(daemon.logs().some((line) => line.message === "shutdown timed out: exiting now")).to.equal(true);

    const second = await startDaemon({ apiRoot: api.apiRoot, token: api.token, dir: temp.dir, env: { STICKERBOT_SHUTDOWN_TIMEOUT_SECONDS: "30" } });
    daemon = second;
    api.pushUpdate(textMessage({ chat: groupChat(), from: user(), text: "hi again" }));
    await waitUntil(() => api.pendingUpdateCount() === 0, "the update to be fetched");
    second.child.kill("SIGTERM");
    await second.waitForLog((line) => line.message === "shutdown started");
    second.child.kill("SIGTERM");
    expect((await second.exited).code).to.equal(1);
    expect(second.logs().some((line) => line.message === "second stop request during shutdown: exiting now")).to.equal(true);
  });

  it("the CLI gives up with a clear message when nothing answers on the socket", async () => {
    const silent = net.createServer(() => undefined);
    const socketPath = env().STICKERBOT_SOCKET!;
    await new Promise<void>((resolve) => silent.listen(socketPath, resolve));
    try {
      const started = Date.now();
      const status = await runCliAsync(["status"], env());
      expect(status.code).to.equal(1);
      expect(status.stderr).to.match(/did not answer within 5 s/);
      expect(Date.now() - started).to.be.lessThan(9000);
    } finally {
      silent.close();
    }
  });

  it("status and stop when not running", async () => {
    const status = await runCliAsync(["status"], env());
    expect(status.code).to.equal(3);
    expect(status.stderr).to.match(/not running/);
    const json = await runCliAsync(["status", "--json"], env());
    expect(json.code).to.equal(3);
    const cleanup = await runCliAsync(["cleanup"], env());
    expect(cleanup.code).to.equal(3);
    const stop = await runCliAsync(["stop"], env());
    expect(stop.code).to.equal(0);
    expect(stop.stdout).to.match(/was not running/);
  });

  it("a bad config file stops startup naming the file, key and reason", async () => {
    daemon = await startDaemon({
      apiRoot: api.apiRoot,
      token: api.token,
      dir: temp.dir,
      config: { timings: { cleanupIntervalSeconds: -5 } },
      waitForReady: false,
    });
    const exit = await daemon.exited;
    expect(exit.code).to.equal(2);
    expect(daemon.stderr()).to.match(/config\.json: timings\.cleanupIntervalSeconds must be a positive number \(got -5\)/);
    expect(existsSync(daemon.socketPath)).to.equal(false);
  });

  it("an unknown key in the config file is refused", async () => {
    daemon = await startDaemon({ apiRoot: api.apiRoot, token: api.token, dir: temp.dir, config: { cleanupInterval: 5 }, waitForReady: false });
    expect((await daemon.exited).code).to.equal(2);
    expect(daemon.stderr()).to.match(/cleanupInterval is not a known setting/);
  });

  it("an unreachable database path exits non-zero, unwinds and leaves no socket", async () => {
    daemon = await startDaemon({
      apiRoot: api.apiRoot,
      token: api.token,
      dir: temp.dir,
      env: { STICKERBOT_DATABASE: "/proc/stickerbot/cannot/db.sqlite" },
      waitForReady: false,
    });
    const exit = await daemon.exited;
    expect(exit.code).to.equal(1);
    expect(daemon.stderr().trim().split("\n").at(-1)).to.match(/^stickerbot: startup failed at "database": /);
    expect(existsSync(daemon.socketPath)).to.equal(false);
  });

  it("a failure after the socket is listening unwinds everything and removes the socket", async () => {
    api.fail("getMe", { kind: "400", description: "Bad Request: test failure" });
    daemon = await startDaemon({ apiRoot: api.apiRoot, token: api.token, dir: temp.dir, waitForReady: false });
    const exit = await daemon.exited;
    expect(exit.code).to.equal(1);
    expect(daemon.stderr()).to.match(/startup failed at "bot polling"/);
    expect(existsSync(daemon.socketPath)).to.equal(false);
    const messages = daemon.logs().map((line) => line.message);
    expect(messages).to.include("control socket listening");
  });

  it("a second start is refused with the pid of the running one", async () => {
    daemon = await startDaemon({ apiRoot: api.apiRoot, token: api.token, dir: temp.dir });
    const second = await startDaemon({ apiRoot: api.apiRoot, token: api.token, dir: temp.dir, waitForReady: false });
    const exit = await second.exited;
    expect(exit.code).to.equal(1);
    expect(second.stderr()).to.match(new RegExp(`already running \\(pid ${daemon.pid}\\)`));
    expect(existsSync(daemon.socketPath)).to.equal(true);
    const status = await runCliAsync(["status", "--json"], env());
    expect(JSON.parse(status.stdout).pid).to.equal(daemon.pid);
  });

  it("a stale socket left by a crash is detected and replaced", async () => {
    const first = await startDaemon({ apiRoot: api.apiRoot, token: api.token, dir: temp.dir });
    await first.kill("SIGKILL");
    expect(existsSync(first.socketPath)).to.equal(true);
    const status = await runCliAsync(["status"], env());
    expect(status.code).to.equal(3);
    daemon = await startDaemon({ apiRoot: api.apiRoot, token: api.token, dir: temp.dir });
    expect(daemon.logs().some((line) => String(line.message).includes("stale control socket"))).to.equal(true);
    expect((await runCliAsync(["status"], env())).code).to.equal(0);
  });

  it("garbage and unknown commands on the socket get error responses; the daemon keeps running", async () => {
    daemon = await startDaemon({ apiRoot: api.apiRoot, token: api.token, dir: temp.dir });
    const exchange = (payload: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = net.connect(daemon!.socketPath);
        let data = "";
        socket.on("data", (chunk) => {
          data += chunk.toString();
          if (data.includes("\n")) {
            socket.destroy();
            resolve(data.trim());
          }
        });
        socket.on("error", reject);
        socket.write(payload);
      });
    const garbage = JSON.parse(await exchange("this is not json\n"));
    expect(garbage).to.deep.include({ id: null, ok: false });
    expect(garbage.error.code).to.equal("bad_request");
    const unknown = JSON.parse(await exchange(`${JSON.stringify({ id: "x1", command: "rm -rf" })}\n`));
    expect(unknown).to.deep.include({ id: "x1", ok: false });
    expect(unknown.error.code).to.equal("unknown_command");
    const noCommand = JSON.parse(await exchange(`${JSON.stringify({ id: "x2" })}\n`));
    expect(noCommand.error.code).to.equal("bad_request");
    // A client that connects, sends half a line and never reads must not block others.
    const idle = net.connect(daemon.socketPath);
    idle.write('{"id":"half"');
    const ping = JSON.parse(await exchange(`${JSON.stringify({ id: "p", command: "ping" })}\n`));
    expect(ping).to.deep.include({ id: "p", ok: true });
    idle.destroy();
    expect((await runCliAsync(["status"], env())).code).to.equal(0);
  });

  it("--help and --version work", async () => {
    const help = await runCliAsync(["--help"], env());
    expect(help.code).to.equal(0);
    expect(help.stdout).to.match(/start/).and.match(/status/).and.match(/cleanup/).and.match(/stop/).and.match(/reload/);
    const version = await runCliAsync(["--version"], env());
    expect(version.code).to.equal(0);
    expect(version.stdout.trim()).to.match(/^\d+\.\d+\.\d+$/);
    const bad = await runCliAsync(["frobnicate"], env());
    expect(bad.code).to.equal(2);
  });
});
