import { readFileSync } from "node:fs";
import path from "node:path";
import {
  type Config,
  type Language,
  LANGUAGES,
  type LogLevel,
  LOG_LEVELS,
  type ParsingRuleConfig,
  type StickerEnforcement,
} from "./config.js";
import { ConfigError } from "./config-error.js";

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** Path of the JSON config file. Default: `$CONFIGURATION_DIRECTORY/config.json` when that exists, else none. */
  configFile?: string;
  /** The environment to read overrides from. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Whether a token is required (the daemon needs one; `status` and `stop` do not). Default true. */
  requireToken?: boolean;
}

type Json = Record<string, unknown>;

/**
 * Reads the config file, applies environment overrides and defaults, and
 * validates the result. Throws {@link ConfigError} naming the file (or
 * variable), the key and the reason.
 */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const configFile = options.configFile ?? defaultConfigFile(env);
  const file = configFile === undefined ? {} : readConfigFile(configFile);
  const source = configFile ?? "defaults";
  const reader = new ConfigReader(source, file);
  const stateDirectory = env.STATE_DIRECTORY?.split(":")[0];
  const runtimeDirectory = env.RUNTIME_DIRECTORY?.split(":")[0];
  const relativeTo = configFile === undefined ? process.cwd() : path.dirname(path.resolve(configFile));
  const resolvePath = (p: string) => path.resolve(relativeTo, p);

  const timings = reader.section("timings");
  const stickers = reader.section("stickers");
  const parsing = reader.section("parsing");
  const shop = reader.section("shop");
  const broadcast = reader.section("broadcast");
  const retention = reader.section("retention");

  const config: Config = {
    token: "",
    apiRoot: reader.string("apiRoot", "https://api.telegram.org"),
    databasePath: resolvePath(
      reader.string("databasePath", path.join(stateDirectory ?? "data", "stickerbot.sqlite")),
    ),
    socketPath: resolvePath(reader.string("socketPath", path.join(runtimeDirectory ?? "data", "control.sock"))),
    socketGroupAccess: reader.boolean("socketGroupAccess", false),
    adminIds: reader.integerList("adminIds", []),
    logLevel: reader.oneOf<LogLevel>("logLevel", LOG_LEVELS, "info"),
    defaultLanguage: reader.oneOf<Language>("defaultLanguage", LANGUAGES, "ru"),
    timings: {
      cleanupIntervalSeconds: timings.positiveNumber("cleanupIntervalSeconds", 300),
      monitorIntervalSeconds: timings.positiveNumber("monitorIntervalSeconds", 60),
      stickerDeleteDelaySeconds: timings.nonNegativeNumber("stickerDeleteDelaySeconds", 120),
      stickerPassSeconds: timings.positiveNumber("stickerPassSeconds", 86400),
      shutdownTimeoutSeconds: timings.positiveNumber("shutdownTimeoutSeconds", 10),
    },
    stickers: {
      enforcement: stickers.oneOf<StickerEnforcement>("enforcement", ["delete", "restrict"], "delete"),
      chatEnforcement: stickers.enforcementMap("chatEnforcement"),
      exemptAdmins: stickers.boolean("exemptAdmins", true),
      notifyOnExpiry: stickers.boolean("notifyOnExpiry", true),
      noticeLifetimeSeconds: stickers.positiveNumber("noticeLifetimeSeconds", 60),
      noticeCooldownSeconds: stickers.nonNegativeNumber("noticeCooldownSeconds", 3600),
    },
    parsing: {
      rules: parsing.ruleList("rules"),
      shmalalaUsername: parsing.string("shmalalaUsername", "shmalala_bot"),
      gdcardsUsername: parsing.string("gdcardsUsername", "gdcardsBot"),
      acknowledge: parsing.oneOf("acknowledge", ["reaction", "reply", "none"] as const, "reaction"),
      reactionEmoji: parsing.string("reactionEmoji", "👍"),
    },
    shop: {
      stickerPassPrice: shop.positiveInteger("stickerPassPrice", 100),
      adminCallPrice: shop.positiveInteger("adminCallPrice", 50),
      mentionAllPrice: shop.positiveInteger("mentionAllPrice", 200),
      mentionsPerMessage: shop.positiveInteger("mentionsPerMessage", 5),
      mentionPauseSeconds: shop.nonNegativeNumber("mentionPauseSeconds", 3.1),
      mentionPromptTimeoutSeconds: shop.positiveNumber("mentionPromptTimeoutSeconds", 300),
    },
    broadcast: {
      messagesPerSecond: broadcast.positiveNumber("messagesPerSecond", 25),
      concurrency: broadcast.positiveInteger("concurrency", 5),
      maxAttempts: broadcast.positiveInteger("maxAttempts", 3),
      progressIntervalSeconds: broadcast.positiveNumber("progressIntervalSeconds", 3),
    },
    retention: {
      deletionDays: retention.positiveNumber("deletionDays", 7),
      parsedTransactionDays: retention.positiveNumber("parsedTransactionDays", 90),
      taskRunDays: retention.positiveNumber("taskRunDays", 30),
    },
  };
  reader.rejectUnknownKeys();

  // Paths in the file are relative to the file; paths in the environment to the working directory.
  applyEnvironment(config, env, (p) => path.resolve(p));
  const tokenFile = reader.optionalString("tokenFile");
  config.token = resolveToken(env, file, source, tokenFile === undefined ? undefined : resolvePath(tokenFile));
  if (config.token === "" && options.requireToken !== false) {
    throw new ConfigError(
      "env STICKERBOT_TOKEN",
      "token",
      "is missing: set STICKERBOT_TOKEN (or BOT_TOKEN), `token` or `tokenFile` in the config file, or LoadCredential=bot-token under systemd",
    );
  }
  if (config.token !== "" && !/^\d+:[\w-]+$/.test(config.token)) {
    throw new ConfigError(source, "token", "does not look like a bot token (expected <digits>:<secret> from BotFather)");
  }
  return config;
}

function defaultConfigFile(env: NodeJS.ProcessEnv): string | undefined {
  const directory = env.CONFIGURATION_DIRECTORY?.split(":")[0];
  if (directory === undefined) return undefined;
  const candidate = path.join(directory, "config.json");
  try {
    readFileSync(candidate);
    return candidate;
  } catch {
    return undefined;
  }
}

function readConfigFile(file: string): Json {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ConfigError(file, "(file)", `cannot be read: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(file, "(file)", `is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(file, "(file)", "must contain a JSON object");
  }
  return parsed as Json;
}

function resolveToken(env: NodeJS.ProcessEnv, file: Json, source: string, tokenFile: string | undefined): string {
  const fromEnv = env.STICKERBOT_TOKEN ?? env.BOT_TOKEN;
  if (fromEnv !== undefined && fromEnv.trim() !== "") return fromEnv.trim();
  if (typeof file.token === "string" && file.token.trim() !== "") return file.token.trim();
  if (file.token !== undefined && typeof file.token !== "string") {
    throw new ConfigError(source, "token", `must be a string (got ${describe(file.token)})`);
  }
  const candidates: Array<[string, string]> = [];
  if (tokenFile !== undefined) candidates.push([tokenFile, `${source}: tokenFile`]);
  const credentials = env.CREDENTIALS_DIRECTORY;
  if (credentials !== undefined) candidates.push([path.join(credentials, "bot-token"), "$CREDENTIALS_DIRECTORY/bot-token"]);
  for (const [candidate, label] of candidates) {
    try {
      return readFileSync(candidate, "utf8").trim();
    } catch (error) {
      if (label.endsWith("tokenFile")) {
        throw new ConfigError(source, "tokenFile", `cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"}: ${candidate})`);
      }
    }
  }
  return "";
}

const ENV_NUMBERS: Array<[string, keyof Config["timings"], "positive" | "nonNegative"]> = [
  ["STICKERBOT_CLEANUP_INTERVAL_SECONDS", "cleanupIntervalSeconds", "positive"],
  ["STICKERBOT_MONITOR_INTERVAL_SECONDS", "monitorIntervalSeconds", "positive"],
  ["STICKERBOT_STICKER_DELETE_DELAY_SECONDS", "stickerDeleteDelaySeconds", "nonNegative"],
  ["STICKERBOT_STICKER_PASS_SECONDS", "stickerPassSeconds", "positive"],
  ["STICKERBOT_SHUTDOWN_TIMEOUT_SECONDS", "shutdownTimeoutSeconds", "positive"],
];

function applyEnvironment(config: Config, env: NodeJS.ProcessEnv, resolvePath: (p: string) => string): void {
  const text = (name: string) => {
    const value = env[name];
    return value === undefined || value.trim() === "" ? undefined : value.trim();
  };
  config.apiRoot = text("STICKERBOT_API_ROOT") ?? config.apiRoot;
  const database = text("STICKERBOT_DATABASE");
  if (database !== undefined) config.databasePath = resolvePath(database);
  const socket = text("STICKERBOT_SOCKET");
  if (socket !== undefined) config.socketPath = resolvePath(socket);
  const admins = text("STICKERBOT_ADMIN_IDS");
  if (admins !== undefined) {
    config.adminIds = admins.split(",").map((part) => {
      const id = Number(part.trim());
      if (!Number.isSafeInteger(id)) {
        throw new ConfigError("env STICKERBOT_ADMIN_IDS", "adminIds", `must be comma-separated Telegram user ids (got "${part.trim()}")`);
      }
      return id;
    });
  }
  const level = text("STICKERBOT_LOG_LEVEL");
  if (level !== undefined) {
    if (!(LOG_LEVELS as readonly string[]).includes(level)) {
      throw new ConfigError("env STICKERBOT_LOG_LEVEL", "logLevel", `must be one of ${LOG_LEVELS.join(", ")} (got "${level}")`);
    }
    config.logLevel = level as LogLevel;
  }
  for (const [name, key, kind] of ENV_NUMBERS) {
    const value = text(name);
    if (value === undefined) continue;
    const number = Number(value);
    const valid = Number.isFinite(number) && (kind === "positive" ? number > 0 : number >= 0);
    if (!valid) {
      throw new ConfigError(`env ${name}`, `timings.${key}`, `must be a ${kind === "positive" ? "positive" : "non-negative"} number of seconds (got "${value}")`);
    }
    config.timings[key] = number;
  }
}

function describe(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

/** Reads typed values out of one JSON object, remembering which keys were used. */
class ConfigReader {
  private readonly used = new Set<string>();
  private readonly children: ConfigReader[] = [];

  constructor(
    private readonly source: string,
    private readonly object: Json,
    private readonly prefix = "",
  ) {}

  private fail(key: string, reason: string, value: unknown): never {
    throw new ConfigError(this.source, this.prefix + key, `${reason} (got ${describe(value)})`);
  }

  private take(key: string): unknown {
    this.used.add(key);
    return this.object[key];
  }

  section(key: string): ConfigReader {
    const value = this.take(key);
    if (value !== undefined && (typeof value !== "object" || value === null || Array.isArray(value))) {
      this.fail(key, "must be an object", value);
    }
    const child = new ConfigReader(this.source, (value ?? {}) as Json, `${this.prefix}${key}.`);
    this.children.push(child);
    return child;
  }

  optionalString(key: string): string | undefined {
    const value = this.take(key);
    if (value === undefined) return undefined;
    if (typeof value !== "string" || value.trim() === "") this.fail(key, "must be a non-empty string", value);
    return value;
  }

  string(key: string, fallback: string): string {
    return this.optionalString(key) ?? fallback;
  }

  boolean(key: string, fallback: boolean): boolean {
    const value = this.take(key);
    if (value === undefined) return fallback;
    if (typeof value !== "boolean") this.fail(key, "must be true or false", value);
    return value;
  }

  oneOf<T extends string>(key: string, allowed: readonly T[], fallback: T): T {
    const value = this.take(key);
    if (value === undefined) return fallback;
    if (typeof value !== "string" || !allowed.includes(value as T)) {
      this.fail(key, `must be one of ${allowed.map((a) => `"${a}"`).join(", ")}`, value);
    }
    return value as T;
  }

  positiveNumber(key: string, fallback: number): number {
    const value = this.take(key);
    if (value === undefined) return fallback;
    if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) this.fail(key, "must be a positive number", value);
    return value;
  }

  nonNegativeNumber(key: string, fallback: number): number {
    const value = this.take(key);
    if (value === undefined) return fallback;
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) this.fail(key, "must be a non-negative number", value);
    return value;
  }

  positiveInteger(key: string, fallback: number): number {
    const value = this.take(key);
    if (value === undefined) return fallback;
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0) this.fail(key, "must be a positive integer", value);
    return value;
  }

  integerList(key: string, fallback: number[]): number[] {
    const value = this.take(key);
    if (value === undefined) return fallback;
    if (!Array.isArray(value)) this.fail(key, "must be an array of Telegram user ids", value);
    return value.map((item, index) => {
      if (typeof item !== "number" || !Number.isSafeInteger(item)) this.fail(`${key}[${index}]`, "must be an integer user id", item);
      return item;
    });
  }

  enforcementMap(key: string): Record<string, StickerEnforcement> {
    const value = this.take(key);
    if (value === undefined) return {};
    if (typeof value !== "object" || value === null || Array.isArray(value)) this.fail(key, "must be an object of chat id to \"delete\" or \"restrict\"", value);
    const result: Record<string, StickerEnforcement> = {};
    for (const [chatId, mode] of Object.entries(value as Json)) {
      if (!/^-?\d+$/.test(chatId)) this.fail(`${key}.${chatId}`, "must be keyed by a numeric chat id", chatId);
      if (mode !== "delete" && mode !== "restrict") this.fail(`${key}.${chatId}`, "must be \"delete\" or \"restrict\"", mode);
      result[chatId] = mode;
    }
    return result;
  }

  ruleList(key: string): ParsingRuleConfig[] {
    const value = this.take(key);
    if (value === undefined) return [];
    if (!Array.isArray(value)) this.fail(key, "must be an array of parsing rules", value);
    return value.map((item, index) => {
      const at = `${key}[${index}]`;
      if (typeof item !== "object" || item === null || Array.isArray(item)) this.fail(at, "must be an object", item);
      const rule = new ConfigReader(this.source, item as Json, `${this.prefix}${at}.`);
      const parsed: ParsingRuleConfig = {
        name: rule.string("name", ""),
        botUsername: rule.optionalString("botUsername")?.replace(/^@/, ""),
        botId: rule.optionalInteger("botId"),
        pattern: rule.string("pattern", ""),
        multiplier: rule.string("multiplier", "1"),
        currency: rule.string("currency", "coins"),
        active: rule.boolean("active", true),
      };
      if (parsed.name === "") rule.fail("name", "is required", undefined);
      if (parsed.pattern === "") rule.fail("pattern", "is required", undefined);
      if (parsed.botUsername === undefined && parsed.botId === undefined) rule.fail("botUsername", "or botId is required", undefined);
      try {
        new RegExp(parsed.pattern, "u");
      } catch (error) {
        rule.fail("pattern", `is not a valid regular expression: ${(error as Error).message}`, parsed.pattern);
      }
      if (!/^\d+(\.\d+)?$/.test(parsed.multiplier) || /^0+(\.0+)?$/.test(parsed.multiplier)) {
        rule.fail("multiplier", "must be a positive decimal string such as \"1\" or \"0.5\"", parsed.multiplier);
      }
      rule.rejectUnknownKeys();
      return parsed;
    });
  }

  optionalInteger(key: string): number | undefined {
    const value = this.take(key);
    if (value === undefined) return undefined;
    if (typeof value !== "number" || !Number.isSafeInteger(value)) this.fail(key, "must be an integer", value);
    return value;
  }

  /** Unknown keys are errors: a typo must not silently fall back to a default. */
  rejectUnknownKeys(): void {
    for (const key of Object.keys(this.object)) {
      if (key === "token" || key === "tokenFile" || key === "$schema") {
        this.used.add(key);
      }
      if (!this.used.has(key)) {
        throw new ConfigError(this.source, this.prefix + key, "is not a known setting (see README, Configuration reference)");
      }
    }
    for (const child of this.children) child.rejectUnknownKeys();
  }
}
