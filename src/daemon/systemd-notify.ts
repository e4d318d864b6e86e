import { execFile } from "node:child_process";
import type { Logger } from "../logging/logger.js";

/**
 * Tells systemd (Type=notify) how the daemon is doing, by running
 * `systemd-notify` as a child (hence NotifyAccess=all in the unit): without
 * `--no-block`, so systemd has read the message before the child exits.
 * Does nothing when not started by systemd (no NOTIFY_SOCKET).
 */
export function notifySystemd(logger: Logger, ...assignments: string[]): Promise<void> {
  if (process.env.NOTIFY_SOCKET === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    execFile("systemd-notify", [`--pid=${process.pid}`, ...assignments], { timeout: 5000 }, (error) => {
      if (error) logger.warn("systemd-notify failed", { component: "daemon", error: error.message, assignments });
      resolve();
    });
  });
}
