import { loadConfig } from "../config/load-config.js";
import { ConfigError } from "../config/config-error.js";
import { createLogger } from "../logging/logger.js";
import { Daemon } from "./daemon.js";

/** Options of {@link runDaemon}. */
export interface RunDaemonOptions {
  configFile?: string;
  /** Overrides the configured socket path (`--socket`). */
  socketPath?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * `stickerbot start`: runs the daemon in this very process until it is told to
 * stop (SIGINT, SIGTERM, `stickerbot stop`), then exits. Exit codes: 0 after a
 * graceful shutdown, 1 when startup fails or the shutdown times out or is
 * interrupted by a second signal, 2 for an invalid configuration.
 */
export async function runDaemon(options: RunDaemonOptions): Promise<never> {
  const env = options.env ?? process.env;
  let config;
  try {
    config = loadConfig({ configFile: options.configFile, env });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`stickerbot: invalid configuration: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  if (options.socketPath !== undefined) config.socketPath = options.socketPath;
  const logger = createLogger({ level: config.logLevel, secrets: [config.token] });
  const log = logger.child({ component: "daemon" });

  let daemon: Daemon | null = null;
  let stopReason: string | null = null;
  let exiting = false;
  const exit = (code: number): never => {
    exiting = true;
    process.exit(code);
  };
  const shutdown = (reason: string) => {
    if (stopReason !== null) {
      log.error("second stop request during shutdown: exiting now", { reason });
      exit(1);
    }
    stopReason = reason;
    const timeoutSeconds = config.timings.shutdownTimeoutSeconds;
    const timer = setTimeout(() => {
      log.error("shutdown timed out: exiting now", { timeoutSeconds });
      exit(1);
    }, timeoutSeconds * 1000);
    // Startup still running: it shuts down as soon as it is done (or fails), within the same timeout.
    if (daemon === null) return;
    daemon
      .shutdown(reason)
      .then(() => {
        clearTimeout(timer);
        exit(0);
      })
      .catch((error: unknown) => {
        log.error("shutdown failed", { error: String(error) });
        exit(1);
      });
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGHUP", () => {
    if (daemon === null || stopReason !== null) return;
    daemon.reload().then(
      (result) => log.info("reload on SIGHUP done", { ...result }),
      (error: unknown) => log.error("reload on SIGHUP rejected", { error: error instanceof Error ? error.message : String(error) }),
    );
  });
  process.on("unhandledRejection", (reason) => {
    log.error("unhandled promise rejection", { error: reason instanceof Error ? (reason.stack ?? reason.message) : String(reason) });
  });

  try {
    daemon = await Daemon.start({ config, configFile: options.configFile, env, logger, onStopRequested: () => shutdown("stop command") });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`stickerbot: ${message}\n`);
    return exit(1);
  }
  if (stopReason !== null) {
    daemon.shutdown(stopReason).then(
      () => exit(0),
      () => exit(1),
    );
  }
  // Keep the process alive until shutdown exits it.
  return new Promise<never>(() => {
    void exiting;
  });
}
