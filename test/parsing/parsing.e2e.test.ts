import { expect } from "chai";
import { writeFileSync } from "node:fs";
import path from "node:path";
import type { Update, User } from "grammy/types";
import { type Database, openDatabase } from "../../src/database/open-database.js";
import { FakeBotApi } from "../support/fake-bot-api.js";
import { createTempDirectory, type DaemonProcess, runCliAsync, startDaemon } from "../support/daemon-process.js";
import { commandMessage, groupChat, textMessage, user } from "../support/updates.js";

const SHMALALA: User = { id: 5001, is_bot: true, first_name: "Шмалала", username: "shmalala_bot" };
const ADMIN: User = { id: 777_002, is_bot: false, first_name: "Admin", username: "e2e_admin", language_code: "en" };

function shmalalaReport(name: string, coins: string): string {
  return `🎣 [Рыбалка] 🎣\n\nРыбак: ${name}\nУлов: Щука 🐟 (2.4 кг)\nМонеты: +${coins} (3947)💰`;
}

describe("parsing end to end (bin/stickerbot + fake Bot API)", function () {
  this.timeout(60_000);
  let api: FakeBotApi;
  let temp: ReturnType<typeof createTempDirectory>;
  let daemon: DaemonProcess | undefined;
  let reader: Database | undefined;
  const chat = groupChat(-100_900);

  beforeEach(async () => {
    api = await FakeBotApi.start();
    temp = createTempDirectory("stickerbot-parse-");
    daemon = undefined;
    reader = undefined;
  });
  afterEach(async () => {
    await reader?.destroy();
    await daemon?.kill();
    await api.stop();
    temp.remove();
  });

  const start = (config: Record<string, unknown> = {}) =>
    startDaemon({ apiRoot: api.apiRoot, token: api.token, dir: temp.dir, config, env: { STICKERBOT_ADMIN_IDS: String(ADMIN.id) } });

  /** Pushes the update and waits for the reaction on its message (the visible effect of a credit). */
  const pushAndAwaitReaction = async (update: Update) => {
    api.pushUpdate(update);
    await api.waitForCall("setMessageReaction", (payload) => payload.chat_id === chat.id && payload.message_id === update.message!.message_id, 10_000);
  };
  /**
   * Updates of one chat are handled in order, so once a later report's
   * reaction arrived, everything pushed before it in that chat was handled.
   */
  const barrier = async (player: User) => {
    const asked = textMessage({ chat, from: player, text: "/fish" });
    api.pushUpdate(asked);
    await pushAndAwaitReaction(textMessage({ chat, from: SHMALALA, reply_to_message: asked, text: shmalalaReport(player.first_name, "1") }));
  };
  const db = async () => (reader ??= await openDatabase(daemon!.databasePath));
  /** Coins credited from reports (other features, e.g. achievements, may add their own rewards to the balance). */
  const balance = async (userId: number) =>
    Number(((await (await db())("ledger").where({ user_id: userId, reason: "parse" }).sum({ sum: "amount" }).first()) as { sum: number | null }).sum ?? 0);
  const ledgerRows = async (userId: number) => (await db())("ledger").where({ user_id: userId, reason: "parse" }).orderBy("id");
  const adminReply = async (command: string) => {
    const update = commandMessage({ chat, from: ADMIN, command });
    api.pushUpdate(update);
    const call = await api.waitForCall("sendMessage", (payload) => payload.reply_parameters?.message_id === update.message!.message_id, 10_000);
    return String(call.payload.text);
  };

  it("a Shmalala reply credits that user once: duplicate delivery and redelivery after a restart credit nothing more", async () => {
    daemon = await start();
    const player = user({ first_name: "LucasTeam", last_name: "Luke" });
    const asked = textMessage({ chat, from: player, text: "/fish@shmalala_bot" });
    api.pushUpdate(asked);
    const report = textMessage({ chat, from: SHMALALA, reply_to_message: asked, text: shmalalaReport("LucasTeam Luke", "14") });
    await pushAndAwaitReaction(report);
    // The same message again under new update ids (what redelivery looks like to the bot).
    api.pushUpdate({ ...report, update_id: undefined } as Omit<Update, "update_id">);
    api.pushUpdate({ ...report, update_id: undefined } as Omit<Update, "update_id">);
    await barrier(player);
    expect(await balance(player.id)).to.equal(15);
    expect(api.callsTo("setMessageReaction").filter((call) => call.payload.message_id === report.message!.message_id)).to.have.length(1);

    // Restart: the same report delivered again after the daemon comes back.
    await reader!.destroy();
    reader = undefined;
    daemon.child.kill("SIGTERM");
    expect((await daemon.exited).code).to.equal(0);
    daemon = await start();
    api.pushUpdate({ ...report, update_id: undefined } as Omit<Update, "update_id">);
    await barrier(player);
    expect(await balance(player.id)).to.equal(16);
    const rows = await ledgerRows(player.id);
    expect(rows.map((row) => [row.amount, row.reason, row.reference])).to.deep.equal([
      [14, "parse", `${chat.id}:${report.message!.message_id}`],
      [1, "parse", rows[1].reference],
      [1, "parse", rows[2].reference],
    ]);
    expect(await (await db())("parse_failures")).to.have.length(0);
    expect(api.callsTo("setMessageReaction").filter((call) => call.payload.message_id === report.message!.message_id)).to.have.length(1);
  });

  it("human, forwarded and unknown-bot texts credit nothing; a bad admin rule is refused while the others work; /parsing_stats is exact", async () => {
    daemon = await start();
    const player = user({ first_name: "Cheater", username: "cheater" });
    api.pushUpdate(textMessage({ chat, from: player, text: shmalalaReport("Cheater", "1000") }));
    api.pushUpdate(textMessage({ chat, from: player, text: shmalalaReport("Cheater", "1000"), forward_origin: { type: "user", date: 1, sender_user: SHMALALA } }));
    api.pushUpdate(textMessage({ chat, from: { id: 5999, is_bot: true, first_name: "Copy", username: "copycat_fish_bot" }, text: shmalalaReport("Cheater", "1000") }));
    await barrier(player);
    expect(await balance(player.id)).to.equal(1);
    await daemon.waitForLog((line) => line.message === "report-like text ignored: only the game bot's own messages earn coins" && line.why === "forwarded");

    expect(await adminReply("/add_rule broken @stars_game_bot 1 points Очки • \\+(\\d+")).to.match(
      /^❌ Rule refused: invalid regular expression: .*Unterminated group/,
    );
    expect(await adminReply("/add_rule stars @stars_game_bot 0.5 points Очки •\\s*\\+(\\d{1,3}(?:,\\d{3})+|\\d+)")).to.equal(
      "✅ Rule stars added: @stars_game_bot ×0.5 points. Active rules: 3.",
    );
    await barrier(player);
    expect(await balance(player.id)).to.equal(2);
    const stars: User = { id: 6001, is_bot: true, first_name: "Stars", username: "stars_game_bot" };
    const asked = textMessage({ chat, from: player, text: "/play" });
    api.pushUpdate(asked);
    await pushAndAwaitReaction(textMessage({ chat, from: stars, reply_to_message: asked, text: "🎲 Итог\n✨ Очки • +3,000 [3,000]\n💰 Монеты • +5 [5]" }));
    expect(await balance(player.id)).to.equal(1502);
    // Two failures: a Shmalala report without a player, and a zero amount.
    api.pushUpdate(textMessage({ chat, from: SHMALALA, text: "🎣 [Рыбалка] 🎣\nМонеты: +5 (10)💰" }));
    api.pushUpdate(textMessage({ chat, from: stars, text: "✨ Очки • +0 [0]" }));
    expect(await adminReply("/parsing_stats 24h")).to.equal(
      [
        "📊 Parsing, last 24 hours:",
        "@shmalala_bot: ✅ 2 · ❌ 1 · 66.7% successful",
        "    reported 2 → credited 2 coins",
        "@stars_game_bot: ✅ 1 · ❌ 1 · 50% successful",
        "    reported 3,000 → credited 1,500 coins",
      ].join("\n"),
    );
  });

  it("stickerbot reload picks up a new config rule without a restart", async () => {
    daemon = await start({ parsing: { rules: [] } });
    const dice: User = { id: 6002, is_bot: true, first_name: "Dice", username: "dice_game_bot" };
    const player = user({ first_name: "Roller" });
    const asked = textMessage({ chat, from: player, text: "/roll" });
    api.pushUpdate(asked);
    api.pushUpdate(textMessage({ chat, from: dice, reply_to_message: asked, text: "🎲 Выигрыш: +40 фишек" }));
    await barrier(player);
    expect(await balance(player.id)).to.equal(1);

    const rule = { name: "dice-chips", botUsername: "dice_game_bot", pattern: "Выигрыш:\\s*\\+(\\d+)", multiplier: "2.5", currency: "chips" };
    writeFileSync(path.join(temp.dir, "config.json"), JSON.stringify({ parsing: { rules: [rule] } }));
    const reload = await runCliAsync(["reload"], daemon.env);
    expect(reload.code, reload.stderr).to.equal(0);
    await pushAndAwaitReaction(textMessage({ chat, from: dice, reply_to_message: asked, text: "🎲 Выигрыш: +41 фишек" }));
    expect(await balance(player.id)).to.equal(1 + 102);
    const status = JSON.parse((await runCliAsync(["status", "--json"], daemon.env)).stdout);
    expect(status.features.parsing).to.deep.include({ activeRules: 3, totalRules: 3, invalidRules: [] });
    expect(status.features.parsing.sinceStart).to.deep.include({ credited: 2, failed: 0, duplicates: 0 });
  });

  it("warns at startup, with the BotFather settings, when privacy mode hides other bots' messages", async () => {
    await api.stop();
    api = await FakeBotApi.start({ botInfo: { can_read_all_group_messages: false } });
    daemon = await start();
    const warning = await daemon.waitForLog((line) => line.level === "warn" && String(line.message).startsWith("privacy mode is on"));
    expect(String(warning.message)).to.contain("/setprivacy → Disable").and.contain("Bot-to-Bot Communication Mode").and.contain("admin");
  });
});
