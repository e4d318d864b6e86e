import winston from "winston";
import type { LogLevel } from "../config/config.js";

export type Logger = winston.Logger;

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Minimum level written. Default `info`. */
  level?: LogLevel;
  /** Secrets to replace with `[redacted]` wherever they appear (the bot token). */
  secrets?: string[];
  /** Write JSON lines (for journald and log shippers) instead of readable text. Default: JSON unless stdout is a TTY. */
  json?: boolean;
  /** Write nothing (tests of library code). Default false. */
  silent?: boolean;
}

/**
 * Replaces every secret, and anything shaped like a bot token, in a string.
 * grammY's HttpError messages contain the request URL and with it the token,
 * so every log line goes through this.
 */
export function redact(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length > 0) result = result.split(secret).join("[redacted]");
  }
  return result.replace(/\bbot\d+:[\w-]{20,}/g, "bot[redacted]").replace(/\b\d{6,}:[\w-]{30,}\b/g, "[redacted]");
}

function redactValue(value: unknown, secrets: readonly string[], depth = 0): unknown {
  if (typeof value === "string") return redact(value, secrets);
  if (value instanceof Error) {
    return { name: value.name, message: redact(value.message, secrets), stack: value.stack === undefined ? undefined : redact(value.stack, secrets) };
  }
  if (depth > 4 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((item) => redactValue(item, secrets, depth + 1));
  const result: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) result[key] = redactValue(item, secrets, depth + 1);
  return result;
}

/**
 * Creates the daemon's structured logger: one line per event on stdout
 * (errors and warnings on stderr), each with a `component` and fields.
 * Use `logger.child({ component: "cleanup" })` in each part.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const secrets = options.secrets ?? [];
  const redactFormat = winston.format((info) => {
    for (const key of Object.keys(info)) {
      (info as Record<string, unknown>)[key] = redactValue((info as Record<string, unknown>)[key], secrets);
    }
    return info;
  });
  const json = options.json ?? !process.stdout.isTTY;
  const readable = winston.format.printf((info) => {
    const { level, message, timestamp, component, ...rest } = info as Record<string, unknown>;
    const fields = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : "";
    return `${timestamp as string} ${level as string} [${(component as string | undefined) ?? "daemon"}] ${message as string}${fields}`;
  });
  return winston.createLogger({
    level: options.level ?? "info",
    silent: options.silent ?? false,
    format: winston.format.combine(
      winston.format.timestamp(),
      redactFormat(),
      json ? winston.format.json() : readable,
    ),
    transports: [new winston.transports.Console({ stderrLevels: ["error", "warn"] })],
  });
}

/** A logger that writes nothing, for library code under test. */
export function createSilentLogger(): Logger {
  return createLogger({ silent: true });
}
