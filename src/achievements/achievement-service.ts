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

const DAY_MILLISECONDS = 86_400_000;

/**
 * Checks achievements when something happens (the app events), awards each
 * at most once per user, credits the reward and congratulates once.
 *
 * "At most once" is the unique key of `user_achievements`: the award is an
 * insert that ignores a conflict, and the reward is credited only when the
 * insert added a row, in the same transaction. Only the conditions an event
 * can change are measured. The `active` event comes with every message, so
 * the streak is looked at once per user per UTC day (remembered in memory).
 */
export class AchievementService {
  private definitions: AchievementDefinition[] = [];
  private readonly logger: Logger;
  private readonly inFlight = new Set<Promise<void>>();
  /** Users whose streak was checked today, and which day that is. */
  private streakCheckedDay = -1;
  private readonly streakChecked = new Set<number>();
  private readonly listeners: Array<() => void> = [];

  constructor(private readonly options: AchievementServiceOptions) {
    this.logger = options.logger.child({ component: "achievements" });
  }

  /** Loads the definitions (throws naming a row whose condition is unknown) and subscribes to the events. */
  async start(): Promise<void> {
    await this.loadDefinitions();
    const subscribe = <E extends keyof AppEventMap>(event: E, handler: (...args: AppEventMap[E]) => void) => {
      this.options.events.on(event, handler as never);
      this.listeners.push(() => this.options.events.off(event, handler as never));
    };
    subscribe("credited", ({ userId, chatId }) => this.schedule(userId, "credited", chatId));
    subscribe("parsed", ({ userId, chatId }) => this.schedule(userId, "parsed", chatId));
    subscribe("purchased", ({ userId, chatId }) => this.schedule(userId, "purchased", chatId));
    subscribe("passGranted", ({ userId, source }) => {
      // A bought pass is followed by the shop's `purchased` event, which knows the chat to congratulate in.
      if (source !== "purchase") this.schedule(userId, "passGranted", null);
    });
    subscribe("active", ({ userId, chatId }) => {
      const day = Math.floor(this.options.clock.now() / DAY_MILLISECONDS);
      if (day !== this.streakCheckedDay) {
        this.streakCheckedDay = day;
        this.streakChecked.clear();
      }
      if (this.streakChecked.has(userId)) return;
      this.streakChecked.add(userId);
      this.schedule(userId, "active", chatId);
    });
  }

  /** Unsubscribes and waits for checks in progress. */
  async stop(): Promise<void> {
    for (const unsubscribe of this.listeners.splice(0)) unsubscribe();
    await this.idle();
  }

  /** Resolves when every check started so far is done (tests). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Re-reads the definitions from the database. */
  async loadDefinitions(): Promise<void> {
    const rows = (await this.options.db("achievements").orderBy([{ column: "sort_order" }, { column: "code" }])) as AchievementDefinition[];
    for (const row of rows) {
      if (!isAchievementCondition(row.condition)) {
        throw new Error(`achievements: "${row.code}" has the unknown condition "${row.condition}"; use one of the conditions in src/achievements/achievement-conditions.ts`);
      }
    }
    this.definitions = rows.map((row) => ({ ...row, threshold: Number(row.threshold), reward: Number(row.reward) }));
  }

  /** The loaded definitions, in display order. */
  list(): AchievementDefinition[] {
    return [...this.definitions];
  }

  private schedule(userId: number, event: keyof AppEventMap, chatId: number | null): void {
    const check: Promise<void> = this.checkAfter(userId, event, chatId)
      .then(() => undefined)
      .catch((error: unknown) => {
        this.logger.error("achievement check failed", { userId, event, error: error instanceof Error ? error.message : String(error) });
      })
      .finally(() => this.inFlight.delete(check));
    this.inFlight.add(check);
  }

  private async checkAfter(userId: number, event: keyof AppEventMap, chatId: number | null): Promise<AwardedAchievement[]> {
    // Activity is written by the roster in batches: write it before measuring the streak.
    if (event === "active") await this.options.roster.flush();
    const conditions = new Set<AchievementCondition>(
      this.definitions.map((definition) => definition.condition).filter((condition) => CONDITION_EVENTS[condition].includes(event)),
    );
    return this.check(userId, conditions, chatId);
  }

  /**
   * Awards every achievement among `conditions` (default: all) that the user
   * has reached and does not have yet. Returns what was awarded now.
   */
  async check(userId: number, conditions?: ReadonlySet<AchievementCondition>, chatId: number | null = null): Promise<AwardedAchievement[]> {
    const candidates = this.definitions.filter((definition) => conditions === undefined || conditions.has(definition.condition));
    if (candidates.length === 0) return [];
    const unlocked = new Set(((await this.options.db("user_achievements").where("user_id", userId).select("code")) as Array<{ code: string }>).map((row) => row.code));
    const now = this.options.clock.now();
    const values = new Map<AchievementCondition, number>();
    const awarded: AwardedAchievement[] = [];
    for (const definition of candidates) {
      if (unlocked.has(definition.code)) continue;
      let value = values.get(definition.condition);
      if (value === undefined) {
        value = await measureCondition(this.options.db, definition.condition, userId, now);
        values.set(definition.condition, value);
      }
      if (value < definition.threshold) continue;
      const award = await this.award(definition, userId, chatId);
      if (award !== null) awarded.push(award);
    }
    return awarded;
  }

  /** Inserts the award (once: the unique key) and credits the reward in the same transaction; then congratulates. */
  private async award(definition: AchievementDefinition, userId: number, chatId: number | null): Promise<AwardedAchievement | null> {
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
