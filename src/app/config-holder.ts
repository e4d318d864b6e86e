import type { Config } from "../config/config.js";

/**
 * Holds the configuration in force. `stickerbot reload` (and SIGHUP) swaps it;
 * read `current` each time rather than keeping a copy, so reloads take effect.
 */
export class ConfigHolder {
  constructor(private config: Config) {}

  get current(): Config {
    return this.config;
  }

  /** Replaces the configuration (already validated). */
  replace(next: Config): void {
    this.config = next;
  }
}
