import { type Api, GrammyError } from "grammy";
import type { ConfigHolder } from "../app/config-holder.js";
import type { Language } from "../config/config.js";
import type { Database } from "../database/open-database.js";
import type { AppEventMap, AppEvents } from "../economy/app-events.js";
import type { Ledger } from "../economy/ledger.js";
import { pickLanguage, translate } from "../i18n/catalogue.js";
import type { Logger } from "../logging/logger.js";
import type { Clock } from "../time/clock.js";
import { displayName, type UserRoster, type UserRow } from "../users/user-roster.js";
import { type AchievementCondition, CONDITION_EVENTS, isAchievementCondition, measureCondition } from "./achievement-conditions.js";
import { type AchievementDefinition, achievementName } from "./achievement-definition.js";
import { AchieverCache, type AchieverState } from "./achiever-cache.js";
import { InFlight } from "../tasks/in-flight.js";
import { CheckQueue } from "./check-queue.js";
import { type ConditionBound, hasBound, increaseOf } from "./condition-bound.js";
import { StreakWatch } from "./streak-watch.js";

/** Options of {@link AchievementService}. */
export interface AchievementServiceOptions {
  db: Database;
  ledger: Ledger;
  clock: Clock;
  logger: Logger;
  api: Api;
  roster: UserRoster;
  settings: ConfigHolder;
  events: AppEvents;
}

/** An achievement awarded now. */
export interface AwardedAchievement {
  definition: AchievementDefinition;
  userId: number;
  /** The balance after the reward, in coins. */
  balanceAfter: number;
}

/** One line of /achievements. */
export interface AchievementProgress {
  definition: AchievementDefinition;
  unlockedAt: number | null;
  /** The current value of the condition (capped at the threshold for unlocked ones). */
  value: number;
}

/**
 * Checks achievements when something happens (the app events), awards each
 * at most once per user, credits the reward and congratulates once.
 *
 * "At most once" is the unique key of `user_achievements`: the award is an
 * insert that ignores a conflict, and the reward is credited only when the
 * insert added a row, in the same transaction. Only the conditions an event
 * can change are measured, and the single database connection is spared:
 * - each user's unlocked codes are read once and kept in memory
 *   ({@link AchieverCache}); an event whose achievements the user already has costs no query;
 * - earnings, wins and balance have an upper bound kept from the events
 *   ({@link ConditionBound}): a user below every locked threshold costs no
 *   query; an award is decided only on a real measurement;
 * - the streak is read once per user per UTC day, after the roster's batch
 *   write of their activity, for the whole batch in one query ({@link StreakWatch}).
 */
export class AchievementService {
  private definitions: AchievementDefinition[] = [];
  private readonly logger: Logger;
  private readonly inFlight = new InFlight();
  private readonly cache: AchieverCache;
  private readonly streaks: StreakWatch;
  private readonly checks: CheckQueue;
  private readonly listeners: Array<() => void> = [];
  private unsubscribeFlushes: (() => void) | null = null;

  constructor(private readonly options: AchievementServiceOptions) {
    this.logger = options.logger.child({ component: "achievements" });
    this.cache = new AchieverCache({
      readUnlocked: async (userId) =>
        new Set(((await options.db("user_achievements").where("user_id", userId).select("code")) as Array<{ code: string }>).map((row) => row.code)),
      measure: (condition, userId) => measureCondition(options.db, condition, userId, options.clock.now()),
    });
    this.streaks = new StreakWatch(options.db);
    this.checks = new CheckQueue({
      run: (userId, check) => this.check(userId, check.conditions, check.chatId, check.measured),
      onError: (error, userId) => this.logger.error("achievement check failed", { userId, error: error instanceof Error ? error.message : String(error) }),
    });
  }

  /** Loads the definitions (throws naming a row whose condition is unknown) and subscribes to the events and the roster's flushes. */
  async start(): Promise<void> {
    await this.loadDefinitions();
    const subscribe = <E extends keyof AppEventMap>(event: E, handler: (payload: AppEventMap[E][0]) => void) => {
      const listener = (payload: AppEventMap[E][0]) => {
        // Synchronously, before anything can measure again: the bounds must see every increase (see ConditionBound).
        try {
          this.noteIncreases(event, payload);
        } catch (error) {
          // A bound that missed an increase could hide an achievement: forget them all (measured again on use).
          this.cache.clear();
          this.logger.error("could not record an increase; the remembered values were dropped", { event, error: String(error) });
        }
        handler(payload);
      };
      this.options.events.on(event, listener as never);
      this.listeners.push(() => this.options.events.off(event, listener as never));
    };
    subscribe("credited", ({ userId, chatId }) => this.schedule(userId, "credited", chatId));
    subscribe("parsed", ({ userId, chatId }) => this.schedule(userId, "parsed", chatId));
    subscribe("purchased", ({ userId, chatId }) => this.schedule(userId, "purchased", chatId));
    subscribe("passGranted", ({ userId, source }) => {
      // A bought pass is followed by the shop's `purchased` event, which knows the chat to congratulate in.
      if (source !== "purchase") this.schedule(userId, "passGranted", null);
    });
    subscribe("active", ({ userId, chatId }) => {
      if (this.definitions.some((definition) => definition.condition === "activity_streak_at_least")) {
        this.streaks.noteActive(userId, chatId, this.options.clock.now());
      }
    });
    this.unsubscribeFlushes = this.options.roster.onFlushed((userIds) => this.track(this.checkStreaks(userIds), { event: "active" }));
  }

  /** Unsubscribes and waits for checks in progress (the streaks of users whose activity is still unwritten are read first). */
  async stop(): Promise<void> {
    for (const unsubscribe of this.listeners.splice(0)) unsubscribe();
    try {
      await this.idle();
    } finally {
      this.unsubscribeFlushes?.();
      this.unsubscribeFlushes = null;
    }
  }

  /**
   * Resolves when every check started so far is done (tests, stop). When
   * active users wait for their streak check, the roster is flushed first
   * (in production its periodic flush does that).
   */
  async idle(): Promise<void> {
    if (this.streaks.hasWaiting()) await this.options.roster.flush();
    while (this.inFlight.size > 0 || this.checks.size > 0) {
      await this.inFlight.idle();
      await this.checks.idle();
    }
  }

  /** Re-reads the definitions from the database (and forgets what it remembered of users: read again on their next event). */
  async loadDefinitions(): Promise<void> {
    const rows = (await this.options.db("achievements").orderBy([{ column: "sort_order" }, { column: "code" }])) as AchievementDefinition[];
    for (const row of rows) {
      if (!isAchievementCondition(row.condition)) {
        throw new Error(`achievements: "${row.code}" has the unknown condition "${row.condition}"; use one of the conditions in src/achievements/achievement-conditions.ts`);
      }
    }
    this.definitions = rows.map((row) => ({ ...row, threshold: Number(row.threshold), reward: Number(row.reward) }));
    this.cache.clear();
  }

  /** The loaded definitions, in display order. */
  list(): AchievementDefinition[] {
    return [...this.definitions];
  }

  /** Checks waiting or running (status): a lasting backlog means the database cannot keep up. */
  get pendingChecks(): number {
    return this.checks.size;
  }

  /** How many users the checker remembers (status). */
  get rememberedUsers(): number {
    return this.cache.size;
  }

  /** Raises the bounds the user has (a user without remembered state has none: theirs are measured when created). */
  private noteIncreases<E extends keyof AppEventMap>(event: E, payload: AppEventMap[E][0]): void {
    const state = this.cache.peek(payload.userId, this.options.clock.now());
    if (state === undefined) return;
    for (const [condition, bound] of state.bounds) bound.add(increaseOf(condition, event, payload));
  }

  private schedule(userId: number, event: keyof AppEventMap, chatId: number | null): void {
    const conditions = new Set<AchievementCondition>(
      this.definitions.map((definition) => definition.condition).filter((condition) => CONDITION_EVENTS[condition].includes(event)),
    );
    if (conditions.size === 0) return;
    this.checks.add(userId, conditions, chatId);
  }

  private track(work: Promise<unknown>, fields: Record<string, unknown>): void {
    this.inFlight.track(work, (error) => {
      this.logger.error("achievement check failed", { ...fields, error: error instanceof Error ? error.message : String(error) });
    });
  }

  /** After a roster flush: reads the streaks of the marked users it wrote (one query), checks those who reach a streak achievement. */
  private async checkStreaks(userIds: readonly number[]): Promise<void> {
    const thresholds = this.definitions.filter((definition) => definition.condition === "activity_streak_at_least").map((definition) => definition.threshold);
    if (thresholds.length === 0) return;
    const readings = await this.streaks.readFlushed(userIds, this.options.clock.now());
    const lowest = Math.min(...thresholds);
    const streakOnly = new Set<AchievementCondition>(["activity_streak_at_least"]);
    for (const { userId, chatId, streakDays } of readings) {
      if (streakDays < lowest) continue;
      this.checks.add(userId, streakOnly, chatId, new Map([["activity_streak_at_least", streakDays]]));
    }
  }

  /**
   * Awards every achievement among `conditions` (default: all) that the user
   * has reached and does not have yet. Returns what was awarded now.
   * `measured` gives values already read (the streak read after a flush).
   */
  async check(
    userId: number,
    conditions?: ReadonlySet<AchievementCondition>,
    chatId: number | null = null,
    measured?: ReadonlyMap<AchievementCondition, number>,
  ): Promise<AwardedAchievement[]> {
    const candidates = this.definitions.filter((definition) => conditions === undefined || conditions.has(definition.condition));
    if (candidates.length === 0) return [];
    const now = this.options.clock.now();
    const state = this.cache.get(userId, now);
    const unlocked = await state.unlocked;
    const values = new Map<AchievementCondition, number>(measured);
    const awarded: AwardedAchievement[] = [];
    for (const definition of candidates) {
      if (unlocked.has(definition.code)) continue;
      if (!(await this.hasReached(state, definition, userId, values, now))) continue;
      const award = await this.award(definition, userId, chatId, unlocked);
      if (award !== null) awarded.push(award);
    }
    return awarded;
  }

  /**
   * Whether the user's value reaches the definition's threshold. A condition
   * with a bound below the threshold needs no query; otherwise the true value
   * is measured (once per check and condition, kept in `values`).
   */
  private async hasReached(
    state: AchieverState,
    definition: AchievementDefinition,
    userId: number,
    values: Map<AchievementCondition, number>,
    now: number,
  ): Promise<boolean> {
    const { condition, threshold } = definition;
    let value = values.get(condition);
    if (value === undefined) {
      if (hasBound(condition)) {
        const bound = this.cache.boundOf(state, condition, userId);
        if ((await bound.upperBound()) < threshold) return false;
        value = await bound.exactValue();
      } else {
        value = await measureCondition(this.options.db, condition, userId, now);
      }
      values.set(condition, value);
    }
    return value >= threshold;
  }

  /** Inserts the award (once: the unique key) and credits the reward in the same transaction; then congratulates. */
  private async award(definition: AchievementDefinition, userId: number, chatId: number | null, unlocked: Set<string>): Promise<AwardedAchievement | null> {
    const now = this.options.clock.now();
    const balanceAfter = await this.options.db.transaction(async (trx) => {
      const inserted = await trx("user_achievements")
        .insert({ user_id: userId, code: definition.code, unlocked_at: now, reward: definition.reward, chat_id: chatId })
        .onConflict(["user_id", "code"])
        .ignore()
        .returning("code");
      if (inserted.length === 0) return null; // someone else's check awarded it first
      if (definition.reward <= 0) {
        const row = (await trx("users").where("id", userId).first("balance")) as { balance: number } | undefined;
        return Number(row?.balance ?? 0);
      }
      const { balanceAfter } = await this.options.ledger.apply(trx, {
        userId,
        amount: definition.reward,
        reason: "achievement",
        source: definition.code,
        reference: `achievement:${definition.code}`,
      });
      return balanceAfter;
    });
    // Committed (by this insert or an earlier one): no later event of this user needs to look at it again.
    unlocked.add(definition.code);
    if (balanceAfter === null) return null;
    this.logger.info("achievement unlocked", { userId, code: definition.code, reward: definition.reward, chatId });
    if (definition.reward > 0) this.options.events.emit("credited", { userId, amount: definition.reward, reason: "achievement", chatId });
    await this.congratulate(definition, userId, chatId, balanceAfter);
    return { definition, userId, balanceAfter };
  }

  /** One message: in the group where it happened, else in private. A failure is logged, not retried (congratulated at most once). */
  private async congratulate(definition: AchievementDefinition, userId: number, chatId: number | null, balance: number): Promise<void> {
    const user = (await this.options.db("users").where("id", userId).first()) as UserRow | undefined;
    const language: Language = pickLanguage(user?.language_code ?? undefined, this.options.settings.current.defaultLanguage);
    const inGroup = chatId !== null && chatId < 0;
    const name = user === undefined ? String(userId) : user.username !== null ? `@${user.username}` : displayName(user);
    const text = translate(language, definition.reward > 0 ? "achievements.unlocked" : "achievements.unlockedNoReward", {
      name,
      achievement: achievementName(definition, language),
      reward: definition.reward,
      balance,
    });
    try {
      await this.options.api.sendMessage(inGroup ? chatId : userId, text);
    } catch (error) {
      this.logger.warn("could not congratulate", {
        userId,
        code: definition.code,
        chatId: inGroup ? chatId : userId,
        error: error instanceof GrammyError ? `${error.error_code}: ${error.description}` : String(error),
      });
    }
  }

  /** The user's achievements: unlocked ones with their time, the others with the current value. */
  async progressOf(userId: number): Promise<AchievementProgress[]> {
    const rows = (await this.options.db("user_achievements").where("user_id", userId).select("code", "unlocked_at")) as Array<{ code: string; unlocked_at: number }>;
    const unlocked = new Map(rows.map((row) => [row.code, Number(row.unlocked_at)]));
    const now = this.options.clock.now();
    const values = new Map<AchievementCondition, number>();
    const result: AchievementProgress[] = [];
    for (const definition of this.definitions) {
      const unlockedAt = unlocked.get(definition.code) ?? null;
      let value = values.get(definition.condition);
      if (value === undefined) {
        value = await measureCondition(this.options.db, definition.condition, userId, now);
        values.set(definition.condition, value);
      }
      result.push({ definition, unlockedAt, value: unlockedAt === null ? Math.min(value, definition.threshold) : definition.threshold });
    }
    return result;
  }
}
