import { Command, InvalidArgumentError, Option } from "commander";
import { cleanupCommand, reloadCommand, statusCommand, stopCommand } from "./client-commands.js";
import type { GlobalOptions } from "./cli-context.js";

function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new InvalidArgumentError("must be a positive number of seconds");
  return seconds;
}

/**
 * The `stickerbot` command line: commander wiring only; the work is in
 * `client-commands.ts` and `daemon/run-daemon.ts`.
 */
export function createProgram(version: string, setExitCode: (code: number) => void): Command {
  const program = new Command("stickerbot")
    .description("Telegram group economy and sticker-control bot daemon")
    .version(version, "-V, --version")
    .showHelpAfterError()
    .addHelpText(
      "after",
      "\nExit codes: 0 ok, 1 error, 2 bad usage or configuration, 3 not running.\nEnvironment: STICKERBOT_TOKEN, STICKERBOT_SOCKET, STICKERBOT_DATABASE, ... (see README).",
    );

  const withGlobals = (command: Command) =>
    command
      .addOption(new Option("-c, --config <file>", "JSON config file").env("STICKERBOT_CONFIG"))
      .option("-s, --socket <path>", "control socket path (default from config / STICKERBOT_SOCKET)");

  withGlobals(program.command("start"))
    .description("run the daemon in the foreground (for systemd or a terminal)")
    .action(async (options: GlobalOptions) => {
      // Loaded only here: the client commands stay quick without grammY, knex and winston.
      const { runDaemon } = await import("../daemon/run-daemon.js");
      await runDaemon({ configFile: options.config, socketPath: options.socket });
    });

  withGlobals(program.command("status"))
    .description("show whether the daemon runs, its background tasks and health (exit 0 running, 3 not running)")
    .option("--json", "print one JSON object")
    .action(async (options: GlobalOptions & { json?: boolean }) => setExitCode(await statusCommand(options)));

  withGlobals(program.command("cleanup"))
    .description("run the cleanup now inside the daemon and print its result")
    .option("--json", "print the result as JSON")
    .action(async (options: GlobalOptions & { json?: boolean }) => setExitCode(await cleanupCommand(options)));

  withGlobals(program.command("stop"))
    .description("shut the daemon down gracefully and wait until it has exited")
    .option("-t, --timeout <seconds>", "how long to wait for the process to exit", parseSeconds, 30)
    .action(async (options: GlobalOptions & { timeout: number }) => setExitCode(await stopCommand(options)));

  withGlobals(program.command("reload"))
    .description("re-read the config file and parsing rules without a restart (like SIGHUP)")
    .action(async (options: GlobalOptions) => setExitCode(await reloadCommand(options)));

  return program;
}
