import { expect } from "chai";
import path from "node:path";
import { loadConfig } from "../../src/config/load-config.js";
import { type Database, migrateDatabase, openDatabase } from "../../src/database/open-database.js";
import { seedDefaults } from "../../src/database/seed-defaults.js";
import { createTempDirectory } from "../support/daemon-process.js";

describe("seeded parsing rules", () => {
  let temp: ReturnType<typeof createTempDirectory>;
  let db: Database;
  beforeEach(async () => {
    temp = createTempDirectory("stickerbot-seed-");
    db = await openDatabase(path.join(temp.dir, "seed.sqlite"));
    await migrateDatabase(db);
  });
  afterEach(async () => {
    await db.destroy();
    temp.remove();
  });

  it("seeds GDcards and Shmalala once; an admin's change survives restarts; the usernames follow the config", async () => {
    const config = loadConfig({ env: { STICKERBOT_TOKEN: "123456:TEST-token-abcdefghijklmnopqrstuvwxyz" } });
    await seedDefaults(db, config, 1000);
    await seedDefaults(db, config, 2000);
    const rows = await db("parsing_rules").orderBy("id");
    expect(rows.map((row) => [row.name, row.bot_username_folded, row.multiplier, row.currency, Boolean(row.active), row.origin])).to.deep.equal([
      ["gdcards-points", "gdcardsbot", "1", "points", true, "seed"],
      ["shmalala-coins", "shmalala_bot", "1", "coins", true, "seed"],
    ]);
    await db("parsing_rules").where("name", "shmalala-coins").update({ active: false, multiplier: "2" });
    config.parsing.shmalalaUsername = "Shmalala_New_Bot";
    await seedDefaults(db, config, 3000);
    const shmalala = await db("parsing_rules").where("name", "shmalala-coins").first();
    expect([Boolean(shmalala.active), shmalala.multiplier, shmalala.bot_username_folded]).to.deep.equal([false, "2", "shmalala_new_bot"]);
    expect(await db("parsing_rules")).to.have.length(2);
  });
});
