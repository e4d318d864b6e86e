import type { Chat, User } from "grammy/types";
import type { Database } from "../database/open-database.js";
import type { Logger } from "../logging/logger.js";
import type { Clock } from "../time/clock.js";
import { DAY_MILLISECONDS } from "../time/durations.js";

/** A user row as stored. Money fields are integer coins. */
export interface UserRow {
  id: number;
  username: string | null;
  username_folded: string | null;
  first_name: string;
  last_name: string | null;
  language_code: string | null;
  is_bot: boolean | number;
  started_private: boolean | number;
  unreachable: boolean | number;
  balance: number;
  total_earned: number;
  total_spent: number;
  purchase_count: number;
  activity_streak_days: number;
  last_active_day: number | null;
  created_at: number;
  last_active_at: number;
}

/** Options of {@link UserRoster}. */
export interface UserRosterOptions {
  db: Database;
  clock: Clock;
  logger: Logger;
  /** How often seen users are written, in milliseconds. Default 200. */
  flushIntervalMilliseconds?: number;
  /** Write at once when this many users are waiting. Default 500. */
  maxPendingUsers?: number;
}

interface PendingSighting {
  user: User;
  chats: Map<number, Chat>;
  at: number;
}

/**
 * How precisely activity times (`users.last_active_at`, `chat_members` and
 * `chats.last_seen_at`) are kept, in ms: a sighting within this time of the
 * last one written is not written again, unless the profile or the UTC day
 * (the activity streak) changed. A busy group's regulars then cost a write a
 * minute each instead of one per flush.
 */
export const ACTIVITY_PRECISION_MILLISECONDS = 60_000;

/**
 * Entries the roster keeps of what it wrote, at most. Entries older than the
 * activity precision are dropped at each flush anyway (they no longer spare a
 * write), so this only bounds a minute with more distinct users than that.
 */
const MAX_REMEMBERED_WRITES = 100_000;

/** What the roster last wrote of a user. */
interface WrittenUser {
  profile: User;
  at: number;
  day: number;
}

/** The title `chats` stores (private chats have none). */
function chatTitleOf(chat: Chat): string | null {
  return "title" in chat ? (chat.title ?? null) : null;
}

/** Drops the entries written before `cutoff` (ms) from a map kept in the order of writing. */
function forgetBefore<K>(written: Map<K, { at: number }>, cutoff: number): void {
  for (const [key, entry] of written) {
    if (entry.at >= cutoff) return;
    written.delete(key);
  }
}

/** Whether a sighting shows a profile other than the one written (the fields `users` stores). */
function hasNewProfile(user: User, written: User): boolean {
  return (
    user.username !== written.username ||
    user.first_name !== written.first_name ||
    user.last_name !== written.last_name ||
    user.language_code !== written.language_code ||
    user.is_bot !== written.is_bot
  );
}


/** Lower-cases a Telegram username for exact, case-insensitive lookup (usernames are ASCII). */
export function foldUsername(username: string): string {
  return username.replace(/^@/, "").toLowerCase();
}

/** "First Last", as Telegram shows a user. */
export function displayName(user: { first_name: string; last_name?: string | null }): string {
  return [user.first_name, user.last_name].filter((part) => part !== undefined && part !== null && part !== "").join(" ");
}

/**
 * The users the bot has seen, and in which chats (a bot cannot list a group's
 * members, so this roster is how mention-all and name lookups find people).
 *
 * Sightings are collected in memory and written in one transaction every
 * {@link UserRosterOptions.flushIntervalMilliseconds}, so registering users
 * costs message handling nothing noticeable. Code that needs the row at once
 * (money, lookups) calls {@link ensureUser} or {@link flush} first.
 */
export class UserRoster {
  private pending = new Map<number, PendingSighting>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private readonly flushedListeners = new Set<(userIds: readonly number[]) => void>();
  private readonly db: Database;
  private readonly clock: Clock;
  private readonly writtenUsers = new Map<number, WrittenUser>();
  /** `chat:user` (memberships) and `chat` (chats, with the title) → when last written. */
  private readonly writtenSeen = new Map<string, { at: number; title: string | null }>();

  constructor(private readonly options: UserRosterOptions) {
    this.db = options.db;
    this.clock = options.clock;
  }

  /** Starts the periodic flush. */
  start(): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => void this.flush().catch((error) => {
      this.options.logger.error("could not write users", { component: "roster", error: String(error) });
    }), this.options.flushIntervalMilliseconds ?? 200);
  }

  /** Stops the periodic flush and writes what is pending. */
  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
  }

  /**
   * Calls `listener` after every flush with the ids of the users it wrote,
   * once the transaction has committed (their rows, activity streak included,
   * are readable then). Lets a feature react to batches of activity instead
   * of forcing a flush per user (the achievements' streak check). The
   * listener runs before `flush()` resolves and must not throw (an error is
   * logged). Returns the function that unsubscribes it.
   */
  onFlushed(listener: (userIds: readonly number[]) => void): () => void {
    this.flushedListeners.add(listener);
    return () => this.flushedListeners.delete(listener);
  }

  /** Records that `user` was active (in `chat`, when given). Cheap: no I/O. */
  see(user: User, chat?: Chat): void {
    let sighting = this.pending.get(user.id);
    if (sighting === undefined) {
      sighting = { user, chats: new Map(), at: this.clock.now() };
      this.pending.set(user.id, sighting);
    } else {
      sighting.user = user;
      sighting.at = this.clock.now();
    }
    if (chat !== undefined && chat.type !== "private" && chat.type !== "channel") sighting.chats.set(chat.id, chat);
    if (this.pending.size >= (this.options.maxPendingUsers ?? 500)) void this.flush().catch(() => undefined);
  }

  /** Writes every pending sighting in one transaction. */
  async flush(): Promise<void> {
    while (this.flushing !== null) await this.flushing;
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    this.flushing = this.write(batch).finally(() => {
      this.flushing = null;
    });
    await this.flushing;
  }

  private async write(batch: Map<number, PendingSighting>): Promise<void> {
    // Only what changed, or is older than the activity precision, is written.
    const sightings = [...batch.values()].filter(({ user, at }) => {
      const written = this.writtenUsers.get(user.id);
      return written === undefined || at - written.at >= ACTIVITY_PRECISION_MILLISECONDS || Math.floor(at / DAY_MILLISECONDS) !== written.day || hasNewProfile(user, written.profile);
    });
    const chats = new Map<number, { chat: Chat; at: number }>();
    const members: Array<{ chat_id: number; user_id: number; first_seen_at: number; last_seen_at: number }> = [];
    for (const { user, chats: seenIn, at } of batch.values()) {
      for (const chat of seenIn.values()) {
        const title = chatTitleOf(chat);
        const chatWritten = this.writtenSeen.get(String(chat.id));
        if (chatWritten === undefined || at - chatWritten.at >= ACTIVITY_PRECISION_MILLISECONDS || chatWritten.title !== title) chats.set(chat.id, { chat, at });
        const memberWritten = this.writtenSeen.get(`${chat.id}:${user.id}`);
        if (memberWritten === undefined || at - memberWritten.at >= ACTIVITY_PRECISION_MILLISECONDS) {
          members.push({ chat_id: chat.id, user_id: user.id, first_seen_at: at, last_seen_at: at });
        }
      }
    }
    if (sightings.length > 0 || chats.size > 0 || members.length > 0) {
      await this.db.transaction(async (trx) => {
        await upsertUsers(trx, sightings);
        const chatRows = [...chats.values()].map(({ chat, at }) => ({ id: chat.id, type: chat.type, title: chatTitleOf(chat), last_seen_at: at }));
        for (let i = 0; i < chatRows.length; i += 200) {
          await trx("chats").insert(chatRows.slice(i, i + 200)).onConflict("id").merge(["type", "title", "last_seen_at"]);
        }
        for (let i = 0; i < members.length; i += 200) {
          await trx("chat_members").insert(members.slice(i, i + 200)).onConflict(["chat_id", "user_id"]).merge(["last_seen_at"]);
        }
      });
      this.rememberWritten(sightings, chats, members);
    }
    const userIds = [...batch.keys()];
    for (const listener of this.flushedListeners) {
      try {
        listener(userIds);
      } catch (error) {
        this.options.logger.error("a flush listener failed", { component: "roster", error: String(error) });
      }
    }
  }

  /** Notes what a committed flush wrote, so the next sightings within the precision are skipped. */
  private rememberWritten(
    sightings: PendingSighting[],
    chats: Map<number, { chat: Chat; at: number }>,
    members: Array<{ chat_id: number; user_id: number; last_seen_at: number }>,
  ): void {
    forgetBefore(this.writtenUsers, this.clock.now() - ACTIVITY_PRECISION_MILLISECONDS);
    forgetBefore(this.writtenSeen, this.clock.now() - ACTIVITY_PRECISION_MILLISECONDS);
    if (this.writtenUsers.size + sightings.length > MAX_REMEMBERED_WRITES) this.writtenUsers.clear();
    if (this.writtenSeen.size + chats.size + members.length > MAX_REMEMBERED_WRITES) this.writtenSeen.clear();
    // Deleted first, so the maps stay in the order of writing (oldest first) for forgetBefore.
    for (const { user, at } of sightings) {
      this.writtenUsers.delete(user.id);
      this.writtenUsers.set(user.id, { profile: user, at, day: Math.floor(at / DAY_MILLISECONDS) });
    }
    const remember = (key: string, at: number, title: string | null) => {
      this.writtenSeen.delete(key);
      this.writtenSeen.set(key, { at, title });
    };
    for (const { chat, at } of chats.values()) remember(String(chat.id), at, chatTitleOf(chat));
    for (const member of members) remember(`${member.chat_id}:${member.user_id}`, member.last_seen_at, null);
  }

  /**
   * Whether this roster has written the user's row (so it exists: users are
   * never deleted). False means "not known", not "absent": look it up.
   */
  isStored(userId: number): boolean {
    return this.writtenUsers.has(userId);
  }

  /**
   * Forgets what was written, so every next sighting is written again. For
   * code (tests, tools) that changed users' rows behind the roster's back.
   */
  forgetWritten(): void {
    this.writtenUsers.clear();
    this.writtenSeen.clear();
  }

  /** Makes sure the user's row exists (inside `trx` when given) and returns it. */
  async ensureUser(user: User, trx: Database = this.db): Promise<UserRow> {
    const existing = (await trx("users").where({ id: user.id }).first()) as UserRow | undefined;
    if (existing !== undefined) return existing;
    await upsertUser(trx, user, this.clock.now());
    return (await trx("users").where({ id: user.id }).first()) as UserRow;
  }

  /** The user with this id, or undefined. Flushes pending sightings first. */
  async findById(id: number): Promise<UserRow | undefined> {
    await this.flush();
    return (await this.db("users").where({ id }).first()) as UserRow | undefined;
  }

  /** The user with exactly this username (case-insensitive, with or without @), or undefined. */
  async findByUsername(username: string): Promise<UserRow | undefined> {
    await this.flush();
    return (await this.db("users").where({ username_folded: foldUsername(username) }).first()) as UserRow | undefined;
  }

  /** Users seen in `chatId` whose display name ("First Last") or first name equals `name`, case-insensitively. */
  async findInChatByName(chatId: number, name: string): Promise<UserRow[]> {
    await this.flush();
    const wanted = name.trim().toLocaleLowerCase();
    const rows = (await this.db("users")
      .join("chat_members", "chat_members.user_id", "users.id")
      .where("chat_members.chat_id", chatId)
      .select("users.*")) as UserRow[];
    return rows.filter(
      (row) => displayName(row).toLocaleLowerCase() === wanted || (row.username_folded !== null && row.username_folded === foldUsername(wanted)),
    );
  }

  /** Ids of the non-bot users seen in a chat, most recently active first. */
  async listChatMembers(chatId: number): Promise<UserRow[]> {
    await this.flush();
    return (await this.db("users")
      .join("chat_members", "chat_members.user_id", "users.id")
      .where("chat_members.chat_id", chatId)
      .andWhere("users.is_bot", false)
      .orderBy("chat_members.last_seen_at", "desc")
      .select("users.*")) as UserRow[];
  }

  /** Records that the user started the bot in private (we may message them now). */
  async markStartedPrivate(user: User): Promise<void> {
    await this.ensureUser(user);
    await this.db("users").where({ id: user.id }).update({ started_private: true, unreachable: false });
  }

  /** Records that messages to the user fail with 403 (blocked the bot, deactivated). */
  async markUnreachable(userId: number): Promise<void> {
    await this.db("users").where({ id: userId }).update({ unreachable: true });
  }
}

/** Rows per multi-row upsert: 11 columns each stays well under SQLite's 999 bound parameters. */
const UPSERT_CHUNK_ROWS = 50;

/**
 * Inserts or updates a user's profile and activity. The activity streak counts
 * consecutive UTC days with activity (for the 7-day streak achievement).
 */
async function upsertUser(db: Database, user: User, at: number): Promise<void> {
  await upsertUsers(db, [{ user, at }]);
}

/**
 * {@link upsertUser} for many users, one statement per {@link UPSERT_CHUNK_ROWS}
 * rows: a busy group sends thousands of messages a second, and one statement
 * per user would keep the single database connection busy with sightings.
 * `excluded.*` is the row that was proposed (SQLite and PostgreSQL alike).
 */
async function upsertUsers(db: Database, sightings: ReadonlyArray<{ user: User; at: number }>): Promise<void> {
  for (let i = 0; i < sightings.length; i += UPSERT_CHUNK_ROWS) {
    const rows = sightings.slice(i, i + UPSERT_CHUNK_ROWS).map(({ user, at }) => ({
      id: user.id,
      username: user.username ?? null,
      username_folded: user.username === undefined ? null : foldUsername(user.username),
      first_name: user.first_name ?? "",
      last_name: user.last_name ?? null,
      language_code: user.language_code ?? null,
      is_bot: user.is_bot,
      created_at: at,
      last_active_at: at,
      last_active_day: Math.floor(at / DAY_MILLISECONDS),
      activity_streak_days: 1,
    }));
    await db("users")
      .insert(rows)
      .onConflict("id")
      .merge({
        username: db.raw("excluded.username"),
        username_folded: db.raw("excluded.username_folded"),
        first_name: db.raw("excluded.first_name"),
        last_name: db.raw("excluded.last_name"),
        language_code: db.raw("excluded.language_code"),
        last_active_at: db.raw("excluded.last_active_at"),
        activity_streak_days: db.raw(
          "CASE WHEN users.last_active_day = excluded.last_active_day THEN users.activity_streak_days WHEN users.last_active_day = excluded.last_active_day - 1 THEN users.activity_streak_days + 1 ELSE 1 END",
        ),
        last_active_day: db.raw("excluded.last_active_day"),
      });
  }
}
