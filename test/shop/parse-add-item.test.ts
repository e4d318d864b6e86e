import { expect } from "chai";
import { foldItemName, normalizeItemName } from "../../src/shop/fold-item-name.js";
import { parseAddItemArguments } from "../../src/shop/parse-add-item.js";

describe("shop item names and /add_item arguments", () => {
  it("folds Unicode case: Пропуск = ПРОПУСК = пропуск, ß = SS, full-width = ASCII; ё stays ё", () => {
    expect(foldItemName("Пропуск")).to.equal(foldItemName("ПРОПУСК"));
    expect(foldItemName("пропуск")).to.equal(foldItemName("ПрОпУсК"));
    expect(foldItemName("Straße")).to.equal(foldItemName("STRASSE"));
    expect(foldItemName("ＧＯＬＤ pass")).to.equal(foldItemName("gold PASS"));
    expect(foldItemName("  Gold   pass ")).to.equal("gold pass");
    expect(foldItemName("ёлка")).to.not.equal(foldItemName("елка"));
    expect(normalizeItemName("  Gold \t pass  ")).to.equal("Gold pass");
  });

  it("a quoted multi-word name, then price and type", () => {
    expect(parseAddItemArguments('"Gold pass" 500 sticker')).to.deep.equal({
      ok: true,
      item: { name: "Gold pass", price: 500, type: "sticker", description: null, durationSeconds: null },
    });
    expect(parseAddItemArguments("«Золотой пропуск» 700 custom Особая роль на неделю")).to.deep.equal({
      ok: true,
      item: { name: "Золотой пропуск", price: 700, type: "custom", description: "Особая роль на неделю", durationSeconds: null },
    });
  });

  it("an unquoted name ends at the first <price> <type> pair; the description stays verbatim", () => {
    const parsed = parseAddItemArguments('VIP role 300 custom  Gets the "VIP"  role 100 admin');
    expect(parsed).to.deep.equal({
      ok: true,
      item: { name: "VIP role", price: 300, type: "custom", description: 'Gets the "VIP"  role 100 admin', durationSeconds: null },
    });
    // A number inside the name that is not followed by a type stays in the name.
    expect(parseAddItemArguments("Top 10 badge 50 admin")).to.deep.include({ ok: true });
    expect((parseAddItemArguments("Top 10 badge 50 admin") as { item: { name: string } }).item.name).to.equal("Top 10 badge");
  });

  it("sticker items take a duration as the description's first word (with a unit only)", () => {
    expect(parseAddItemArguments('"Week pass" 900 sticker 7d Seven days')).to.deep.equal({
      ok: true,
      item: { name: "Week pass", price: 900, type: "sticker", description: "Seven days", durationSeconds: 7 * 86400 },
    });
    expect(parseAddItemArguments("Half 50 sticker 12h")).to.deep.equal({
      ok: true,
      item: { name: "Half", price: 50, type: "sticker", description: null, durationSeconds: 12 * 3600 },
    });
    // A bare number is description, not a duration; other types keep every word.
    expect((parseAddItemArguments("Pass 50 sticker 3 happy days") as { item: { durationSeconds: null; description: string } }).item).to.include({
      durationSeconds: null,
      description: "3 happy days",
    });
    expect((parseAddItemArguments("Call 50 admin 12h") as { item: { description: string } }).item.description).to.equal("12h");
  });

  it("refuses a bad price, an unknown type, a missing name, a too long name", () => {
    expect(parseAddItemArguments('"Gold" 0 sticker')).to.deep.equal({ ok: false, error: "badPrice" });
    expect(parseAddItemArguments('"Gold" -5 sticker')).to.deep.equal({ ok: false, error: "badPrice" });
    expect(parseAddItemArguments('"Gold" 1.5 sticker')).to.deep.equal({ ok: false, error: "badPrice" });
    expect(parseAddItemArguments('"Gold" 10 bananas')).to.deep.equal({ ok: false, error: "usage" });
    expect(parseAddItemArguments("500 sticker")).to.deep.equal({ ok: false, error: "usage" });
    expect(parseAddItemArguments('"" 500 sticker')).to.deep.equal({ ok: false, error: "usage" });
    expect(parseAddItemArguments("")).to.deep.equal({ ok: false, error: "usage" });
    expect(parseAddItemArguments(`"${"x".repeat(65)}" 5 admin`)).to.deep.equal({ ok: false, error: "nameTooLong" });
  });
});
