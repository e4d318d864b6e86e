import type { Middleware } from "grammy";
import type { Message } from "grammy/types";
import type { BotContext } from "../bot/context.js";
import { translate } from "../i18n/catalogue.js";
import type { Logger } from "../logging/logger.js";
import type { InFlight } from "../tasks/in-flight.js";
import { acknowledgeCredit } from "./acknowledge-credit.js";
import type { CreditWriter } from "./credit-writer.js";
import { recordParseFailure } from "./parsed-transactions.js";
import { matchesAnyRule, parseReport, reportTextOf } from "./report-parser.js";
import { resolveReportTarget } from "./resolve-report-target.js";
import type { RuleBook } from "./rule-book.js";

/** Counters since the daemon started, for `stickerbot status`. */
export interface ReportCounters {
  credited: number;
  failed: number;
  duplicates: number;
  /** Texts that match a rule but come from a human, a forward or an unknown bot (counted when debug logging is on). */
  ignored: number;
}

/** Creates zeroed {@link ReportCounters}. */
export function createReportCounters(): ReportCounters {
  return { credited: 0, failed: 0, duplicates: 0, ignored: 0 };
}

/**
 * The message parser: a middleware for group messages. A message is a report
 * only when it was sent by a rule's bot account (`from.is_bot` and the bot's
 * username, case-insensitively, or id), is not forwarded and is a new message
 * (edits are separate `edited_message` updates and never reach it). Plain
 * messages of humans cost one map lookup and no database access.
 * Every message continues to the next handlers.
 */
export function createReportMiddleware(
  book: RuleBook,
  writer: CreditWriter,
  counters: ReportCounters,
  logger: Logger,
  acknowledgements: InFlight,
): Middleware<BotContext> {
  return async (ctx, next) => {
    const message = ctx.message;
    if (message !== undefined && (message.chat.type === "group" || message.chat.type === "supergroup")) {
      const rules = message.forward_origin === undefined ? book.rulesFor(message.from) : [];
      if (rules.length > 0) await handleReport(ctx, message, rules, writer, counters, logger, acknowledgements);
      else if (logger.isDebugEnabled()) logImitation(message, book, counters, logger);
    }
    await next();
  };
}

function logImitation(message: Message, book: RuleBook, counters: ReportCounters, logger: Logger): void {
  const content = reportTextOf(message);
  if (content === null || message.from === undefined) return;
  const rule = matchesAnyRule(content.text, book.activeRules());
  if (rule === undefined) return;
  counters.ignored += 1;
  const why = message.forward_origin !== undefined ? "forwarded" : message.from.is_bot ? "not sent by the rule's bot" : "sent by a human";
  logger.debug("report-like text ignored: only the game bot's own messages earn coins", {
    chatId: message.chat.id,
    messageId: message.message_id,
    fromId: message.from.id,
    username: message.from.username,
    rule: rule.name,
    why,
  });
}

async function handleReport(
  ctx: BotContext,
  message: Message,
  rules: ReturnType<RuleBook["rulesFor"]>,
  writer: CreditWriter,
  counters: ReportCounters,
  logger: Logger,
  acknowledgements: InFlight,
): Promise<void> {
  const { db, roster, clock, events, api, settings } = ctx.services;
  const content = reportTextOf(message);
  if (content === null || message.from === undefined) return;
  const chatId = message.chat.id;
  const messageId = message.message_id;
  const sourceBot = message.from.username?.toLowerCase() ?? String(message.from.id);
  const fields = { chatId, messageId, bot: sourceBot };
  const parsed = parseReport(content.text, rules);
  if (parsed === null) {
    logger.debug("a game bot's message matched no rule", fields);
    return;
  }
  const rule = parsed.report.rule;
  // A redelivered report (polling is at-least-once) is neither credited again
  // (creditReport) nor recorded as a failure (recordParseFailure checks both tables).
  const fail = async (reason: string) => {
    const recorded = await recordParseFailure(db, { chatId, messageId, ruleId: rule.id, sourceBot, reason, messageText: content.text }, clock.now());
    if (recorded) counters.failed += 1;
    logger.info("failed to parse a game report", { ...fields, rule: rule.name, reason, recorded });
  };
  if (!parsed.ok) return fail(parsed.reason);
  const target = await resolveReportTarget(message, content.text, content.entities, parsed.report.userName, roster);
  if (!target.ok) return fail(target.reason);

  const outcome = await writer.submit({
    chatId,
    messageId,
    ruleId: rule.id,
    sourceBot,
    original: parsed.original,
    converted: parsed.converted,
    currency: rule.currency,
    userId: target.userId,
    user: target.user,
    messageText: content.text,
  });
  if (!outcome.credited) {
    counters.duplicates += 1;
    logger.info("report already credited (redelivery), ignored", fields);
    return;
  }
  counters.credited += 1;
  logger.info("game report credited", {
    ...fields,
    rule: rule.name,
    userId: target.userId,
    via: target.via,
    original: parsed.original,
    converted: parsed.converted,
    currency: rule.currency,
    balanceAfter: outcome.balanceAfter,
  });
  // Announced after the commit, so listeners (achievements) see the credit in the database.
  try {
    events.emit("credited", { userId: target.userId, amount: parsed.converted, reason: "parse", chatId });
    events.emit("parsed", { userId: target.userId, amount: parsed.converted, chatId });
  } catch (error) {
    // The credit is committed; a listener's bug must not cost the acknowledgement.
    logger.error("an event listener failed", { ...fields, error: error instanceof Error ? error.message : String(error) });
  }
  const language = settings.current.defaultLanguage;
  // After the commit, and not awaited: the chat's next updates need not wait for the HTTP round trip.
  const acknowledged = acknowledgeCredit(
    api,
    settings.current.parsing,
    { chatId, messageId, replyText: () => translate(language, "parsing.credited", { user: target.label, amount: parsed.converted }) },
    logger,
  );
  acknowledgements.track(acknowledged, (error) => logger.error("acknowledging a credit failed", { ...fields, error: String(error) }));
}
