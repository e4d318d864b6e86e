import type { User } from "grammy/types";
import type { Database } from "../database/open-database.js";
import type { Ledger } from "../economy/ledger.js";
import type { UserRoster } from "../users/user-roster.js";

/** One credited report, as written to `parsed_transactions`. */
export interface ParsedCredit {
  chatId: number;
  messageId: number;
  ruleId: number;
  /** How statistics name the game bot: its folded username, else its id. */
  sourceBot: string;
  original: number;
  converted: number;
  currency: string;
  userId: number;
  /** Registered inside the transaction when not known yet. */
  user: User | null;
  messageText: string;
}

/** One failed attempt, as written to `parse_failures`. */
export interface ParseFailure {
  chatId: number;
  messageId: number;
  ruleId: number | null;
  sourceBot: string;
  reason: string;
  messageText: string;
}

/** What {@link creditReport} did. */
export type CreditOutcome = { credited: true; balanceAfter: number; ledgerId: number } | { credited: false; duplicate: true };

/** Longest stored report text, in characters (reports are a few hundred). */
export const MAX_STORED_TEXT_LENGTH = 4096;
/** The width of `parse_failures.reason`. */
const MAX_REASON_LENGTH = 256;

/** The ledger's `reference` of a report: `chat:message`. */
export function reportReference(chatId: number, messageId: number): string {
  return `${chatId}:${messageId}`;
}

/** The `parsed_transactions` row of a credit (the single and the batched writer share it). */
export function toParsedTransactionRow(credit: ParsedCredit, now: number): Record<string, unknown> {
  return {
    chat_id: credit.chatId,
    message_id: credit.messageId,
    rule_id: credit.ruleId,
    source_bot: credit.sourceBot,
    original_amount: credit.original,
    converted_amount: credit.converted,
    currency: credit.currency,
    user_id: credit.userId,
    message_text: credit.messageText.slice(0, MAX_STORED_TEXT_LENGTH),
    created_at: now,
  };
}

/**
 * Writes the `parsed_transactions` row and credits the player, in one
 * transaction: either both happen or neither. The unique (chat_id,
 * message_id) key makes a redelivered report (polling is at-least-once, a
 * restart replays unconfirmed updates) a no-op that returns `duplicate`.
 */
export async function creditReport(db: Database, ledger: Ledger, roster: UserRoster, credit: ParsedCredit, now: number): Promise<CreditOutcome> {
  return db.transaction(async (trx) => {
    // The pool has one connection, so transactions are serial and this check
    // cannot race; the unique key is the guarantee all the same.
    const existing = await trx("parsed_transactions").where({ chat_id: credit.chatId, message_id: credit.messageId }).first("id");
    if (existing !== undefined) return { credited: false, duplicate: true } as const;
    if (credit.user !== null) await roster.ensureUser(credit.user, trx);
    await trx("parsed_transactions").insert(toParsedTransactionRow(credit, now));
    const applied = await ledger.apply(trx, {
      userId: credit.userId,
      amount: credit.converted,
      reason: "parse",
      source: credit.sourceBot,
      reference: reportReference(credit.chatId, credit.messageId),
    });
    return { credited: true, ...applied } as const;
  });
}

/**
 * Records a failed attempt once per report: a redelivered report that fails
 * again is the same failure, and a report that was credited is not a failure.
 * Returns false when nothing was written.
 */
export async function recordParseFailure(db: Database, failure: ParseFailure, now: number): Promise<boolean> {
  return db.transaction(async (trx) => {
    const key = { chat_id: failure.chatId, message_id: failure.messageId };
    if ((await trx("parsed_transactions").where(key).first("id")) !== undefined) return false;
    if ((await trx("parse_failures").where(key).first("id")) !== undefined) return false;
    await trx("parse_failures").insert({
      ...key,
      rule_id: failure.ruleId,
      source_bot: failure.sourceBot,
      reason: failure.reason.slice(0, MAX_REASON_LENGTH),
      message_text: failure.messageText.slice(0, MAX_STORED_TEXT_LENGTH),
      created_at: now,
    });
    return true;
  });
}
