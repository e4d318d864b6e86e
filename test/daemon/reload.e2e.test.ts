import { expect } from "chai";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { FakeBotApi } from "../support/fake-bot-api.js";
import { createTempDirectory, type DaemonProcess, daemonEnvironment, runCliAsync, startDaemon } from "../support/daemon-process.js";
import { waitUntil } from "../support/wait-until.js";

describe("reload (stickerbot reload and SIGHUP)", function () {
  this.timeout(30_000);
  let api: FakeBotApi;
  let temp: ReturnType<typeof createTempDirectory>;
  let daemon: DaemonProcess;

  beforeEach(async () => {
    api = await FakeBotApi.start();
    temp = createTempDirectory();
    daemon = await startDaemon({ apiRoot: api.apiRoot, token: api.token, dir: temp.dir, config: { timings: { cleanupIntervalSeconds: 300 } } });
  });
  afterEach(async () => {
    await daemon.kill();
    await api.stop();
    temp.remove();
  });

  const env = () => ({ ...daemonEnvironment({ apiRoot: api.apiRoot, token: api.token, dir: temp.dir }), STICKERBOT_CONFIG: path.join(temp.dir, "config.json") });
  const writeConfig = (config: unknown) => writeFileSync(path.join(temp.dir, "config.json"), JSON.stringify(config));
  const cleanupInterval = async () => JSON.parse((await runCliAsync(["status", "--json"], env())).stdout).backgroundTasks.cleanup.intervalSeconds;

  it("applies a new valid config without a restart", async () => {
    writeConfig({ timings: { cleanupIntervalSeconds: 120 } });
    const reload = await runCliAsync(["reload"], env());
    expect(reload.code, reload.stderr).to.equal(0);
    expect(reload.stdout).to.match(/configuration reloaded/);
    expect(await cleanupInterval()).to.equal(120);
  });

  it("rejects an invalid config with the reason and keeps the old one", async () => {
    writeConfig({ timings: { cleanupIntervalSeconds: "soon" } });
    const reload = await runCliAsync(["reload"], env());
    expect(reload.code).to.equal(1);
    expect(reload.stderr).to.match(/timings\.cleanupIntervalSeconds must be a positive number \(got "soon"\)/);
    expect(await cleanupInterval()).to.equal(300);
    expect((await runCliAsync(["status"], env())).code).to.equal(0);
  });

  it("reloads on SIGHUP", async () => {
    writeConfig({ timings: { cleanupIntervalSeconds: 42 } });
    daemon.child.kill("SIGHUP");
    await waitUntil(async () => (await cleanupInterval()) === 42, "the new interval after SIGHUP");
    expect(daemon.logs().some((line) => line.message === "reload on SIGHUP done")).to.equal(true);
  });

  it("reports settings that need a restart and keeps their old value", async () => {
    writeConfig({ timings: { cleanupIntervalSeconds: 300 }, socketGroupAccess: true });
    const reload = await runCliAsync(["reload"], env());
    expect(reload.code).to.equal(0);
    expect(reload.stdout).to.match(/needs a restart to take effect: socketGroupAccess/);
  });
});
