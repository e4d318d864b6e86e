import { expect } from "chai";
import fc from "fast-check";
import { type CompiledRule, listCaptureGroups, validateRule } from "../../src/parsing/parsing-rule.js";
import { parseReport } from "../../src/parsing/report-parser.js";
import { parseReportedAmount } from "../../src/parsing/reported-amount.js";
import { GDCARDS_PATTERN, SHMALALA_PATTERN } from "../../src/parsing/seed-parsing-rules.js";

function rule(name: string, pattern: string, multiplier = "1", id = 1): CompiledRule {
  const validation = validateRule({ name, botUsername: "game_bot", pattern, multiplier, currency: "coins", active: true });
  if (!validation.ok) throw new Error(validation.reasons.join("; "));
  return { ...validation.rule, id, origin: "seed" };
}

const SEPARATORS = ["", ",", " ", "\u00A0", "\u202F"] as const;

/** Writes `amount` with `separator` between groups of three digits. */
function group(amount: bigint, separator: string): string {
  const digits = amount.toString();
  if (separator === "") return digits;
  const parts: string[] = [];
  for (let end = digits.length; end > 0; end -= 3) parts.unshift(digits.slice(Math.max(0, end - 3), end));
  return parts.join(separator);
}

/** A line of game chatter that contains no "Монеты:", "Очки" or "Рыбак:". */
const noiseLine = fc.array(fc.constantFrom(..."абвгдеёжзийклмнопрстуфхцчшщыэюяABCxyz 0123456789🎣🃏⭐️[]()•—-.!?".split("")), { maxLength: 30 }).map((chars) => chars.join(""));

const shmalalaRule = rule("shmalala-coins", SHMALALA_PATTERN);
const gdcardsRule = rule("gdcards-points", GDCARDS_PATTERN);
/** The "other game bot" of the issue: `✨ Очки • +3,000 [3,000]`, added by an admin. */
const bulletRule = rule("stars-points", "Очки •\\s*\\+(\\d(?:[\\d,\\u0020\\u00A0\\u202F]*\\d)?)", "0.5");

describe("report parsing", () => {
  it("extracts the amount from generated Shmalala reports, with separators, over many lines (property, 300 runs)", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 13n }),
        fc.constantFrom(...SEPARATORS),
        fc.bigInt({ min: 0n, max: 10n ** 7n }),
        fc.array(noiseLine, { maxLength: 4 }),
        fc.array(noiseLine, { maxLength: 4 }),
        fc.constantFrom("LucasTeam Luke", "Мария", "Ivan Petrov", "Ника 🌸"),
        (amount, separator, total, before, after, player) => {
          const text = ["🎣 [Рыбалка] 🎣", ...before, `Рыбак: ${player}`, "Улов: Карась (1.2 кг)", `Монеты: +${group(amount, separator)} (${total})💰`, ...after].join("\n");
          const parsed = parseReport(text, [shmalalaRule]);
          expect(parsed, text).to.not.equal(null);
          expect(parsed!.ok, text).to.equal(true);
          if (!parsed!.ok) return;
          expect(parsed!.original).to.equal(Number(amount));
          expect(parsed!.converted).to.equal(Number(amount));
          expect(parsed!.report.userName).to.equal(player);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("extracts the amount from generated GDcards captions and bullet-style reports (property, 300 runs)", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 12n }),
        fc.constantFrom(...SEPARATORS),
        fc.array(noiseLine, { maxLength: 3 }),
        (amount, separator, noise) => {
          const card = ["🃏 НОВАЯ КАРТА 🃏", ...noise, "Игрок: Luke", "Редкость: Эпическая", `Очки: +${group(amount, separator)}`, "Всего очков: 1 234"].join("\n");
          const parsedCard = parseReport(card, [gdcardsRule]);
          expect(parsedCard !== null && parsedCard.ok && parsedCard.original, card).to.equal(Number(amount));
          const bullet = [...noise, `✨ Очки • +${group(amount, separator === "" ? "," : separator)} [${group(amount, ",")}]`, "💰 Монеты • +5 [5]"].join("\n");
          const parsedBullet = parseReport(bullet, [bulletRule]);
          if (amount === 1n) {
            expect(parsedBullet).to.deep.include({ ok: false, reason: "amount 1 × 0.5 rounds down to 0 coins" });
            return;
          }
          expect(parsedBullet !== null && parsedBullet.ok, bullet).to.equal(true);
          if (parsedBullet === null || !parsedBullet.ok) return;
          expect(parsedBullet.original).to.equal(Number(amount));
          expect(parsedBullet.converted).to.equal(Number(amount / 2n));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("reads the issue's real reports", () => {
    const shmalala = "🎣 [Рыбалка] 🎣\n\nРыбак: LucasTeam Luke\nУлов: Щука 🐟 (2.4 кг)\nМонеты: +14 (3947)💰\nОпыт: +3";
    expect(parseReport(shmalala, [shmalalaRule])).to.deep.include({ ok: true, original: 14, converted: 14 });
    expect(parseReport(shmalala, [shmalalaRule])!.report.userName).to.equal("LucasTeam Luke");
    const withoutName = "🎣 [Рыбалка] 🎣\nМонеты: +14 (3947)💰";
    expect(parseReport(withoutName, [shmalalaRule])!.report.userName).to.equal(null);
    const card = "🃏 НОВАЯ КАРТА 🃏\n\nИгрок: Luke\nКарта: «Bloodbath»\nРедкость: Легендарная\nОчки: +2\nВсего очков: 10";
    expect(parseReport(card, [gdcardsRule])).to.deep.include({ ok: true, original: 2, converted: 2 });
    expect(parseReport("✨ Очки • +3,000 [3,000]", [bulletRule])).to.deep.include({ ok: true, original: 3000, converted: 1500 });
  });

  it("a message no rule matches is not a report; a matched zero or oversized amount is a failure with the reason", () => {
    expect(parseReport("Вы уже рыбачили сегодня, приходите завтра", [shmalalaRule, gdcardsRule])).to.equal(null);
    expect(parseReport("Монеты: +0 (3947)", [shmalalaRule])).to.deep.include({ ok: false, reason: "amount must be positive (got 0)" });
    expect(parseReport("Монеты: +99999999999999999999", [shmalalaRule])).to.deep.include({
      ok: false,
      reason: "amount 99999999999999999999 is larger than 9007199254740991",
    });
    expect(parseReport("✨ Очки • +1", [rule("half", "Очки •\\s*\\+(\\d+)", "0.5")])).to.deep.include({
      ok: false,
      reason: "amount 1 × 0.5 rounds down to 0 coins",
    });
  });

  it("the first matching rule decides", () => {
    const first = rule("first", "Монеты:\\s*\\+(\\d+)", "2", 1);
    const second = rule("second", "Монеты:\\s*\\+(\\d+)", "3", 2);
    const parsed = parseReport("Монеты: +10", [first, second]);
    expect(parsed!.ok && parsed!.report.rule.name).to.equal("first");
    expect(parsed!.ok && parsed!.converted).to.equal(20);
  });
});

describe("reported amounts", () => {
  it("removes thousands separators only between groups of three digits", () => {
    expect(parseReportedAmount("3,000")).to.deep.equal({ ok: true, amount: 3000n, digits: "3000" });
    expect(parseReportedAmount("3 000")).to.deep.equal({ ok: true, amount: 3000n, digits: "3000" });
    expect(parseReportedAmount("1\u202F250\u202F000")).to.deep.equal({ ok: true, amount: 1250000n, digits: "1250000" });
    expect(parseReportedAmount("1\u00A0250")).to.deep.equal({ ok: true, amount: 1250n, digits: "1250" });
    expect(parseReportedAmount("+14")).to.deep.equal({ ok: true, amount: 14n, digits: "14" });
    for (const bad of ["3,5", "1.5", "12,34", "abc", "", "-3", "1,000,00"]) expect(parseReportedAmount(bad).ok, bad).to.equal(false);
  });
});

describe("rule validation", () => {
  const base = { name: "r", botUsername: "@Some_Bot", pattern: "x(\\d+)", multiplier: "1", currency: "coins", active: true };
  it("accepts a valid rule, normalizing the username", () => {
    const validation = validateRule(base);
    expect(validation.ok).to.equal(true);
    expect(validation.ok && validation.rule.botUsernameFolded).to.equal("some_bot");
    expect(validation.ok && validation.rule.amountGroup).to.equal(1);
  });
  it("refuses an invalid regex, multiplier, a pattern without an amount group, a missing bot — with reasons", () => {
    const refused = (change: Partial<typeof base> & { botId?: number }) => {
      const validation = validateRule({ ...base, ...change });
      expect(validation.ok).to.equal(false);
      return validation.ok ? [] : validation.reasons;
    };
    expect(refused({ pattern: "Монеты: +(\\d+" })[0]).to.match(/^invalid regular expression: .*Unterminated group/);
    expect(refused({ multiplier: "1,5" })).to.deep.equal(['multiplier must be a positive decimal number such as "1" or "0.5" (got "1,5")']);
    expect(refused({ multiplier: "0" })).to.deep.equal(['multiplier must be greater than zero (got "0")']);
    expect(refused({ pattern: "Монеты: \\+\\d+" })[0]).to.match(/needs a capture group for the amount/);
    expect(refused({ pattern: "(?<user>\\w+) won" })[0]).to.match(/needs a capture group for the amount/);
    expect(refused({ pattern: "(\\d*)" })).to.deep.equal(["the regular expression matches an empty message"]);
    expect(refused({ botUsername: undefined })).to.deep.equal(["the source bot is missing: give its @username or id"]);
    expect(refused({ botUsername: "not a name" })).to.deep.equal(['"not a name" is not a Telegram username']);
    expect(refused({ multiplier: "x", pattern: "(" })).to.have.length(2);
  });
  it("numbers capture groups like JavaScript does", () => {
    expect(listCaptureGroups("(?:a)(b)(?<user>c)\\((d)[(](?=e)(?<!f)(?<amount>g)")).to.deep.equal([null, "user", null, "amount"]);
    const named = validateRule({ ...base, pattern: "(?<user>\\w+) got (\\d+)" });
    expect(named.ok && [named.rule.amountGroup, named.rule.userGroup]).to.deep.equal([2, 1]);
    const explicit = validateRule({ ...base, pattern: "(x)? (?<amount>\\d+)" });
    expect(explicit.ok && explicit.rule.amountGroup).to.equal(2);
  });
});
