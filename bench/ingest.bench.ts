/**
 * Ingest throughput and latency through the full pipeline (issue 4):
 * fake Bot API (real HTTP, long polling) → the real daemon process
 * (bin/stickerbot: grammY runner fetcher, ChatOrderedSink — chats in
 * parallel, each chat in order —, every feature's middleware) → SQLite.
 * Mix: 90% plain text, 5% stickers, 5% parseable Shmalala reports replying to
 * a player, spread evenly over 100 chats of 20 members.
 *
 * Method:
 * - The daemon is spawned as in production (its own process and event loop;
 *   the fake API and the load generator run in this process), log level info.
 * - Latency is measured from the moment an update is queued at the fake API
 *   to its visible effect: for a parseable report, the setMessageReaction call
 *   arriving at the fake (so it includes long-poll delivery, grammY, all
 *   middlewares, the credit transaction and the acknowledgement's HTTP
 *   request). Updates of a chat are handled in order, so a report's latency
 *   also covers the queueing behind the plain texts before it in its chat:
 *   the 5% sample (2,500 per phase) is representative of all updates.
 *   The p99 of each second of pushing is printed too, to show whether delays
 *   build up.
 * - Throughput: after its share of the mix, each chat gets one `/balance`
 *   (0.2% of the updates); when every report is acknowledged and every
 *   sentinel answered, every update has been handled.
 *   Throughput = updates ÷ (last acknowledgement or answer − first push).
 *   (Earlier versions ended each chat with a report instead: 100 reports in
 *   the last 20 ms, 4% of the sample, which measured that burst, not the mix.)
 * - Phase 1 "sustained": 50,000 updates pushed at a steady 5,000 per second
 *   (the target rate); p50/p99 latency and achieved rate.
 * - Phase 2 "burst": 50,000 updates queued at once; the drain rate is the
 *   maximum throughput (latency there is queueing time and is not a target).
 * At the end it checks that every report was credited exactly once.
 *
 * Two configurations run: "all features" (the daemon as shipped) and
 * "core + economy + parsing" (the same binary with only this issue's
 * features, via a `--import` preload that trims FEATURE_FACTORIES), so the
 * figure of this pipeline can be told apart from the cost of the others
 * (sticker control, achievements) on the one SQLite connection.
 * Targets: ≥ 5,000 updates/s sustained, p99 latency < 50 ms.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Update, User } from "grammy/types";
import { type Database, openDatabase } from "../src/database/open-database.js";
import { FakeBotApi } from "../test/support/fake-bot-api.js";
import { createTempDirectory, runCliAsync, startDaemon } from "../test/support/daemon-process.js";
import { commandMessage, groupChat, stickerMessage, textMessage, user, type UpdateMessage } from "../test/support/updates.js";

const UPDATES_PER_PHASE = 50_000;
const CHATS = 100;
const USERS_PER_CHAT = 20;
const SUSTAINED_RATE_PER_SECOND = 5_000;
const SHMALALA: User = { id: 5001, is_bot: true, first_name: "Шмалала", username: "shmalala_bot" };

/** A deterministic generator of numbers in [0, 1) (mulberry32), so every run gets the same workload. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

interface Workload {
  updates: Update[];
  /** `chat:message` of every parseable report. */
  reports: Set<string>;
  /** `chat:message` of the last update of each chat, a /balance the bot answers. */
  sentinels: Set<string>;
  /** Coins the reports credit in total. */
  coins: number;
}

/** The groups and their members: the same community in every phase (steady state, not a flood of newcomers). */
interface Community {
  chats: ReturnType<typeof groupChat>[];
  members: User[][];
}

function createCommunity(chatBase: number): Community {
  const chats = Array.from({ length: CHATS }, (_, i) => groupChat(chatBase - i));
  return { chats, members: chats.map(() => Array.from({ length: USERS_PER_CHAT }, () => user())) };
}

/**
 * 90% text, 5% stickers, 5% reports, spread evenly over the chats; then one
 * `/balance` per chat, the sentinel that shows its chat is done (updates of a
 * chat are handled in order, so when it is answered the chat's updates before
 * it are handled). Sentinels count in the throughput, not in the latency.
 */
function buildWorkload({ chats, members }: Community, count: number, options: { creditEveryMember?: boolean } = {}): Workload {
  const lastTextOf = new Map<number, UpdateMessage>();
  const updates: Update[] = [];
  const reports = new Set<string>();
  const sentinels = new Set<string>();
  let coins = 0;
  const report = (c: number) => {
    const chat = chats[c];
    const asked = lastTextOf.get(chat.id) ?? textMessage({ chat, from: members[c][0], text: "/fish" }).message!;
    const amount = 1 + (updates.length % 50);
    coins += amount;
    const update = textMessage({
      chat,
      from: SHMALALA,
      reply_to_message: asked,
      text: `🎣 [Рыбалка] 🎣\n\nРыбак: ${asked.from.first_name}\nУлов: Щука 🐟 (2.4 кг)\nМонеты: +${amount} (3947)💰`,
    });
    reports.add(`${chat.id}:${update.message!.message_id}`);
    updates.push(update);
  };
  if (options.creditEveryMember === true) {
    // Steady state for the phases after: every member has said something and been credited once,
    // so one-off work (first-earnings awards, the first read of each user's achievements) is done.
    for (let c = 0; c < CHATS; c += 1) {
      for (const member of members[c]) {
        const said = textMessage({ chat: chats[c], from: member, text: "/fish" });
        lastTextOf.set(chats[c].id, said.message!);
        updates.push(said);
        report(c);
      }
    }
  }
  // Chat and sender from a seeded generator, not from `i`: `(i * 7919) % 100`
  // put every report (i % 20 === 0) into the same 5 chats (50 reports/s each,
  // where Telegram lets a bot post 20 messages a minute in a group).
  const random = seededRandom(count);
  for (let i = 0; i < count - CHATS; i += 1) {
    const c = Math.floor(random() * CHATS);
    const chat = chats[c];
    const from = members[c][Math.floor(random() * USERS_PER_CHAT)];
    const kind = i % 20;
    if (kind === 0) report(c);
    else if (kind === 1) updates.push(stickerMessage({ chat, from }));
    else {
      const update = textMessage({ chat, from, text: `message ${i} in the group, nothing to see` });
      lastTextOf.set(chat.id, update.message!);
      updates.push(update);
    }
  }
  for (let c = 0; c < CHATS; c += 1) {
    const sentinel = commandMessage({ chat: chats[c], from: members[c][0], command: "/balance" });
    sentinels.add(`${chats[c].id}:${sentinel.message!.message_id}`);
    updates.push(sentinel);
  }
  return { updates, reports, sentinels, coins };
}

interface PhaseResult {
  seconds: number;
  rate: number;
  latencies: number[];
  /** getUpdates requests the daemon made during the phase. */
  polls: number;
  /** p99 latency of the reports pushed in each second of the phase (shows whether delays build up). */
  p99BySecond: number[];
  /** From the last push to the last update handled, ms: how far behind the daemon was when the load stopped. */
  tailMilliseconds: number;
}

async function runPhase(api: FakeBotApi, workload: Workload, ratePerSecond: number | null): Promise<PhaseResult> {
  const pushedAt = new Map<string, number>();
  const acknowledged = new Map<string, number>();
  const answered = new Map<string, number>();
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  const checkDone = () => {
    if (acknowledged.size === workload.reports.size && answered.size === workload.sentinels.size) resolveDone();
  };
  api.on("setMessageReaction", (payload) => {
    const key = `${payload.chat_id}:${payload.message_id}`;
    if (workload.reports.has(key) && !acknowledged.has(key)) {
      acknowledged.set(key, performance.now());
      checkDone();
    }
    return true;
  });
  api.on("sendMessage", (payload) => {
    const reply = typeof payload.reply_parameters === "string" ? JSON.parse(payload.reply_parameters) : payload.reply_parameters;
    const key = `${payload.chat_id}:${(reply as { message_id?: number } | undefined)?.message_id}`;
    if (workload.sentinels.has(key) && !answered.has(key)) {
      answered.set(key, performance.now());
      checkDone();
    }
    return api.callDefault("sendMessage", payload);
  });
  const push = (update: Update) => {
    const message = update.message!;
    const key = `${message.chat.id}:${message.message_id}`;
    if (workload.reports.has(key)) pushedAt.set(key, performance.now());
    api.pushUpdate(update);
  };
  const pollsBefore = api.getUpdatesCount;
  const started = performance.now();
  let lastPushAt = started;
  if (ratePerSecond === null) {
    for (const update of workload.updates) push(update);
  } else {
    let next = 0;
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const due = Math.min(workload.updates.length, Math.floor(((performance.now() - started) / 1000) * ratePerSecond));
        while (next < due) push(workload.updates[next++]);
        lastPushAt = performance.now();
        if (next >= workload.updates.length) {
          clearInterval(timer);
          resolve();
        }
      }, 2);
    });
  }
  const timeout = setTimeout(() => resolveDone(), 120_000);
  await done;
  clearTimeout(timeout);
  if (acknowledged.size !== workload.reports.size) throw new Error(`only ${acknowledged.size} of ${workload.reports.size} reports acknowledged within 120 s`);
  if (answered.size !== workload.sentinels.size) throw new Error(`only ${answered.size} of ${workload.sentinels.size} chats finished within 120 s`);
  const last = Math.max(...acknowledged.values(), ...answered.values());
  const seconds = (last - started) / 1000;
  const latencies = [...acknowledged].map(([key, at]) => at - pushedAt.get(key)!).sort((a, b) => a - b);
  const bySecond: number[][] = [];
  for (const [key, at] of acknowledged) {
    const pushed = pushedAt.get(key)!;
    (bySecond[Math.floor((pushed - started) / 1000)] ??= []).push(at - pushed);
  }
  const p99BySecond = Array.from(bySecond, (values) => (values === undefined ? 0 : percentile(values.sort((a, b) => a - b), 99)));
  api.off("setMessageReaction");
  api.off("sendMessage");
  return { seconds, rate: workload.updates.length / seconds, latencies, polls: api.getUpdatesCount - pollsBefore, p99BySecond, tailMilliseconds: last - lastPushAt };
}

/**
 * Waits until `stickerbot status` shows no achievement checks waiting (they
 * run behind the updates, a few at a time), so the measured phases start in
 * steady state. Returns how long it took, in ms.
 */
async function waitForAchievementChecks(env: NodeJS.ProcessEnv): Promise<number> {
  const started = performance.now();
  for (;;) {
    const result = await runCliAsync(["status", "--json"], env);
    if (result.code !== 0) throw new Error(`stickerbot status exited ${result.code}: ${result.stderr}`);
    const features = (JSON.parse(result.stdout) as { features: Record<string, { pendingChecks?: number } | undefined> }).features;
    if ((features.achievements?.pendingChecks ?? 0) === 0) return performance.now() - started;
    if (performance.now() - started > 120_000) throw new Error("achievement checks still waiting after 120 s");
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The daemon's features for one configuration: all, or only this issue's. */
type FeatureSet = "all" | "economy";

const FEATURES_MODULE = pathToFileURL(path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../dist/app/features.js")).href;

async function runConfiguration(features: FeatureSet): Promise<void> {
  const api = await FakeBotApi.start();
  const temp = createTempDirectory("stickerbot-ingest-");
  let db: Database | undefined;
  try {
    const env: Record<string, string> = { STICKERBOT_LOG_LEVEL: "info" };
    // For profiling the daemon: e.g. INGEST_DAEMON_NODE_OPTIONS=--import=/path/to/profiler.mjs
    const extraNodeOptions = process.env.INGEST_DAEMON_NODE_OPTIONS ?? "";
    if (extraNodeOptions !== "") env.NODE_OPTIONS = extraNodeOptions;
    if (features === "economy") {
      const preload = path.join(temp.dir, "economy-only.mjs");
      writeFileSync(
        preload,
        `import { FEATURE_FACTORIES } from ${JSON.stringify(FEATURES_MODULE)};\n` +
          `const keep = new Set(${JSON.stringify(process.env.INGEST_KEEP_FEATURES?.split(",") ?? ["createCoreFeature", "createEconomyFeature", "createParsingFeature"])});\n` +
          `for (let i = FEATURE_FACTORIES.length - 1; i >= 0; i -= 1) if (!keep.has(FEATURE_FACTORIES[i].name)) FEATURE_FACTORIES.splice(i, 1);\n`,
      );
      env.NODE_OPTIONS = `--import=${preload} ${extraNodeOptions}`.trim();
    }
    const daemon = await startDaemon({ apiRoot: api.apiRoot, token: api.token, dir: temp.dir, env });
    const label = features === "all" ? "all features" : "core + economy + parsing";
    try {
      // Warm-up: JIT, the SQLite page cache, the runner's connections, and every member credited once.
      const community = createCommunity(-1_000_000);
      const warmUpLoad = buildWorkload(community, 5_000, { creditEveryMember: true });
      const warmUp = await runPhase(api, warmUpLoad, null);
      const settledIn = await waitForAchievementChecks(daemon.env);
      const sustainedLoad = buildWorkload(community, UPDATES_PER_PHASE);
      const sustained = await runPhase(api, sustainedLoad, SUSTAINED_RATE_PER_SECOND);
      const burstLoad = buildWorkload(community, UPDATES_PER_PHASE);
      const burst = await runPhase(api, burstLoad, null);

      db = await openDatabase(daemon.databasePath);
      const loads = [warmUpLoad, sustainedLoad, burstLoad];
      const expectedCredits = loads.reduce((sum, load) => sum + load.reports.size, 0);
      const expectedCoins = loads.reduce((sum, load) => sum + load.coins, 0);
      const totals = (await db("parsed_transactions").count({ n: "*" }).sum({ coins: "converted_amount" }).first()) as { n: number; coins: number };
      const ledgerTotals = (await db("ledger").where("reason", "parse").count({ n: "*" }).sum({ coins: "amount" }).first()) as { n: number; coins: number };
      for (const [what, found] of [["parsed_transactions", totals], ["ledger", ledgerTotals]] as const) {
        if (Number(found.n) !== expectedCredits || Number(found.coins) !== expectedCoins) {
          throw new Error(`${what}: expected ${expectedCredits} credits of ${expectedCoins} coins, found ${found.n} of ${found.coins}`);
        }
      }

      const ms = (value: number) => `${value.toFixed(1)} ms`;
      console.log(
        `[${label}] sustained ${UPDATES_PER_PHASE.toLocaleString("en-US")} updates offered at ${SUSTAINED_RATE_PER_SECOND}/s: handled ${sustained.rate.toFixed(0)} updates/s in ${sustained.seconds.toFixed(2)} s (target ≥ 5000/s; all handled ${sustained.tailMilliseconds.toFixed(0)} ms after the last push); ${sustained.polls} getUpdates calls, ${(UPDATES_PER_PHASE / sustained.polls).toFixed(1)} updates per call`,
      );
      console.log(
        `[${label}] sustained latency push → acknowledgement (${sustained.latencies.length} reports): p50 ${ms(percentile(sustained.latencies, 50))}, p99 ${ms(percentile(sustained.latencies, 99))}, max ${ms(sustained.latencies.at(-1)!)} (target p99 < 50 ms)`,
      );
      console.log(`[${label}] sustained p99 latency per second of pushing: ${sustained.p99BySecond.map((value) => value.toFixed(0)).join(" ")} ms`);
      console.log(
        `[${label}] warm-up (cold caches, each member's first credit and award): ${warmUpLoad.updates.length.toLocaleString("en-US")} updates at once drained at ${warmUp.rate.toFixed(0)} updates/s; achievement checks done ${(settledIn / 1000).toFixed(1)} s later`,
      );
      console.log(`[${label}] burst ${UPDATES_PER_PHASE.toLocaleString("en-US")} updates queued at once: drained at ${burst.rate.toFixed(0)} updates/s in ${burst.seconds.toFixed(2)} s (maximum throughput); ${burst.polls} getUpdates calls`);
      console.log(`[${label}] burst latency (queueing included, not a target): p50 ${ms(percentile(burst.latencies, 50))}, p99 ${ms(percentile(burst.latencies, 99))}`);
      console.log(`[${label}] correctness: ${expectedCredits} reports, each credited exactly once (parsed_transactions and ledger), ${expectedCoins} coins exactly`);
    } finally {
      daemon.child.kill("SIGTERM");
      await daemon.exited;
    }
  } finally {
    await db?.destroy();
    await api.stop();
    temp.remove();
  }
}

/** INGEST_FEATURES=all|economy runs one configuration only (default: both). */
export async function run(): Promise<void> {
  const only = process.env.INGEST_FEATURES;
  if (only !== undefined && only !== "all" && only !== "economy") throw new Error(`INGEST_FEATURES must be "all" or "economy", not ${JSON.stringify(only)}`);
  if (only !== "economy") await runConfiguration("all");
  if (only !== "all") await runConfiguration("economy");
}
