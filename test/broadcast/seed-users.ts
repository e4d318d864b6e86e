/** Test helper: writes users straight into a daemon's SQLite file before it starts. */
import { migrateDatabase, openDatabase } from "../../src/database/open-database.js";

/** A user row to seed; fields not given get test defaults. */
export interface SeedUser {
  id: number;
  username?: string | null;
  firstName?: string;
  startedPrivate?: boolean;
  unreachable?: boolean;
  balance?: number;
  totalEarned?: number;
  totalSpent?: number;
  lastActiveAt?: number;
}

/** Opens (and migrates) the database file, inserts `users`, runs `extra` with the handle, closes it. */
export async function seedDatabase(
  databasePath: string,
  users: SeedUser[],
  extra?: (db: Awaited<ReturnType<typeof openDatabase>>) => Promise<void>,
): Promise<void> {
  const db = await openDatabase(databasePath);
  try {
    await migrateDatabase(db);
    const now = Date.now();
    const rows = users.map((user) => ({
      id: user.id,
      username: user.username ?? null,
      username_folded: user.username ? user.username.toLowerCase() : null,
      first_name: user.firstName ?? `User${user.id}`,
      started_private: user.startedPrivate ?? true,
      unreachable: user.unreachable ?? false,
      balance: user.balance ?? 0,
      total_earned: user.totalEarned ?? 0,
      total_spent: user.totalSpent ?? 0,
      created_at: now,
      last_active_at: user.lastActiveAt ?? now,
      last_active_day: Math.floor(now / 86_400_000),
      activity_streak_days: 1,
    }));
    for (let index = 0; index < rows.length; index += 50) await db("users").insert(rows.slice(index, index + 50));
    await extra?.(db);
  } finally {
    await db.destroy();
  }
}
