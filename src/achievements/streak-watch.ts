import type { Database } from "../database/open-database.js";
import { streakValue } from "./achievement-conditions.js";
import { DAY_MILLISECONDS } from "../time/durations.js";

/** Ids per `whereIn`: well under SQLite's 999 bound parameters. */
const IDS_PER_QUERY = 500;

/** A user whose streak was read after the roster wrote their activity. */
export interface StreakReading {
  userId: number;
  /** Where the user was active (for the congratulation), null in private/unknown. */
  chatId: number | null;
  /** The streak in days (0 when broken), as `measureCondition` would say. */
  streakDays: number;
}

/**
 * Decides when activity streaks are read, without a query per message or a
 * roster flush per user: the `active` event (every message) only marks the
 * user, at most once per user per UTC day; the streak is read when the
 * roster's next flush has written that activity (the streak is computed by
 * the roster's upsert), for all the marked users of the flush in one query.
 */
export class StreakWatch {
  private checkedDay = -1;
  /** Users marked on `checkedDay` (read, or waiting for their flush). */
  private readonly checkedToday = new Set<number>();
  /** Marked users whose activity has not been written yet: the UTC day of the activity, and the chat. */
  private readonly waiting = new Map<number, { day: number; chatId: number | null }>();

  constructor(private readonly db: Database) {}

  /** Marks an active user (cheap, no I/O; a user already marked today is ignored). */
  noteActive(userId: number, chatId: number | null, now: number): void {
    const day = Math.floor(now / DAY_MILLISECONDS);
    if (day !== this.checkedDay) {
      this.checkedDay = day;
      this.checkedToday.clear();
      // A mark whose flush never came (a failed write) is dropped after a day: its user is marked again when active.
      for (const [id, mark] of this.waiting) if (mark.day < day - 1) this.waiting.delete(id);
    }
    if (this.checkedToday.has(userId)) return;
    this.checkedToday.add(userId);
    this.waiting.set(userId, { day, chatId });
  }

  /** Whether some marked user's activity is still to be written (tests flush the roster then). */
  hasWaiting(): boolean {
    return this.waiting.size > 0;
  }

  /**
   * The streaks of the marked users among `userIds` (a roster flush just
   * wrote them): one query per {@link IDS_PER_QUERY} marked users, none when
   * nobody in the flush is marked. A row older than its mark (the flush
   * wrote an earlier sighting, the mark's comes with a later flush) stays marked.
   */
  async readFlushed(userIds: readonly number[], now: number): Promise<StreakReading[]> {
    const marked = userIds.filter((id) => this.waiting.has(id));
    const readings: StreakReading[] = [];
    for (let i = 0; i < marked.length; i += IDS_PER_QUERY) {
      const ids = marked.slice(i, i + IDS_PER_QUERY);
      const rows = (await this.db("users").whereIn("id", ids).select("id", "activity_streak_days", "last_active_day")) as Array<{
        id: number;
        activity_streak_days: number;
        last_active_day: number | null;
      }>;
      const found = new Map(rows.map((row) => [Number(row.id), row]));
      for (const id of ids) {
        const mark = this.waiting.get(id);
        if (mark === undefined) continue; // read by a concurrent flush's reading
        const row = found.get(id);
        if (row !== undefined && row.last_active_day !== null && Number(row.last_active_day) < mark.day) continue;
        this.waiting.delete(id);
        if (row === undefined) continue;
        readings.push({ userId: id, chatId: mark.chatId, streakDays: streakValue(row, now) });
      }
    }
    return readings;
  }
}
