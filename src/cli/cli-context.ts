import { loadConfig } from "../config/load-config.js";

/** Options every command accepts. */
export interface GlobalOptions {
  /** `--config FILE` */
  config?: string;
  /** `--socket PATH` */
  socket?: string;
}

/** Exit codes of the CLI (documented in the README). */
export const EXIT = { ok: 0, error: 1, usage: 2, notRunning: 3 } as const;

/** The control socket path: `--socket`, else the config file's / environment's / default. */
export function resolveSocketPath(options: GlobalOptions): string {
  if (options.socket !== undefined) return options.socket;
  return loadConfig({ configFile: options.config, requireToken: false }).socketPath;
}
