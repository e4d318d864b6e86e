import type { AchievementCondition } from "./achievement-conditions.js";
import { ConditionBound } from "./condition-bound.js";

/** What the checker remembers of one user. */
export interface AchieverState {
  /** The codes the user has unlocked (loaded once, then kept up to date by the awards). */
  unlocked: Promise<Set<string>>;
  /** Upper bounds of the conditions that have one (see `condition-bound.ts`), created on first use. */
  bounds: Map<AchievementCondition, ConditionBound>;
  /** When the state was loaded, in ms (clock time). */
  createdAt: number;
}

/** Options of {@link AchieverCache}. */
export interface AchieverCacheOptions {
  /** Reads the codes a user has unlocked. */
  readUnlocked: (userId: number) => Promise<Set<string>>;
  /** Measures a condition for a user (the bounds' measurement). */
  measure: (condition: AchievementCondition, userId: number) => Promise<number>;
  /** Users remembered at most; the least recently used are forgotten (and read again when they come back). Default 50,000. */
  maxUsers?: number;
  /**
   * A user's state is read again from the database after this long, in ms
   * (default 10 minutes). The state is exact without it; this only bounds how
   * long an out-of-band change (an operator editing rows by hand) goes unseen.
   */
  refreshAfterMilliseconds?: number;
}

/**
 * Per-user memory of the achievement checker, so that an event of a user who
 * already has the achievements it could unlock, or is far from them, costs
 * no query. The database stays the source of truth: the unique key of
 * `user_achievements` still decides every award, and a bound is only a
 * reason to skip a measurement, never to award.
 */
export class AchieverCache {
  private readonly states = new Map<number, AchieverState>();

  constructor(private readonly options: AchieverCacheOptions) {}

  /** The user's state, if remembered (the event listeners add increases to it; they never create one). */
  peek(userId: number, now: number): AchieverState | undefined {
    const state = this.states.get(userId);
    if (state === undefined) return undefined;
    if (now - state.createdAt >= (this.options.refreshAfterMilliseconds ?? 600_000)) {
      this.states.delete(userId);
      return undefined;
    }
    return state;
  }

  /** The user's state, created (its unlocked codes read) when not remembered. */
  get(userId: number, now: number): AchieverState {
    let state = this.peek(userId, now);
    if (state !== undefined) {
      // Most recently used last (a Map keeps insertion order).
      this.states.delete(userId);
      this.states.set(userId, state);
      return state;
    }
    const unlocked = this.options.readUnlocked(userId);
    state = { unlocked, bounds: new Map(), createdAt: now };
    // A failed read is not remembered: the next event reads again.
    unlocked.catch(() => {
      if (this.states.get(userId) === state) this.states.delete(userId);
    });
    this.states.set(userId, state);
    const maxUsers = this.options.maxUsers ?? 50_000;
    while (this.states.size > maxUsers) this.states.delete(this.states.keys().next().value!);
    return state;
  }

  /** The bound of `condition` in `state`, created on first use. */
  boundOf(state: AchieverState, condition: AchievementCondition, userId: number): ConditionBound {
    let bound = state.bounds.get(condition);
    if (bound === undefined) {
      bound = new ConditionBound(() => this.options.measure(condition, userId));
      state.bounds.set(condition, bound);
    }
    return bound;
  }

  /** Forgets everyone (after the definitions were reloaded). */
  clear(): void {
    this.states.clear();
  }

  /** How many users are remembered (status, tests). */
  get size(): number {
    return this.states.size;
  }
}
