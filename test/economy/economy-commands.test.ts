import { expect } from "chai";
import { ADMIN_ID, type ParsingHarness, startParsingHarness } from "../parsing/parsing-harness.js";
import { commandMessage, groupChat, privateChat, textMessage, user } from "../support/updates.js";

describe("economy commands (grammY + SQLite + fake Bot API)", function () {
  this.timeout(20_000);
  let h: ParsingHarness;
  const chat = groupChat(-100_777);
  const admin = user({ id: ADMIN_ID, first_name: "Admin", username: "the_admin" });

  beforeEach(async () => {
    h = await startParsingHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  const replies = () => h.api.callsTo("sendMessage").map((call) => String(call.payload.text));
  const adminSays = (command: string, extra: Parameters<typeof commandMessage>[0] = {}) =>
    h.handle(commandMessage({ chat, from: admin, command, ...extra }));

  it("/add_coins @user and by reply, /remove_coins never below zero, all in the ledger with the admin's id", async () => {
    const player = user({ first_name: "Pavel", username: "pavel" });
    const hello = textMessage({ chat, from: player, text: "hello" });
    await h.handle(hello);
    await adminSays("/add_coins @pavel 1500 prize for the quiz");
    await adminSays("/add_coins 250", { reply_to_message: hello });
    await adminSays("/remove_coins @Pavel 2000");
    await adminSays("/remove_coins @pavel 1750 all of it");
    await adminSays("/remove_coins @pavel 1");
    expect(replies()).to.deep.equal([
      "✅ @pavel: +1,500 coins. Balance: 1,500.",
      "✅ @pavel: +250 coins. Balance: 1,750.",
      "❌ Cannot remove 2,000 coins: @pavel has only 1,750. The balance is unchanged (it cannot go below zero).",
      "✅ @pavel: −1,750 coins. Balance: 0.",
      "❌ Cannot remove 1 coins: @pavel has only 0. The balance is unchanged (it cannot go below zero).",
    ]);
    const rows = await h.db("ledger").orderBy("id");
    expect(rows.map((row) => [row.amount, row.balance_after, row.reason, row.source, row.actor_id])).to.deep.equal([
      [1500, 1500, "admin_add", "prize for the quiz", ADMIN_ID],
      [250, 1750, "admin_add", null, ADMIN_ID],
      [-1750, 0, "admin_remove", "all of it", ADMIN_ID],
    ]);
    expect(await h.services.ledger.balanceOf(player.id)).to.equal(0);
  });

  it("bad amounts and unknown users get clear replies and change nothing; non-admins are refused", async () => {
    await h.handle(textMessage({ chat, from: user({ username: "known" }), text: "hi" }));
    await adminSays("/add_coins @known 1.5");
    await adminSays("/add_coins @known -5");
    await adminSays("/add_coins @nobody 5");
    await adminSays("/add_coins");
    await adminSays("/add_coins @known");
    await h.handle(commandMessage({ chat, from: user(), command: "/add_coins @known 100" }));
    expect(replies()).to.deep.equal([
      'The amount must be a positive whole number of coins (got "1.5").',
      'The amount must be a positive whole number of coins (got "-5").',
      "I don't know @nobody: they need to write in the group or to the bot first.",
      "Usage: /add_coins @user|reply amount [reason]",
      "Usage: /add_coins @user|reply amount [reason]",
      "⛔ This command is for administrators only.",
    ]);
    expect(await h.db("ledger")).to.have.length(0);
  });

  it("/balance and /history show the caller's coins and last 10 ledger rows, readable", async () => {
    const player = user({ first_name: "Hist", username: "hist" });
    await h.handle(textMessage({ chat, from: player, text: "hi" }));
    await h.handle(commandMessage({ chat, from: player, command: "/history" }));
    for (let i = 1; i <= 12; i += 1) {
      await adminSays(`/add_coins @hist ${i * 1000}`);
      h.clock.advance(60_000);
    }
    await adminSays("/remove_coins @hist 500 fine");
    expect(replies()[0]).to.equal("You have no coin transactions yet.");
    h.api.clearCalls();
    await h.handle(commandMessage({ chat, from: player, command: "/balance" }));
    await h.handle(commandMessage({ chat: privateChat(player), from: player, command: "/history" }));
    const [balance, history] = replies();
    expect(balance).to.equal("💰 @hist, your balance: 77,500 coins.\nEarned in total: 78,000 · spent: 0");
    const lines = history.split("\n");
    expect(lines[0]).to.equal("🧾 Last transactions of @hist:");
    expect(lines).to.have.length(11);
    expect(lines[1]).to.equal("2026-12-01 12:12 −500 — removed by an admin (fine) · balance 77,500");
    expect(lines[2]).to.equal("2026-12-01 12:11 +12,000 — added by an admin · balance 78,000");
    expect(lines[10]).to.equal("2026-12-01 12:03 +4,000 — added by an admin · balance 10,000");
  });

  it("/help lists the economy commands, and the admin ones only to admins", async () => {
    await h.handle(commandMessage({ chat, from: user(), command: "/help" }));
    await adminSays("/help");
    const [forUser, forAdmin] = replies();
    expect(forUser).to.contain("/balance — your coin balance").and.contain("/history — your last 10 coin transactions");
    expect(forUser).to.not.contain("/add_coins").and.not.contain("/add_rule");
    expect(forAdmin).to.contain("/add_coins — add coins: /add_coins @user|reply amount [reason]");
    expect(forAdmin).to.contain("/add_rule — add a rule: /add_rule name @bot multiplier currency regex");
    expect(forAdmin).to.contain("/parsing_stats — parsing statistics: /parsing_stats [24h|7d|30d]");
  });
});
