import { expect } from "chai";
import type { MessageEntity, User } from "grammy/types";
import { ADMIN_ID, type ParsingHarness, startParsingHarness } from "./parsing-harness.js";
import { commandMessage, editedTextMessage, groupChat, photoMessage, textMessage, user } from "../support/updates.js";

const SHMALALA: User = { id: 5001, is_bot: true, first_name: "Шмалала", username: "shmalala_bot" };
const GDCARDS: User = { id: 5002, is_bot: true, first_name: "GDcards", username: "gdcardsBot" };
const STRANGER_BOT: User = { id: 5003, is_bot: true, first_name: "Fisher", username: "fake_fishing_bot" };

function shmalalaReport(name: string, coins: string, total = "3947"): string {
  return `🎣 [Рыбалка] 🎣\n\nРыбак: ${name}\nУлов: Щука 🐟 (2.4 кг)\nМонеты: +${coins} (${total})💰\nОпыт: +3`;
}

/** GDcards' caption, with the player as a text mention (as the real bot posts it). */
function gdcardsCaption(player: User, points: number): { caption: string; caption_entities: MessageEntity[] } {
  const caption = `🃏 НОВАЯ КАРТА 🃏\n\nИгрок: ${player.first_name}\nКарта: «Bloodbath»\nРедкость: Легендарная\nОчки: +${points}\nВсего очков: 10`;
  const offset = caption.indexOf(`Игрок: ${player.first_name}`) + "Игрок: ".length;
  return { caption, caption_entities: [{ type: "text_mention", offset, length: player.first_name.length, user: player }] };
}

describe("message parser (grammY + SQLite + fake Bot API)", function () {
  this.timeout(20_000);
  let h: ParsingHarness;
  const chat = groupChat(-100_555);
  const admin = user({ id: ADMIN_ID, first_name: "Admin", username: "the_admin" });

  beforeEach(async () => {
    h = await startParsingHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  const balanceOf = (userId: number) => h.services.ledger.balanceOf(userId);
  const count = async (table: string) => Number(((await h.db(table).count({ n: "*" }).first()) as { n: number }).n);
  const replies = () => h.api.callsTo("sendMessage").map((call) => String(call.payload.text));

  it("GDcards: a photo caption replying to /card credits the player once, with a reaction and an exact record", async () => {
    const player = user({ first_name: "Luke", username: undefined });
    const command = commandMessage({ chat, from: player, command: "/card@gdcardsBot" });
    await h.handle(command);
    const report = photoMessage({ chat, from: GDCARDS, reply_to_message: command, ...gdcardsCaption(player, 2) });
    await h.handle(report);
    expect(await balanceOf(player.id)).to.equal(2);
    const [row] = await h.db("parsed_transactions");
    expect(row).to.deep.include({
      chat_id: chat.id,
      message_id: report.message!.message_id,
      source_bot: "gdcardsbot",
      original_amount: 2,
      converted_amount: 2,
      currency: "points",
      user_id: player.id,
      message_text: report.message!.caption,
    });
    const [ledgerRow] = await h.db("ledger");
    expect(ledgerRow).to.deep.include({ user_id: player.id, amount: 2, balance_after: 2, reason: "parse", source: "gdcardsbot", reference: `${chat.id}:${report.message!.message_id}` });
    const reactions = h.api.callsTo("setMessageReaction");
    expect(reactions).to.have.length(1);
    expect(reactions[0].payload).to.deep.include({ chat_id: chat.id, message_id: report.message!.message_id });
    expect(reactions[0].payload.reaction).to.deep.equal([{ type: "emoji", emoji: "👍" }]);
    expect(h.api.callsTo("sendMessage")).to.have.length(0);
  });

  it("GDcards without a reply: the text_mention is the player (registered on the fly)", async () => {
    const player = user({ first_name: "Нина", username: undefined });
    await h.handle(photoMessage({ chat, from: GDCARDS, ...gdcardsCaption(player, 5) }));
    expect(await balanceOf(player.id)).to.equal(5);
  });

  it("Shmalala: the named player known in the chat is credited; events come after the commit", async () => {
    const player = user({ first_name: "LucasTeam", last_name: "Luke", username: "lucas" });
    await h.handle(textMessage({ chat, from: player, text: "/fish@shmalala_bot" }));
    const seen: Array<{ event: string; balance: number }> = [];
    h.services.events.on("credited", (event) => {
      void h.services.ledger.balanceOf(event.userId).then((balance) => seen.push({ event: `credited:${event.amount}:${event.reason}`, balance }));
    });
    h.services.events.on("parsed", (event) => seen.push({ event: `parsed:${event.amount}:${event.chatId}`, balance: -1 }));
    await h.handle(textMessage({ chat, from: SHMALALA, text: shmalalaReport("LucasTeam Luke", "14") }));
    expect(await balanceOf(player.id)).to.equal(14);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen).to.deep.include({ event: "credited:14:parse", balance: 14 });
    expect(seen).to.deep.include({ event: `parsed:14:${chat.id}`, balance: -1 });
  });

  it("Shmalala replying to a player credits the reply's author, whatever name the text shows", async () => {
    const player = user({ first_name: "Ivan" });
    const asked = textMessage({ chat, from: player, text: "рыбалка" });
    await h.handle(asked);
    await h.handle(textMessage({ chat, from: SHMALALA, reply_to_message: asked, text: shmalalaReport("Someone Else", "3 000") }));
    expect(await balanceOf(player.id)).to.equal(3000);
  });

  it("the same report delivered twice (new update_id) credits once and records no failure", async () => {
    const player = user({ first_name: "Olga" });
    const asked = textMessage({ chat, from: player, text: "/fish" });
    await h.handle(asked);
    const report = textMessage({ chat, from: SHMALALA, reply_to_message: asked, text: shmalalaReport("Olga", "14") });
    await h.handle(report);
    await h.handle({ ...report, update_id: report.update_id + 1000 });
    await h.handle({ ...report, update_id: report.update_id + 2000 });
    expect(await balanceOf(player.id)).to.equal(14);
    expect(await count("parsed_transactions")).to.equal(1);
    expect(await count("ledger")).to.equal(1);
    expect(await count("parse_failures")).to.equal(0);
    expect(h.api.callsTo("setMessageReaction")).to.have.length(1);
    expect(await h.parsing.status!()).to.deep.include({ sinceStart: { credited: 1, failed: 0, duplicates: 2, ignored: 0 } });
  });

  it("humans, forwards, unknown bots and edits earn nothing (humans and forwards are logged at debug)", async () => {
    const player = user({ first_name: "Cheater", username: "cheater" });
    await h.handle(textMessage({ chat, from: player, text: shmalalaReport("Cheater", "1000") }));
    await h.handle(textMessage({ chat, from: player, text: "Монеты: +1000" }));
    const forwarded = textMessage({
      chat,
      from: player,
      text: shmalalaReport("Cheater", "1000"),
      forward_origin: { type: "user", date: 1, sender_user: SHMALALA },
    });
    await h.handle(forwarded);
    // A forward posted by the game bot itself is still a forward.
    await h.handle(textMessage({ chat, from: SHMALALA, text: shmalalaReport("Cheater", "1000"), forward_origin: { type: "hidden_user", date: 1, sender_user_name: "x" } }));
    await h.handle(textMessage({ chat, from: STRANGER_BOT, text: shmalalaReport("Cheater", "1000") }));
    // A human whose username looks like the game bot's is still not a bot.
    await h.handle(textMessage({ chat, from: user({ username: "shmalala_bot", first_name: "Fake" }), text: shmalalaReport("Cheater", "1000") }));
    await h.handle(editedTextMessage({ chat, from: SHMALALA, text: shmalalaReport("Cheater", "1000") }));
    expect(await balanceOf(player.id)).to.equal(0);
    expect(await count("parsed_transactions")).to.equal(0);
    expect(await count("parse_failures")).to.equal(0);
    expect(await count("ledger")).to.equal(0);
    expect(h.api.callsTo("setMessageReaction")).to.have.length(0);
    const ignored = h.logs.filter((line) => line.message === "report-like text ignored: only the game bot's own messages earn coins");
    expect(ignored.map((line) => line.why)).to.deep.equal([
      "sent by a human",
      "sent by a human",
      "forwarded",
      "forwarded",
      "not sent by the rule's bot",
      "sent by a human",
    ]);
    expect(ignored.every((line) => line.level === "debug")).to.equal(true);
  });

  it("the bot is matched by username case-insensitively, and a private chat is never parsed", async () => {
    const player = user({ first_name: "Case" });
    const asked = textMessage({ chat, from: player, text: "/fish" });
    await h.handle(asked);
    await h.handle(textMessage({ chat, from: { ...SHMALALA, username: "SHMALALA_BOT" }, reply_to_message: asked, text: shmalalaReport("Case", "7") }));
    expect(await balanceOf(player.id)).to.equal(7);
    await h.handle(textMessage({ chat: { id: SHMALALA.id, type: "private", first_name: "Шмалала" }, from: SHMALALA, text: shmalalaReport("Case", "7") }));
    expect(await balanceOf(player.id)).to.equal(7);
  });

  it("no target, an unknown name or an ambiguous name is a failed parse with the reason, recorded once", async () => {
    await h.handle(textMessage({ chat, from: user({ first_name: "Anna", last_name: "K" }), text: "hi" }));
    await h.handle(textMessage({ chat, from: user({ first_name: "Anna", last_name: "K" }), text: "hi" }));
    const ambiguous = textMessage({ chat, from: SHMALALA, text: shmalalaReport("Anna K", "5") });
    await h.handle(ambiguous);
    await h.handle({ ...ambiguous, update_id: ambiguous.update_id + 500 });
    await h.handle(textMessage({ chat, from: SHMALALA, text: shmalalaReport("Nobody Here", "5") }));
    await h.handle(textMessage({ chat, from: SHMALALA, text: "🎣 [Рыбалка] 🎣\nМонеты: +5 (10)💰" }));
    await h.handle(textMessage({ chat, from: SHMALALA, text: shmalalaReport("Anna K", "0") }));
    await h.handle(textMessage({ chat, from: SHMALALA, text: "Вы уже рыбачили, приходите через час" }));
    const failures = (await h.db("parse_failures").orderBy("id")).map((row) => row.reason);
    expect(failures).to.deep.equal([
      '"Anna K" is ambiguous: 2 users in this chat have that name',
      'no user named "Nobody Here" is known in this chat',
      "no player found: not a reply, no mention, and the rule has no user capture",
      "amount must be positive (got 0)",
    ]);
    expect(await count("ledger")).to.equal(0);
  });

  it("an @username mention of a known user is the player", async () => {
    const player = user({ first_name: "Mention", username: "mention_me" });
    await h.handle(textMessage({ chat, from: player, text: "hi" }));
    const text = "🎣 [Рыбалка] 🎣\nРыбак: @mention_me\nМонеты: +9 (9)💰";
    await h.handle(textMessage({ chat, from: SHMALALA, text, entities: [{ type: "mention", offset: text.indexOf("@"), length: "@mention_me".length }] }));
    expect(await balanceOf(player.id)).to.equal(9);
  });

  it("acknowledge: reply sends one short reply and no reaction; none sends nothing", async () => {
    const player = user({ first_name: "Ack", username: "ack_user" });
    const asked = textMessage({ chat, from: player, text: "/fish" });
    await h.handle(asked);
    await h.reconfigure((config) => (config.parsing.acknowledge = "reply"));
    await h.handle(textMessage({ chat, from: SHMALALA, reply_to_message: asked, text: shmalalaReport("Ack", "1 500") }));
    expect(replies()).to.deep.equal(["✅ @ack_user: +1\u00A0500 монет"]); // ru: a no-break space groups thousands
    expect(h.api.callsTo("setMessageReaction")).to.have.length(0);
    await h.reconfigure((config) => (config.parsing.acknowledge = "none"));
    await h.handle(textMessage({ chat, from: SHMALALA, reply_to_message: asked, text: shmalalaReport("Ack", "1") }));
    expect(await balanceOf(player.id)).to.equal(1501);
    expect(h.api.callsTo("sendMessage")).to.have.length(1);
    expect(h.api.callsTo("setMessageReaction")).to.have.length(0);
  });

  it("a failing reaction is logged and the credit stands", async () => {
    const player = user({ first_name: "Fail" });
    const asked = textMessage({ chat, from: player, text: "/fish" });
    await h.handle(asked);
    h.api.fail("setMessageReaction", { kind: "400", description: "Bad Request: REACTION_INVALID" }, { times: 1 });
    await h.handle(textMessage({ chat, from: SHMALALA, reply_to_message: asked, text: shmalalaReport("Fail", "4") }));
    expect(await balanceOf(player.id)).to.equal(4);
    expect(h.logs.some((line) => line.message === "could not acknowledge a credited report")).to.equal(true);
    expect(h.api.callsTo("setMessageReaction")).to.have.length(1);
  });

  describe("rule commands", () => {
    const adminSays = (command: string) => h.handle(commandMessage({ chat, from: admin, command }));

    it("/add_rule refuses a bad regex or multiplier with the reason; the other rules keep working", async () => {
      await adminSays("/add_rule broken @stars_game_bot 1 points Очки • \\+(\\d+");
      await adminSays("/add_rule half @stars_game_bot 1,5 points Очки • \\+(\\d+)");
      await adminSays("/add_rule noamount @stars_game_bot 1 points Очки • \\+\\d+");
      const [bad, badMultiplier, noAmount] = replies();
      expect(bad).to.match(/^❌ Rule refused: invalid regular expression: .*Unterminated group/);
      expect(badMultiplier).to.equal('❌ Rule refused: multiplier must be a positive decimal number such as "1" or "0.5" (got "1,5")');
      expect(noAmount).to.match(/^❌ Rule refused: the regular expression needs a capture group for the amount/);
      expect(await count("parsing_rules")).to.equal(2);
      const player = user({ first_name: "Still" });
      const asked = textMessage({ chat, from: player, text: "/fish" });
      await h.handle(asked);
      await h.handle(textMessage({ chat, from: SHMALALA, reply_to_message: asked, text: shmalalaReport("Still", "14") }));
      expect(await balanceOf(player.id)).to.equal(14);
    });

    it("/add_rule adds a working rule at once (separators, multiplier); /disable_rule stops it; /rules lists", async () => {
      await adminSays("/add_rule stars-points @Stars_Game_Bot 0.5 points Очки •\\s*\\+(\\d{1,3}(?:,\\d{3})+|\\d+)");
      expect(replies()[0]).to.equal("✅ Rule stars-points added: @stars_game_bot ×0.5 points. Active rules: 3.");
      const starsBot: User = { id: 6001, is_bot: true, first_name: "Stars", username: "stars_game_bot" };
      const player = user({ first_name: "Star" });
      const asked = textMessage({ chat, from: player, text: "/play" });
      await h.handle(asked);
      await h.handle(textMessage({ chat, from: starsBot, reply_to_message: asked, text: "🎲 Результат\n✨ Очки • +3,000 [3,000]\n💰 Монеты • +5 [5]" }));
      expect(await balanceOf(player.id)).to.equal(1500);
      await adminSays("/disable_rule stars-points");
      expect(replies()[1]).to.equal("⏸ Rule stars-points disabled.");
      await h.handle(textMessage({ chat, from: starsBot, reply_to_message: asked, text: "✨ Очки • +3,000 [3,000]" }));
      expect(await balanceOf(player.id)).to.equal(1500);
      await adminSays("/rules");
      const list = replies()[2];
      expect(list).to.contain("gdcards-points — @gdcardsbot ×1 points (active, seed)");
      expect(list).to.contain("shmalala-coins — @shmalala_bot ×1 coins (active, seed)");
      expect(list).to.contain("stars-points — @stars_game_bot ×0.5 points (disabled, admin)");
      await adminSays("/enable_rule stars-points");
      await adminSays("/enable_rule stars-points");
      await adminSays("/disable_rule nope");
      expect(replies().slice(3)).to.deep.equal(["▶️ Rule stars-points enabled.", "Rule stars-points is already active.", 'There is no rule "nope" (see /rules).']);
    });

    it("admin commands are refused to others; /add_rule without arguments shows the syntax", async () => {
      const someone = user();
      await h.handle(commandMessage({ chat, from: someone, command: "/add_rule x @y_bot 1 c (\\d+)" }));
      await h.handle(commandMessage({ chat, from: someone, command: "/parsing_stats" }));
      expect(replies()).to.deep.equal(["⛔ This command is for administrators only.", "⛔ This command is for administrators only."]);
      expect(await count("parsing_rules")).to.equal(2);
      await adminSays("/add_rule");
      expect(replies()[2]).to.match(/^Usage: \/add_rule name @bot multiplier currency regex\nExample:/);
    });

    it("/reload_rules and feature reload sync the config's rules; an invalid config rule rejects the reload", async () => {
      await h.reconfigure((config) => {
        config.parsing.rules = [{ name: "cfg", botUsername: "cfg_bot", pattern: "Win (\\d+)", multiplier: "2", currency: "coins", active: true }];
      });
      expect((await h.db("parsing_rules").where("name", "cfg").first()).origin).to.equal("config");
      await adminSays("/add_rule cfg @other_bot 1 coins x(\\d+)");
      expect(replies()[0]).to.match(/^❌ Rule cfg comes from the config file/);
      let error: unknown;
      try {
        await h.reconfigure((config) => {
          config.parsing.rules = [{ name: "cfg2", botUsername: "cfg_bot", pattern: "Win \\d+", multiplier: "1", currency: "coins", active: true }];
        });
      } catch (caught) {
        error = caught;
      }
      expect(String(error)).to.match(/parsing\.rules\[0\] \(cfg2\): the regular expression needs a capture group/);
      expect(await h.db("parsing_rules").where("name", "cfg2").first()).to.equal(undefined);
      await h.reconfigure((config) => (config.parsing.rules = []));
      expect(Boolean((await h.db("parsing_rules").where("name", "cfg").first()).active)).to.equal(false);
      await adminSays("/reload_rules");
      expect(replies()[1]).to.equal("🔄 Rules reloaded: 2 active, 3 in total.");
    });
  });

  describe("statistics and retention", () => {
    it("/parsing_stats counts successes and failures per bot and period, with exact percentages and separators", async () => {
      const player = user({ first_name: "Stat" });
      const asked = textMessage({ chat, from: player, text: "/fish" });
      await h.handle(asked);
      const day = 86_400_000;
      // 40 days ago (outside every period): one success.
      h.clock.advance(-40 * day);
      await h.handle(textMessage({ chat, from: SHMALALA, reply_to_message: asked, text: shmalalaReport("Stat", "1") }));
      // 10 days ago: one Shmalala failure (no target).
      h.clock.advance(30 * day);
      await h.handle(textMessage({ chat, from: SHMALALA, text: "Монеты: +5 (5)" }));
      // 3 days ago: a GDcards success of 2,500.
      h.clock.advance(7 * day);
      await h.handle(photoMessage({ chat, from: GDCARDS, reply_to_message: asked, ...gdcardsCaption(player, 2500) }));
      // Now: two Shmalala successes (1,234 and 10,000) and one failure.
      h.clock.advance(3 * day);
      await h.handle(textMessage({ chat, from: SHMALALA, reply_to_message: asked, text: shmalalaReport("Stat", "1 234") }));
      await h.handle(textMessage({ chat, from: SHMALALA, reply_to_message: asked, text: shmalalaReport("Stat", "10,000") }));
      await h.handle(textMessage({ chat, from: SHMALALA, text: "Монеты: +0 (0)" }));
      await h.handle(commandMessage({ chat, from: admin, command: "/parsing_stats" }));
      await h.handle(commandMessage({ chat, from: admin, command: "/parsing_stats 7d" }));
      await h.handle(commandMessage({ chat, from: admin, command: "/parsing_stats 1y" }));
      const [all, week, bad] = replies();
      expect(all).to.equal(
        [
          "📊 Parsing, last 24 hours:",
          "@shmalala_bot: ✅ 2 · ❌ 1 · 66.7% successful",
          "    reported 11,234 → credited 11,234 coins",
          "",
          "📊 Parsing, last 7 days:",
          "@gdcardsbot: ✅ 1 · ❌ 0 · 100% successful",
          "    reported 2,500 → credited 2,500 coins",
          "@shmalala_bot: ✅ 2 · ❌ 1 · 66.7% successful",
          "    reported 11,234 → credited 11,234 coins",
          "",
          "📊 Parsing, last 30 days:",
          "@gdcardsbot: ✅ 1 · ❌ 0 · 100% successful",
          "    reported 2,500 → credited 2,500 coins",
          "@shmalala_bot: ✅ 2 · ❌ 2 · 50% successful",
          "    reported 11,234 → credited 11,234 coins",
        ].join("\n"),
      );
      expect(week).to.equal(all.split("\n\n")[1]);
      expect(bad).to.equal("Usage: /parsing_stats [24h|7d|30d]");
    });

    it("the cleanup purges parsed records older than the retention period, keeping the ledger", async () => {
      const player = user({ first_name: "Old" });
      const asked = textMessage({ chat, from: player, text: "/fish" });
      await h.handle(asked);
      await h.handle(textMessage({ chat, from: SHMALALA, reply_to_message: asked, text: shmalalaReport("Old", "3") }));
      await h.handle(textMessage({ chat, from: SHMALALA, text: "Монеты: +3 (3)" }));
      h.clock.advance(89 * 86_400_000);
      await h.handle(textMessage({ chat, from: SHMALALA, reply_to_message: asked, text: shmalalaReport("Old", "4") }));
      const [step] = h.parsing.cleanupSteps!;
      expect(await step.run(h.clock.now(), new AbortController().signal)).to.deep.equal({ purged: { parsedTransactions: 0, parseFailures: 0 } });
      h.clock.advance(2 * 86_400_000);
      expect(await step.run(h.clock.now(), new AbortController().signal)).to.deep.equal({ purged: { parsedTransactions: 1, parseFailures: 1 } });
      expect(await count("parsed_transactions")).to.equal(1);
      expect(await count("ledger")).to.equal(2);
      expect(await balanceOf(player.id)).to.equal(7);
    });
  });
});
