/**
 * Foundation figures (issue 2): daemon start-to-ready time (on an already
 * migrated database, so migrations are excluded), the whole round trip of
 * `stickerbot status` (process spawn included), and idle RSS.
 * Targets: ready < 1.5 s, status < 300 ms, idle RSS < 80 MB.
 */
import { readFileSync } from "node:fs";
import { FakeBotApi } from "../test/support/fake-bot-api.js";
import { createTempDirectory, runCliAsync, startDaemon } from "../test/support/daemon-process.js";

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function rssMegabytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

export async function run(): Promise<void> {
  const api = await FakeBotApi.start();
  const temp = createTempDirectory("stickerbot-bench-");
  const options = { apiRoot: api.apiRoot, token: api.token, dir: temp.dir, env: { STICKERBOT_LOG_LEVEL: "info" } };
  try {
    // First start migrates the new database; it is not counted.
    const first = await startDaemon(options);
    first.child.kill("SIGTERM");
    await first.exited;

    const readyTimes: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const started = performance.now();
      const daemon = await startDaemon(options);
      readyTimes.push(performance.now() - started);
      if (i < 4) {
        daemon.child.kill("SIGTERM");
        await daemon.exited;
        continue;
      }
      const statusTimes: number[] = [];
      for (let j = 0; j < 20; j += 1) {
        const t = performance.now();
        const result = await runCliAsync(["status", "--json"], daemon.env);
        statusTimes.push(performance.now() - t);
        if (result.code !== 0) throw new Error(`status failed: ${result.stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const rss = rssMegabytes(daemon.pid);
      daemon.child.kill("SIGTERM");
      await daemon.exited;
      readyTimes.sort((a, b) => a - b);
      statusTimes.sort((a, b) => a - b);
      console.log(`start-to-ready (spawn to "running", migrated db): median ${percentile(readyTimes, 50).toFixed(0)} ms, max ${readyTimes.at(-1)!.toFixed(0)} ms (target < 1500 ms)`);
      console.log(`stickerbot status --json round trip (spawned CLI): median ${percentile(statusTimes, 50).toFixed(0)} ms, p95 ${percentile(statusTimes, 95).toFixed(0)} ms (target < 300 ms)`);
      console.log(`idle RSS after 3 s: ${rss.toFixed(1)} MB (target < 80 MB)`);
    }
  } finally {
    await api.stop();
    temp.remove();
  }
}
