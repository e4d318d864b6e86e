/**
 * Broadcast figures (issue 6): a broadcast to 10,000 users against a fake Bot
 * API that enforces 30 sendMessage per second (sliding one-second window,
 * 429 with retry_after 1 beyond it). Reports the sending time against the
 * floor of users / 30 s (target within 5 %), the 429s received, and
 * duplicates (target 0). Takes about 6 minutes at full size; for a quick run
 * set BENCH_BROADCAST_USERS (e.g. 600).
 * The daemon is configured with broadcast.messagesPerSecond = 30 (the limit).
 */
import path from "node:path";
import { FakeBotApi } from "../test/support/fake-bot-api.js";
import { createTempDirectory, startDaemon } from "../test/support/daemon-process.js";
import { commandMessage, privateChat, user } from "../test/support/updates.js";
import { seedDatabase } from "../test/broadcast/seed-users.js";

const LIMIT_PER_SECOND = 30;
const FIRST_USER_ID = 20_000_001;

export async function run(): Promise<void> {
  const users = Number(process.env.BENCH_BROADCAST_USERS ?? 10_000);
  const admin = user({ id: 7_000_001, first_name: "Admin", language_code: "en" });
  const api = await FakeBotApi.start();
  api.setRateLimit({ method: "sendMessage", perSecond: LIMIT_PER_SECOND, retryAfterSeconds: 1 });
  const temp = createTempDirectory("sb-bench-bc-");
  try {
    await seedDatabase(
      path.join(temp.dir, "stickerbot.sqlite"),
      Array.from({ length: users }, (_, index) => ({ id: FIRST_USER_ID + index })),
    );
    const daemon = await startDaemon({
      apiRoot: api.apiRoot,
      token: api.token,
      dir: temp.dir,
      env: { STICKERBOT_ADMIN_IDS: String(admin.id), STICKERBOT_LOG_LEVEL: "info" },
      config: { broadcast: { messagesPerSecond: LIMIT_PER_SECOND, concurrency: 5, progressIntervalSeconds: 3 } },
    });
    try {
      const commandAt = Date.now();
      api.pushUpdate(commandMessage({ chat: privateChat(admin), from: admin, command: "/broadcast Benchmark announcement" }));
      const floorSeconds = users / LIMIT_PER_SECOND;
      const report = await api.waitForCall(
        "sendMessage",
        (payload) => payload.chat_id === admin.id && /^✅ Broadcast #\d+ finished/.test(String(payload.text)),
        (floorSeconds * 1.5 + 60) * 1000,
      );
      const recipientCalls = api.callsTo("sendMessage").filter((call) => Number(call.payload.chat_id) >= FIRST_USER_ID);
      const delivered = new Map<number, number>();
      for (const call of recipientCalls) {
        if (call.status === 200) delivered.set(Number(call.payload.chat_id), (delivered.get(Number(call.payload.chat_id)) ?? 0) + 1);
      }
      const duplicates = [...delivered.values()].filter((count) => count > 1).length;
      const missing = users - delivered.size;
      const accepted = recipientCalls.filter((call) => call.status === 200);
      const sendingSeconds = (accepted.at(-1)!.at - accepted[0].at) / 1000;
      // The floor counts the gaps between the first and the last accepted message.
      const floorGapSeconds = (users - 1) / LIMIT_PER_SECOND;
      const overFloorPercent = ((sendingSeconds - floorGapSeconds) / floorGapSeconds) * 100;
      const commandToReportSeconds = (report.at - commandAt) / 1000;
      console.log(`recipients: ${users}, delivered: ${delivered.size}, missing: ${missing}`);
      console.log(`sending time (first to last delivered): ${sendingSeconds.toFixed(1)} s vs floor ${floorGapSeconds.toFixed(1)} s = ${overFloorPercent >= 0 ? "+" : ""}${overFloorPercent.toFixed(2)} % (target within 5 %)`);
      console.log(`command to final report: ${commandToReportSeconds.toFixed(1)} s (floor ${floorSeconds.toFixed(1)} s)`);
      const recipient429s = recipientCalls.filter((call) => call.status === 429).length;
      console.log(`429 answers to broadcast messages: ${recipient429s} (the bot's report counts ${/429 answers from Telegram: (\d+)/.exec(String(report.payload.text))?.[1]}; the fake answered ${api.rateLimitedCount} in all, admin replies included)`);
      console.log(`duplicates: ${duplicates} (target 0)`);
      if (process.env.BENCH_BROADCAST_DEBUG) {
        const start = recipientCalls[0].at;
        for (const call of recipientCalls.filter((c) => c.status === 429)) {
          const windowCount = accepted.filter((c) => c.answeredAt > call.at - 1000 && c.at <= call.at).length;
          console.log(`429 at +${call.at - start} ms; accepted in the previous second: ${windowCount}`);
        }
        const times = recipientCalls.filter((c) => c.status === 200).map((c) => c.at).sort((a, b) => a - b);
        const spans = times.slice(LIMIT_PER_SECOND).map((t, i) => t - times[i]).sort((a, b) => a - b);
        console.log(`span of ${LIMIT_PER_SECOND} consecutive accepted arrivals: min ${spans[0]} ms, p1 ${spans[Math.floor(spans.length / 100)]} ms, median ${spans[Math.floor(spans.length / 2)]} ms`);
        const gaps = times.slice(1).map((t, i) => t - times[i]).sort((a, b) => a - b);
        console.log(`gap between arrivals: min ${gaps[0]} ms, median ${gaps[Math.floor(gaps.length / 2)]} ms, max ${gaps.at(-1)} ms`);
        const adminCalls = api.callsTo("sendMessage").filter((c) => c.payload.chat_id === admin.id).map((c) => `${c.at - start} ms ${c.status}`);
        console.log(`admin sendMessage at: ${adminCalls.join(", ")}`);
      }
    } finally {
      daemon.child.kill("SIGTERM");
      await daemon.exited;
    }
  } finally {
    await api.stop();
    temp.remove();
  }
}
