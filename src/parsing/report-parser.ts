import type { Message, MessageEntity } from "grammy/types";
import { convertAmount } from "./multiplier.js";
import type { CompiledRule } from "./parsing-rule.js";
import { parseReportedAmount } from "./reported-amount.js";

/** The text of a message and its entities: `text`/`entities`, else `caption`/`caption_entities` (a photo report). */
export function reportTextOf(message: Pick<Message, "text" | "entities" | "caption" | "caption_entities">): {
  text: string;
  entities: MessageEntity[];
} | null {
  if (message.text !== undefined) return { text: message.text, entities: message.entities ?? [] };
  if (message.caption !== undefined) return { text: message.caption, entities: message.caption_entities ?? [] };
  return null;
}

/** A report that a rule matched: what it says, before the target is resolved. */
export interface MatchedReport {
  rule: CompiledRule;
  /** The amount as the game bot wrote it, e.g. `3,000`. */
  amountText: string;
  /** The `user` capture, trimmed; null when the rule has none or it did not take part. */
  userName: string | null;
}

/** The outcome of {@link parseReport} once a rule matched. */
export type ParsedReport =
  | { ok: true; report: MatchedReport; original: number; converted: number }
  | { ok: false; report: MatchedReport; reason: string };

/**
 * Tries the rules in order on `text`; the first whose pattern matches decides.
 * Returns null when none matches (a game bot posts more than wins: that is
 * not a failed parse). Otherwise the exact amounts, or why the amount could
 * not be taken (zero, too large, not a number).
 */
export function parseReport(text: string, rules: readonly CompiledRule[]): ParsedReport | null {
  for (const rule of rules) {
    rule.regex.lastIndex = 0;
    const match = rule.regex.exec(text);
    if (match === null) continue;
    const amountText = match[rule.amountGroup] ?? "";
    const userCapture = rule.userGroup === null ? undefined : match[rule.userGroup];
    const userName = userCapture === undefined || userCapture.trim() === "" ? null : userCapture.trim();
    const report: MatchedReport = { rule, amountText, userName };
    const amount = parseReportedAmount(amountText);
    if (!amount.ok) return { ok: false, report, reason: amount.reason };
    if (amount.amount > BigInt(Number.MAX_SAFE_INTEGER)) {
      return { ok: false, report, reason: `amount ${amount.digits} is larger than ${Number.MAX_SAFE_INTEGER}` };
    }
    const conversion = convertAmount(amount.amount, rule.multiplier);
    if (!conversion.ok) return { ok: false, report, reason: conversion.reason };
    return { ok: true, report, original: Number(amount.amount), converted: conversion.converted };
  }
  return null;
}

/** Whether any rule's pattern matches `text` (for logging what humans and forwards would have earned). */
export function matchesAnyRule(text: string, rules: readonly CompiledRule[]): CompiledRule | undefined {
  return rules.find((rule) => {
    rule.regex.lastIndex = 0;
    return rule.regex.test(text);
  });
}
