import { expect } from "chai";
import path from "node:path";
import { type Database, migrateDatabase, openDatabase } from "../../src/database/open-database.js";
import { createSilentLogger } from "../../src/logging/logger.js";
import { ManualClock } from "../../src/time/clock.js";
import { UserRoster } from "../../src/users/user-roster.js";
import { createTempDirectory } from "../support/daemon-process.js";
import { groupChat, user } from "../support/updates.js";

const DAY = 86_400_000;

describe("user registration (UserRoster batched upserts, real SQLite file)", () => {
  let temp: ReturnType<typeof createTempDirectory>;
  let db: Database;
  let clock: ManualClock;
  let roster: UserRoster;

  beforeEach(async () => {
    temp = createTempDirectory("stickerbot-roster-");
    db = await openDatabase(path.join(temp.dir, "roster.sqlite"));
    await migrateDatabase(db);
    clock = new ManualClock(Date.UTC(2026, 11, 1, 10));
    roster = new UserRoster({ db, clock, logger: createSilentLogger(), flushIntervalMilliseconds: 60_000 });
  });
  afterEach(async () => {
    await roster.stop();
    await db.destroy();
    temp.remove();
  });

  it("registers hundreds of users seen in one flush, with their chats, in few statements", async () => {
    const chat = groupChat(-42);
    const users = Array.from({ length: 237 }, () => user());
    let statements = 0;
    db.on("query", () => (statements += 1));
    for (const seen of users) roster.see(seen, chat);
    await roster.flush();
    expect(statements).to.be.at.most(20);
    expect(Number(((await db("users").count({ n: "*" }).first()) as { n: number }).n)).to.equal(237);
    expect(Number(((await db("chat_members").where("chat_id", -42).count({ n: "*" }).first()) as { n: number }).n)).to.equal(237);
    const row = await db("users").where("id", users[100].id).first();
    expect(row).to.deep.include({ username: users[100].username, username_folded: users[100].username!.toLowerCase(), first_name: users[100].first_name, last_active_at: clock.now(), activity_streak_days: 1, balance: 0 });
  });

  it("updates the profile and counts the activity streak over consecutive UTC days", async () => {
    const chat = groupChat(-43);
    const person = user({ first_name: "Old", username: "Person_1" });
    const other = user();
    const streak = async () => Number((await db("users").where("id", person.id).first("activity_streak_days")).activity_streak_days);
    roster.see(person, chat);
    await roster.flush();
    clock.advance(DAY);
    roster.see({ ...person, first_name: "New", username: "person_new" }, chat);
    roster.see(other, chat);
    await roster.flush();
    expect(await streak()).to.equal(2);
    expect(await db("users").where("id", person.id).first()).to.deep.include({ first_name: "New", username: "person_new", username_folded: "person_new" });
    clock.advance(60_000);
    roster.see(person, chat);
    await roster.flush();
    expect(await streak()).to.equal(2);
    clock.advance(DAY);
    roster.see(person, chat);
    await roster.flush();
    expect(await streak()).to.equal(3);
    clock.advance(3 * DAY);
    roster.see(person, chat);
    await roster.flush();
    expect(await streak()).to.equal(1);
    expect(Number((await db("users").where("id", other.id).first("activity_streak_days")).activity_streak_days)).to.equal(1);
  });
});
