import path from "node:path";
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

/** The control socket path: `--socket`, else STICKERBOT_SOCKET, else the config file's, else the default. */
export function resolveSocketPath(options: GlobalOptions, env: NodeJS.ProcessEnv = process.env): string {
  if (options.socket !== undefined) return options.socket;
  // Without reading the config file: `status` must work even when the file
  // has just been broken (a reload would reject it).
  const fromEnv = env.STICKERBOT_SOCKET?.trim();
  if (fromEnv) return path.resolve(fromEnv);
  return loadConfig({ configFile: options.config, requireToken: false }).socketPath;
}
