/**
 * Spawns the real built `bin/stickerbot` for end-to-end tests, in a temporary
 * state folder, pointed at a {@link FakeBotApi}. Build first (`npm test` does).
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** Absolute path of `bin/stickerbot`. */
export const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../bin/stickerbot");

/** A temporary folder for one test's database, socket and config. */
export function createTempDirectory(prefix = "stickerbot-test-"): { dir: string; remove(): void } {
  // Unix socket paths are limited to ~107 bytes: keep the folder short.
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Options of {@link startDaemon}. */
export interface StartDaemonOptions {
  /** The fake's apiRoot and token. */
  apiRoot: string;
  token: string;
  /** Folder for the database and socket (reused across restarts to test durability). */
  dir: string;
  /** Extra environment (timings, admin ids, ...). */
  env?: Record<string, string>;
  /** A config object written to `<dir>/config.json` and passed with --config. */
  config?: Record<string, unknown>;
  /** Extra CLI arguments after `start`. */
  args?: string[];
  /** Wait for the "running" log line. Default true. */
  waitForReady?: boolean;
  /** Give up waiting after this long. Default 15000 ms. */
  readyTimeoutMilliseconds?: number;
}

/** A spawned daemon. */
export interface DaemonProcess {
  child: ChildProcess;
  pid: number;
  dir: string;
  socketPath: string;
  databasePath: string;
  /** Everything written so far. */
  stdout(): string;
  stderr(): string;
  /** Parsed JSON log lines so far (stdout and stderr). */
  logs(): Array<Record<string, unknown>>;
  /** Resolves with the first log line matching, waiting for it. */
  waitForLog(predicate: (line: Record<string, unknown>) => boolean, timeoutMilliseconds?: number): Promise<Record<string, unknown>>;
  /** Resolves with the exit code (or 128+signal) when the process ends. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The environment it runs with, for running CLI commands against it. */
  env: NodeJS.ProcessEnv;
  /** SIGKILL (if still running) and wait. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** The environment a daemon in `dir` runs with. */
export function daemonEnvironment(options: Pick<StartDaemonOptions, "apiRoot" | "token" | "dir" | "env">): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    STICKERBOT_TOKEN: options.token,
    STICKERBOT_API_ROOT: options.apiRoot,
    STICKERBOT_DATABASE: path.join(options.dir, "stickerbot.sqlite"),
    STICKERBOT_SOCKET: path.join(options.dir, "control.sock"),
    STICKERBOT_LOG_LEVEL: "debug",
    ...options.env,
  };
  return env;
}

/** Starts `bin/stickerbot start` and (by default) waits until it logs "running". */
export async function startDaemon(options: StartDaemonOptions): Promise<DaemonProcess> {
  const env = daemonEnvironment(options);
  const args = [BIN, "start", ...(options.args ?? [])];
  if (options.config !== undefined) {
    const file = path.join(options.dir, "config.json");
    writeFileSync(file, JSON.stringify(options.config, null, 2));
    args.push("--config", file);
  }
  const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  const parsed: Array<Record<string, unknown>> = [];
  const waiters: Array<{ predicate: (line: Record<string, unknown>) => boolean; resolve: (line: Record<string, unknown>) => void }> = [];
  const onLine = (line: string) => {
    try {
      const entry = JSON.parse(line) as Record<string, unknown>;
      parsed.push(entry);
      for (const waiter of [...waiters]) {
        if (waiter.predicate(entry)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(entry);
        }
      }
    } catch {
      // not a log line (e.g. the one-line startup error)
    }
  };
  const splitter = () => {
    let rest = "";
    return (chunk: Buffer) => {
      rest += chunk.toString("utf8");
      const lines = rest.split("\n");
      rest = lines.pop() ?? "";
      lines.forEach(onLine);
    };
  };
  const outLines = splitter();
  const errLines = splitter();
  child.stdout!.on("data", (chunk: Buffer) => {
    out += chunk.toString("utf8");
    outLines(chunk);
  });
  child.stderr!.on("data", (chunk: Buffer) => {
    err += chunk.toString("utf8");
    errLines(chunk);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on("exit", (code, signal) => resolve({ code, signal }));
  });
  const waitForLog = (predicate: (line: Record<string, unknown>) => boolean, timeoutMilliseconds = 10_000) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const found = parsed.find(predicate);
      if (found) return resolve(found);
      const timer = setTimeout(() => {
        reject(new Error(`log line not seen within ${timeoutMilliseconds} ms. stderr:\n${err.slice(-2000)}\nstdout tail:\n${out.slice(-3000)}`));
      }, timeoutMilliseconds);
      waiters.push({
        predicate,
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      });
      void exited.then(({ code, signal }) => {
        clearTimeout(timer);
        const late = parsed.find(predicate);
        if (late) resolve(late);
        else reject(new Error(`daemon exited (code ${code}, signal ${signal}) before the log line. stderr:\n${err.slice(-2000)}\nstdout tail:\n${out.slice(-3000)}`));
      });
    });
  const daemon: DaemonProcess = {
    child,
    pid: child.pid!,
    dir: options.dir,
    socketPath: env.STICKERBOT_SOCKET!,
    databasePath: env.STICKERBOT_DATABASE!,
    stdout: () => out,
    stderr: () => err,
    logs: () => parsed,
    waitForLog,
    exited,
    env,
    async kill(signal = "SIGKILL") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
  if (options.waitForReady ?? true) {
    await waitForLog((line) => line.message === "running", options.readyTimeoutMilliseconds ?? 15_000);
  }
  return daemon;
}

/** The result of one CLI run. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `bin/stickerbot <args>` to completion (synchronously: it is short). */
export function runCli(args: string[], env: NodeJS.ProcessEnv, timeoutMilliseconds = 20_000): CliResult {
  const result = spawnSync(process.execPath, [BIN, ...args], { env, encoding: "utf8", timeout: timeoutMilliseconds });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs `bin/stickerbot <args>` without blocking the event loop (needed while the fake API serves the daemon). */
export function runCliAsync(args: string[], env: NodeJS.ProcessEnv, timeoutMilliseconds = 20_000): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMilliseconds);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
