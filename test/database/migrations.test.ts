import { expect } from "chai";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { DirectoryMigrationSource } from "../../src/database/migration-source.js";
import { migrateDatabase, openDatabase } from "../../src/database/open-database.js";
import { createTempDirectory } from "../support/daemon-process.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

describe("migrations", () => {
  let temp: ReturnType<typeof createTempDirectory>;
  beforeEach(() => (temp = createTempDirectory("stickerbot-db-")));
  afterEach(() => temp.remove());

  it("have the same names from src/ (tsx) and dist/ (compiled), so either can continue the other's database", async () => {
    const db = await openDatabase(path.join(temp.dir, "db.sqlite"));
    try {
      const applied = await migrateDatabase(db);
      expect(applied.length).to.be.greaterThan(0);
      expect(applied.every((name) => !/\.(ts|js)$/.test(name))).to.equal(true);
      const compiled = new DirectoryMigrationSource(path.join(root, "dist/database/migrations"));
      const [, pending] = (await db.migrate.list({ migrationSource: compiled })) as [unknown[], unknown[]];
      expect(pending).to.deep.equal([]);
      expect(await migrateDatabase(db)).to.deep.equal([]);
    } finally {
      await db.destroy();
    }
  });

  it("run in WAL mode with a busy timeout", async () => {
    const db = await openDatabase(path.join(temp.dir, "db.sqlite"));
    try {
      const [mode] = (await db.raw("PRAGMA journal_mode")) as Array<{ journal_mode: string }>;
      expect(mode.journal_mode).to.equal("wal");
      const [timeout] = (await db.raw("PRAGMA busy_timeout")) as Array<Record<string, number>>;
      expect(Object.values(timeout)[0]).to.equal(5000);
    } finally {
      await db.destroy();
    }
  });

  it("roll back cleanly", async () => {
    const db = await openDatabase(path.join(temp.dir, "db.sqlite"));
    try {
      await migrateDatabase(db);
      await db.migrate.rollback({ migrationSource: new DirectoryMigrationSource() }, true);
      const tables = (await db("sqlite_master").where({ type: "table" }).pluck("name")) as string[];
      expect(tables.filter((name) => !name.startsWith("knex_") && !name.startsWith("sqlite_"))).to.deep.equal([]);
    } finally {
      await db.destroy();
    }
  });
});
