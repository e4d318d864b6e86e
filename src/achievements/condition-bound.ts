import type { AppEventMap } from "../economy/app-events.js";
import type { AchievementCondition } from "./achievement-conditions.js";

/**
 * How much an event raises a condition's value, for the conditions whose
 * every increase is announced by an event (after its commit):
 * - `earned_at_least`: ledger rows `parse`/`admin_add` only, and each is
 *   followed by `credited` with that reason and amount;
 * - `parsed_wins_at_least`: ledger rows `parse` only, each followed by `parsed`;
 * - `balance_at_least`: the balance grows only by ledger credits (`parse`,
 *   `admin_add`, `achievement`, `refund`), each followed by `credited`
 *   (debits are not counted: the bound just gets looser).
 * Other conditions have no bound and are measured whenever their events come.
 */
export function increaseOf<E extends keyof AppEventMap>(condition: AchievementCondition, event: E, payload: AppEventMap[E][0]): number {
  switch (condition) {
    case "earned_at_least": {
      if (event !== "credited") return 0;
      const { amount, reason } = payload as AppEventMap["credited"][0];
      return (reason === "parse" || reason === "admin_add") && amount > 0 ? amount : 0;
    }
    case "parsed_wins_at_least":
      return event === "parsed" ? 1 : 0;
    case "balance_at_least": {
      if (event !== "credited") return 0;
      const { amount } = payload as AppEventMap["credited"][0];
      return amount > 0 ? amount : 0;
    }
    default:
      return 0;
  }
}

/** The conditions {@link increaseOf} knows every increase of. */
export function hasBound(condition: AchievementCondition): boolean {
  return condition === "earned_at_least" || condition === "parsed_wins_at_least" || condition === "balance_at_least";
}

/**
 * An upper bound of one user's value of a condition, kept in memory so that
 * most events need no query: measured once, then raised by every announced
 * increase ({@link add}, called synchronously from the event listener).
 *
 * Why it is never below the true value: a measurement counts every commit
 * before it reads; an increase committed later is announced later, i.e.
 * after the measurement started, and is added. An increase committed just
 * before the read but announced after the measurement started is counted
 * twice, so the bound can be too high, never too low. Hence an achievement is
 * awarded only on {@link exactValue}, a real measurement (or a measurement
 * nothing was added to since).
 */
export class ConditionBound {
  private value = 0;
  /** Increases added so far (how many calls of {@link add}), to tell what arrived during a measurement. */
  private additions = 0;
  private addedTotal = 0;
  /** Whether `value` is a measurement nothing has been added to since. */
  private exact = false;
  private loading: Promise<void> | null = null;
  private loaded = false;
  private measuring: { additionsAtStart: number; result: Promise<number> } | null = null;

  constructor(private readonly read: () => Promise<number>) {}

  /** Records an announced increase (0 is ignored). */
  add(amount: number): void {
    if (amount === 0) return;
    this.value += amount;
    this.addedTotal += amount;
    this.additions += 1;
    this.exact = false;
  }

  /** The bound (measures on first use; concurrent first uses share one query). */
  async upperBound(): Promise<number> {
    if (!this.loaded) {
      // A failed first measurement is not remembered: the next event tries again.
      this.loading ??= this.measure()
        .then(() => undefined)
        .finally(() => {
          this.loading = null;
        });
      await this.loading;
    }
    return this.value;
  }

  /**
   * The true value: `value` itself when it is an untouched measurement, else
   * a new measurement (shared only with one that started after the last
   * increase, so it includes every increase announced before this call).
   */
  async exactValue(): Promise<number> {
    if (this.loaded && this.exact) return this.value;
    if (this.measuring !== null && this.measuring.additionsAtStart === this.additions) return this.measuring.result;
    return this.measure();
  }

  private measure(): Promise<number> {
    const additionsAtStart = this.additions;
    const addedAtStart = this.addedTotal;
    const result = this.read().then((real) => {
      this.value = real + (this.addedTotal - addedAtStart);
      this.exact = this.additions === additionsAtStart;
      this.loaded = true;
      return real;
    });
    const entry = { additionsAtStart, result };
    this.measuring = entry;
    void result
      .finally(() => {
        if (this.measuring === entry) this.measuring = null;
      })
      .catch(() => undefined);
    return result;
  }
}
