import type { Context } from "grammy";
import type { Services } from "../app/services.js";
import type { Language } from "../config/config.js";
import type { MessageKey, MessageParams } from "../i18n/catalogue.js";

/** The context of every update: grammY's plus our services and the reply language. */
export type BotContext = Context & {
  services: Services;
  /** The language of replies to this user (from `language_code`, else the configured default). */
  language: Language;
  /** The catalogue text for `key` in the user's language. */
  t(key: MessageKey, params?: MessageParams): string;
};
