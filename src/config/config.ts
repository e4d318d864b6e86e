/**
 * The daemon's configuration after the file, the environment and the defaults
 * have been merged and validated. Every field has a default except the token.
 * See README.md "Configuration reference" for the file format.
 */
export interface Config {
  /** The bot token from BotFather. Never logged. */
  token: string;
  /** Base URL of the Bot API. Default `https://api.telegram.org`. Tests point it at the fake. */
  apiRoot: string;
  /** Path of the SQLite database file. Default `$STATE_DIRECTORY/stickerbot.sqlite` or `./data/stickerbot.sqlite`. */
  databasePath: string;
  /** Path of the control socket. Default `$RUNTIME_DIRECTORY/control.sock` or `./data/control.sock`. */
  socketPath: string;
  /** Let the socket's group talk to the daemon too (mode 0660 instead of 0600). Default false. */
  socketGroupAccess: boolean;
  /** Telegram user ids of the bot's administrators. Default none. */
  adminIds: number[];
  /** winston log level. Default `info`. */
  logLevel: LogLevel;
  /** Language of chat replies when a user's `language_code` is neither ru nor en. Default `ru`. */
  defaultLanguage: Language;
  /** Intervals and delays, in seconds. */
  timings: Timings;
  /** Sticker control. */
  stickers: StickerSettings;
  /** Parsing of game bots' reports. */
  parsing: ParsingSettings;
  /** Shop settings. */
  shop: ShopSettings;
  /** Broadcast settings. */
  broadcast: BroadcastSettings;
  /** Retention of old records, in days. */
  retention: RetentionSettings;
}

export type LogLevel = "error" | "warn" | "info" | "debug";
export const LOG_LEVELS: readonly LogLevel[] = ["error", "warn", "info", "debug"];

export type Language = "ru" | "en";
export const LANGUAGES: readonly Language[] = ["ru", "en"];

export interface Timings {
  /** How often the cleanup runs. Default 300 (5 minutes). */
  cleanupIntervalSeconds: number;
  /** How often health is checked. Default 60. */
  monitorIntervalSeconds: number;
  /** How long a sticker from a user without a pass stays before it is deleted. Default 120. */
  stickerDeleteDelaySeconds: number;
  /** How long a sticker pass lasts. Default 86400 (24 hours). */
  stickerPassSeconds: number;
  /** How long a graceful shutdown may take before the daemon exits 1. Default 10. */
  shutdownTimeoutSeconds: number;
}

/** `delete`: stickers of users without a pass are deleted; `restrict`: also restrictChatMember. */
export type StickerEnforcement = "delete" | "restrict";

export interface StickerSettings {
  /** Default enforcement in every group. Default `delete`. */
  enforcement: StickerEnforcement;
  /** Per-chat enforcement overrides, keyed by chat id. Default none. */
  chatEnforcement: Record<string, StickerEnforcement>;
  /** Chat administrators and configured admins may always send stickers. Default true. */
  exemptAdmins: boolean;
  /** Tell a user in private when their pass expires. Default true. */
  notifyOnExpiry: boolean;
  /** How long the "stickers are removed without a pass" notice stays in the chat. Default 60. */
  noticeLifetimeSeconds: number;
  /** At most one such notice per user and chat within this many seconds. Default 3600. */
  noticeCooldownSeconds: number;
}

/** A parsing rule as written in the config file. */
export interface ParsingRuleConfig {
  /** Unique name of the rule, e.g. `shmalala-coins`. */
  name: string;
  /** Username of the game bot (without @), matched case-insensitively. */
  botUsername?: string;
  /** Telegram user id of the game bot. */
  botId?: number;
  /** Regular expression with one capture group for the amount; optional named group `user`. */
  pattern: string;
  /** Exact decimal multiplier as a string, e.g. "1" or "0.5". Default "1". */
  multiplier: string;
  /** Currency the amount is reported in, e.g. `coins`, `points`. Default `coins`. */
  currency: string;
  /** Whether the rule is active. Default true. */
  active: boolean;
}

export interface ParsingSettings {
  /** Rules from the config file; added to (and updated in) the database at startup and on reload. */
  rules: ParsingRuleConfig[];
  /** Username of Shmalala. Default `shmalala_bot`. */
  shmalalaUsername: string;
  /** Username of GDcards. Default `gdcardsBot`. */
  gdcardsUsername: string;
  /** How a credit is acknowledged: a reaction on the report, one short reply, or nothing. Default `reaction`. */
  acknowledge: "reaction" | "reply" | "none";
  /** The reaction emoji. Default 👍. */
  reactionEmoji: string;
}

export interface ShopSettings {
  /** Price of the seeded 24-hour sticker pass, in coins. Default 100. */
  stickerPassPrice: number;
  /** Price of the seeded admin call. Default 50. */
  adminCallPrice: number;
  /** Price of the seeded mention-all announcement. Default 200. */
  mentionAllPrice: number;
  /** Mentions per message of a mention-all announcement. Default 5. */
  mentionsPerMessage: number;
  /** Pause between the messages of a mention-all announcement, in seconds. Default 3.1 (group limit: 20 per minute). */
  mentionPauseSeconds: number;
  /** How long the bot waits for the announcement text, in seconds. Default 300. */
  mentionPromptTimeoutSeconds: number;
}

export interface BroadcastSettings {
  /** Messages per second over all recipients. Default 25 (Telegram allows about 30). */
  messagesPerSecond: number;
  /** Sends in flight at once. Default 5. */
  concurrency: number;
  /** Attempts for errors other than 429 and 403. Default 3. */
  maxAttempts: number;
  /** How often the admin's progress message is edited, in seconds. Default 3. */
  progressIntervalSeconds: number;
}

export interface RetentionSettings {
  /** Executed and skipped sticker deletions are kept this long. Default 7. */
  deletionDays: number;
  /** Parsed transactions (and failed parse attempts) are kept this long. Default 90. */
  parsedTransactionDays: number;
  /** Finished task runs and broadcasts are kept this long. Default 30. */
  taskRunDays: number;
}
