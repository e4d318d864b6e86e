import { existsSync } from "node:fs";
import { ControlCommandError, sendControlCommand, SocketUnavailableError } from "../control/control-client.js";
import type { StatusReport } from "../daemon/status-report.js";
import type { CleanupResult } from "../tasks/cleanup.js";
import { EXIT, type GlobalOptions, resolveSocketPath } from "./cli-context.js";
import { formatStatus } from "./format-status.js";

/** Where CLI output goes; tests pass their own. */
export interface Output {
  out(text: string): void;
  err(text: string): void;
}

export const processOutput: Output = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

const NOT_RUNNING_CODES = new Set(["ENOENT", "ECONNREFUSED", "ECONNRESET"]);

/** Runs one control command and maps failures to exit codes and messages. */
async function callDaemon(
  options: GlobalOptions,
  command: string,
  output: Output,
  args: Record<string, unknown> = {},
  timeoutMilliseconds = 5000,
): Promise<{ result: unknown } | { exitCode: number }> {
  let socketPath: string;
  try {
    socketPath = resolveSocketPath(options);
  } catch (error) {
    output.err(`stickerbot: ${(error as Error).message}`);
    return { exitCode: EXIT.error };
  }
  if (!existsSync(socketPath)) {
    output.err(`stickerbot is not running (no socket at ${socketPath})`);
    return { exitCode: EXIT.notRunning };
  }
  try {
    return { result: await sendControlCommand(socketPath, command, args, { timeoutMilliseconds }) };
  } catch (error) {
    if (error instanceof SocketUnavailableError && NOT_RUNNING_CODES.has(error.code)) {
      output.err(`stickerbot is not running (stale socket at ${socketPath}: ${error.code})`);
      return { exitCode: EXIT.notRunning };
    }
    if (error instanceof SocketUnavailableError && error.code === "TIMEOUT") {
      output.err(`stickerbot: the daemon did not answer within ${timeoutMilliseconds / 1000} s on ${socketPath}`);
      return { exitCode: EXIT.error };
    }
    if (error instanceof ControlCommandError) {
      output.err(`stickerbot: ${command} failed: ${error.message}`);
      return { exitCode: EXIT.error };
    }
    output.err(`stickerbot: ${(error as Error).message}`);
    return { exitCode: EXIT.error };
  }
}

/** `stickerbot status [--json]`: 0 running, 3 not running, 1 error. */
export async function statusCommand(options: GlobalOptions & { json?: boolean }, output = processOutput): Promise<number> {
  const answer = await callDaemon(options, "status", output);
  if ("exitCode" in answer) {
    if (options.json && answer.exitCode === EXIT.notRunning) output.out(JSON.stringify({ state: "stopped" }));
    return answer.exitCode;
  }
  const report = answer.result as StatusReport;
  output.out(options.json ? JSON.stringify(report, null, 2) : formatStatus(report));
  return EXIT.ok;
}

/** `stickerbot cleanup [--json]`: runs the cleanup in the daemon and prints its result. */
export async function cleanupCommand(options: GlobalOptions & { json?: boolean }, output = processOutput): Promise<number> {
  const answer = await callDaemon(options, "cleanup", output, {}, 120_000);
  if ("exitCode" in answer) return answer.exitCode;
  const result = answer.result as CleanupResult & { durationMilliseconds: number };
  if (options.json) {
    output.out(JSON.stringify(result, null, 2));
  } else {
    const purged = Object.entries(result.purged).map(([kind, count]) => `${kind} ${count}`).join(", ") || "nothing";
    output.out(
      [
        `cleanup done in ${result.durationMilliseconds} ms`,
        `  revoked passes: ${result.revokedPasses}`,
        `  sticker deletions: ${result.deletions.executed} executed, ${result.deletions.skipped} skipped, ${result.deletions.failed} failed`,
        `  purged: ${purged}`,
        `  errors: ${result.errors.length === 0 ? "none" : result.errors.join("; ")}`,
      ].join("\n"),
    );
  }
  return result.errors.length === 0 ? EXIT.ok : EXIT.error;
}

/** `stickerbot reload`: re-reads config and parsing rules in the daemon. */
export async function reloadCommand(options: GlobalOptions, output = processOutput): Promise<number> {
  const answer = await callDaemon(options, "reload", output);
  if ("exitCode" in answer) return answer.exitCode;
  const result = answer.result as { restartRequired: string[] };
  output.out("configuration reloaded");
  if (result.restartRequired.length > 0) output.out(`needs a restart to take effect: ${result.restartRequired.join(", ")}`);
  return EXIT.ok;
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** `stickerbot stop [--timeout SECONDS]`: asks for a graceful shutdown and waits until the process is gone. */
export async function stopCommand(options: GlobalOptions & { timeout?: number }, output = processOutput): Promise<number> {
  const answer = await callDaemon(options, "stop", output);
  if ("exitCode" in answer) {
    if (answer.exitCode === EXIT.notRunning) {
      output.out("stickerbot was not running");
      return EXIT.ok;
    }
    return answer.exitCode;
  }
  const pid = (answer.result as { pid: number }).pid;
  const deadline = Date.now() + (options.timeout ?? 30) * 1000;
  while (isProcessAlive(pid)) {
    if (Date.now() > deadline) {
      output.err(`stickerbot: pid ${pid} is still running after ${options.timeout ?? 30} s`);
      return EXIT.error;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  output.out(`stickerbot stopped (pid ${pid})`);
  return EXIT.ok;
}
