import { expect } from "chai";
import fc from "fast-check";
import type { User } from "grammy/types";
import type { AdminNotice, AdminNotifier } from "../../src/shop/admin-notifier.js";
import type { ShopItemType } from "../../src/shop/item-types.js";
import type { ShopItemRow } from "../../src/shop/shop-catalog.js";
import { user } from "../support/updates.js";
import { createShopHarness, moneyOf, type ShopHarness } from "./shop-harness.js";

/**
 * Admin notices answer after a random short delay and sometimes reach nobody
 * (then the purchase is refunded), so debits, refunds and sticker grants of
 * concurrent purchases interleave in every order.
 */
class FlakyAdmins implements AdminNotifier {
  reachable = new Map<number, boolean>();
  async notify(notice: AdminNotice) {
    await new Promise((resolve) => setTimeout(resolve, notice.purchaseId % 3));
    return { reached: this.reachable.get(notice.purchaseId % 7) === false ? 0 : 1, total: 1 };
  }
}

describe("concurrent /buy from one user (property, real SQLite file)", function () {
  this.timeout(120_000);
  let shop: ShopHarness;
  const admins = new FlakyAdmins();
  let run = 0;

  before(async () => {
    shop = await createShopHarness({ admins });
  });
  after(async () => {
    await shop.close();
  });

  it("never drives the balance below 0, and balance + total spent stays equal to what was funded", async () => {
    const itemArbitrary = fc.record({
      price: fc.integer({ min: 1, max: 400 }),
      type: fc.constantFrom<ShopItemType>("sticker", "admin", "custom"),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 1500 }),
        fc.array(itemArbitrary, { minLength: 1, maxLength: 5 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 16 }),
        fc.array(fc.boolean(), { minLength: 7, maxLength: 7 }),
        async (initialBalance, items, picks, reachability) => {
          run += 1;
          reachability.forEach((reachable, index) => admins.reachable.set(index, reachable));
          const created: ShopItemRow[] = [];
          for (const [index, item] of items.entries()) {
            created.push(await shop.catalog.add({ name: `Item ${run}-${index}`, price: item.price, type: item.type }));
          }
          const buyer: User = user({ first_name: `Buyer${run}` });
          if (initialBalance > 0) await shop.fund(buyer, initialBalance);
          else await shop.roster.ensureUser(buyer);

          const outcomes = await Promise.all(picks.map((pick) => shop.purchases.buy(buyer, { id: -100500, type: "supergroup", title: "P" }, created[pick % created.length].id)));

          const money = await moneyOf(shop.db, buyer.id);
          expect(money.balance).to.be.at.least(0);
          expect(money.balance + money.totalSpent).to.equal(initialBalance);
          // The ledger explains the balance, and every kept purchase was paid exactly once.
          const ledgerSum = await shop.db("ledger").where("user_id", buyer.id).sum({ sum: "amount" }).first();
          expect(Number(ledgerSum?.sum ?? 0)).to.equal(money.balance);
          const kept = await shop.db("purchases").where("user_id", buyer.id).whereNot("status", "refunded");
          expect(kept.reduce((sum, row) => sum + Number(row.price), 0)).to.equal(money.totalSpent);
          expect(money.purchaseCount).to.equal(kept.length);
          const succeeded = outcomes.filter((outcome) => outcome.kind === "passGranted" || outcome.kind === "adminsNotified");
          expect(succeeded).to.have.length(kept.length);
          // A refused purchase saw a balance below its price.
          for (const outcome of outcomes) {
            if (outcome.kind === "insufficientFunds") expect(outcome.balance).to.be.lessThan(outcome.price);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
