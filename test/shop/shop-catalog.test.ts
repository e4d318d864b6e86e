import { expect } from "chai";
import { DuplicateItemNameError, UnknownItemError } from "../../src/shop/shop-catalog.js";
import { createShopHarness, type ShopHarness } from "./shop-harness.js";

describe("ShopCatalog (real SQLite)", () => {
  let shop: ShopHarness;
  beforeEach(async () => {
    shop = await createShopHarness();
  });
  afterEach(async () => {
    await shop.close();
  });

  it("names are unique across Unicode case: the second of Пропуск / ПРОПУСК is refused, even when both race", async () => {
    const results = await Promise.allSettled([
      shop.catalog.add({ name: "Пропуск", price: 10, type: "admin" }),
      shop.catalog.add({ name: "ПРОПУСК", price: 20, type: "admin" }),
    ]);
    expect(results.filter((result) => result.status === "fulfilled")).to.have.length(1);
    const refused = results.find((result) => result.status === "rejected") as PromiseRejectedResult;
    expect(refused.reason).to.be.instanceOf(DuplicateItemNameError);
    expect((refused.reason as DuplicateItemNameError).existingItemId).to.equal(4);
    // The unique key itself refuses a folded duplicate written around the catalog.
    let keyError: unknown;
    try {
      await shop.db("shop_items").insert({ name: "пропуск", name_folded: "пропуск", price: 1, type: "admin", active: true, created_at: 0, updated_at: 0 });
    } catch (error) {
      keyError = error;
    }
    expect(String(keyError)).to.match(/UNIQUE constraint failed: shop_items\.name_folded/);
  });

  it("edits keep the number; renaming into another item's name is refused; unknown numbers are named", async () => {
    const gold = await shop.catalog.add({ name: "Gold", price: 10, type: "custom", description: "shiny" });
    const edited = await shop.catalog.edit(gold.id, { name: "Platinum", price: 15, description: null });
    expect(edited).to.include({ id: gold.id, name: "Platinum", name_folded: "platinum", price: 15, description: null });
    expect(Boolean(edited.price_edited)).to.equal(true);
    let error: unknown;
    try {
      await shop.catalog.edit(gold.id, { name: "ADMIN CALL" });
    } catch (caught) {
      error = caught;
    }
    // The seeded item 2 is "Вызов администратора" (default language ru): rename to it in another case.
    expect(error).to.equal(undefined);
    try {
      await shop.catalog.edit(gold.id, { name: "вызов АДМИНИСТРАТОРА" });
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(DuplicateItemNameError);
    expect((error as DuplicateItemNameError).existingItemId).to.equal(2);
    let unknown: unknown;
    try {
      await shop.catalog.edit(77, { active: false });
    } catch (caught) {
      unknown = caught;
    }
    expect(unknown).to.be.instanceOf(UnknownItemError);
    expect((unknown as Error).message).to.equal("there is no shop item #77");
  });
});
