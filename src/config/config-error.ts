/**
 * A configuration problem that stops startup (or a reload). The message names
 * the source (file or environment variable), the key and the reason, so an
 * operator can fix it without reading code:
 * `config.json: timings.cleanupIntervalSeconds must be a positive number (got "-5")`.
 */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(
    /** Where the value came from: a file path or `env STICKERBOT_...`. */
    readonly source: string,
    /** Dotted path of the offending key, e.g. `timings.cleanupIntervalSeconds`. */
    readonly key: string,
    /** What is wrong and, where useful, what to do. */
    readonly reason: string,
  ) {
    super(`${source}: ${key} ${reason}`);
  }
}
