import { expect } from "chai";
import path from "node:path";
import { type Database, migrateDatabase, openDatabase } from "../../src/database/open-database.js";
import { createSilentLogger } from "../../src/logging/logger.js";
import { ManualClock } from "../../src/time/clock.js";
import { ACTIVITY_PRECISION_MILLISECONDS, UserRoster } from "../../src/users/user-roster.js";
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

  it("writes a regular's activity once per ACTIVITY_PRECISION_MILLISECONDS, but a new profile, chat or UTC day at once", async () => {
    const chat = groupChat(-44);
    const person = user({ first_name: "Reg" });
    const writes: string[] = [];
    db.on("query", (query: { sql: string }) => {
      if (query.sql.startsWith("insert")) writes.push(query.sql.split(" ")[2]);
    });
    const seenAgain = async (who = person, where = chat) => {
      writes.length = 0;
      roster.see(who, where);
      await roster.flush();
      return [...writes];
    };
    const row = async () => db("users").where("id", person.id).first("last_active_at", "first_name", "activity_streak_days");
    expect(await seenAgain()).to.deep.equal(["`users`", "`chats`", "`chat_members`"]);
    const first = clock.now();

    clock.advance(ACTIVITY_PRECISION_MILLISECONDS - 1);
    expect(await seenAgain()).to.deep.equal([]);
    expect((await row()).last_active_at).to.equal(first);

    clock.advance(1);
    expect(await seenAgain()).to.deep.equal(["`users`", "`chats`", "`chat_members`"]);
    expect((await row()).last_active_at).to.equal(first + ACTIVITY_PRECISION_MILLISECONDS);

    clock.advance(1_000);
    expect(await seenAgain({ ...person, first_name: "Renamed" })).to.deep.equal(["`users`"]);
    expect((await row()).first_name).to.equal("Renamed");
    expect(await seenAgain({ ...person, first_name: "Renamed" }, groupChat(-45))).to.deep.equal(["`chats`", "`chat_members`"]);

    // Close to midnight UTC, then just past it: the streak needs the new day at once.
    clock.set(Date.UTC(2026, 11, 1, 23, 59, 59, 500));
    await seenAgain({ ...person, first_name: "Renamed" });
    clock.advance(1_000);
    expect(await seenAgain({ ...person, first_name: "Renamed" })).to.deep.equal(["`users`"]);
    expect((await row()).activity_streak_days).to.equal(2);

    // Rows changed behind its back: forgetWritten() makes the next sighting write again.
    roster.forgetWritten();
    expect(await seenAgain({ ...person, first_name: "Renamed" })).to.deep.equal(["`users`", "`chats`", "`chat_members`"]);
  });
});
