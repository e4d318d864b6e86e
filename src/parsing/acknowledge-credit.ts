import type { Api } from "grammy";
import type { ParsingSettings } from "../config/config.js";
import type { Logger } from "../logging/logger.js";

/** What is needed to acknowledge one credited report. */
export interface CreditAcknowledgement {
  chatId: number;
  messageId: number;
  /** The reply text, built only when `acknowledge` is `reply` (formatting numbers is not free). */
  replyText: () => string;
}

/**
 * Acknowledges a credit once, as configured: a reaction on the game bot's
 * report (default: no message, so a busy group with hundreds of reports a day
 * is not flooded), one short reply to it, or nothing. A failure is logged and
 * not retried beyond auto-retry's 429 handling: a missing 👍 is better than two.
 */
export async function acknowledgeCredit(api: Api, settings: ParsingSettings, ack: CreditAcknowledgement, logger: Logger): Promise<void> {
  try {
    if (settings.acknowledge === "reaction") {
      await api.setMessageReaction(ack.chatId, ack.messageId, [{ type: "emoji", emoji: settings.reactionEmoji as "👍" }]);
    } else if (settings.acknowledge === "reply") {
      await api.sendMessage(ack.chatId, ack.replyText(), {
        reply_parameters: { message_id: ack.messageId, allow_sending_without_reply: true },
        disable_notification: true,
      });
    }
  } catch (error) {
    logger.warn("could not acknowledge a credited report", {
      chatId: ack.chatId,
      messageId: ack.messageId,
      acknowledge: settings.acknowledge,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}
