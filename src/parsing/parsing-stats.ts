import type { Database } from "../database/open-database.js";

/** The periods `/parsing_stats` knows, with their length in milliseconds. */
export const STATS_PERIODS = { "24h": 86_400_000, "7d": 7 * 86_400_000, "30d": 30 * 86_400_000 } as const;

/** A period name: `24h`, `7d` or `30d`. */
export type StatsPeriod = keyof typeof STATS_PERIODS;

/** The figures of one source bot in a period. */
export interface SourceBotStats {
  /** The bot's folded username (or id when it has none). */
  sourceBot: string;
  successes: number;
  failures: number;
  /** Successes ÷ (successes + failures) × 100, rounded half up to one decimal; 0 when there were no attempts. */
  successPercent: number;
  /** Sum of the amounts as the bot reported them. */
  totalOriginal: number;
  /** Sum of the coins credited. */
  totalConverted: number;
}

/**
 * Per source bot: successful parses (`parsed_transactions`), failed attempts
 * (`parse_failures`), the success rate and the amounts, for reports at or
 * after `since` (ms). Sorted by the bot's name.
 */
export async function computeParsingStats(db: Database, since: number): Promise<SourceBotStats[]> {
  const successes = (await db("parsed_transactions")
    .where("created_at", ">=", since)
    .groupBy("source_bot")
    .select("source_bot")
    .count({ count: "*" })
    .sum({ original: "original_amount", converted: "converted_amount" })) as Array<{
    source_bot: string;
    count: number | string;
    original: number | string | null;
    converted: number | string | null;
  }>;
  const failures = (await db("parse_failures")
    .where("created_at", ">=", since)
    .groupBy("source_bot")
    .select("source_bot")
    .count({ count: "*" })) as Array<{ source_bot: string; count: number | string }>;
  const byBot = new Map<string, SourceBotStats>();
  const entry = (sourceBot: string) => {
    let stats = byBot.get(sourceBot);
    if (stats === undefined) {
      stats = { sourceBot, successes: 0, failures: 0, successPercent: 0, totalOriginal: 0, totalConverted: 0 };
      byBot.set(sourceBot, stats);
    }
    return stats;
  };
  for (const row of successes) {
    const stats = entry(row.source_bot);
    stats.successes = Number(row.count);
    stats.totalOriginal = Number(row.original ?? 0);
    stats.totalConverted = Number(row.converted ?? 0);
  }
  for (const row of failures) entry(row.source_bot).failures = Number(row.count);
  for (const stats of byBot.values()) stats.successPercent = successPercent(stats.successes, stats.failures);
  return [...byBot.values()].sort((a, b) => a.sourceBot.localeCompare(b.sourceBot));
}

/** successes ÷ attempts × 100 rounded half up to one decimal, in integer arithmetic (2 of 3 → 66.7). */
export function successPercent(successes: number, failures: number): number {
  const attempts = successes + failures;
  if (attempts === 0) return 0;
  return Math.floor((successes * 2000 + attempts) / (2 * attempts)) / 10;
}
