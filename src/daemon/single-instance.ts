import { existsSync, lstatSync, unlinkSync } from "node:fs";
import { sendControlCommand, SocketUnavailableError } from "../control/control-client.js";

/** Thrown when a daemon already answers on the socket. */
export class AlreadyRunningError extends Error {
  override readonly name = "AlreadyRunningError";
  constructor(
    readonly pid: number | null,
    readonly socketPath: string,
  ) {
    super(`already running (pid ${pid ?? "unknown"}) on ${socketPath}`);
  }
}

/**
 * Makes sure no other daemon owns `socketPath`: if one answers, throws
 * {@link AlreadyRunningError}; if the file is left over from a crash (nobody
 * answers), removes it and returns `"stale"`. Returns `"free"` when there was
 * no file. Refuses to remove anything that is not a socket.
 */
export async function claimSocketPath(socketPath: string): Promise<"free" | "stale"> {
  if (!existsSync(socketPath)) return "free";
  if (!lstatSync(socketPath).isSocket()) {
    throw new Error(`${socketPath} exists and is not a socket; remove it or choose another socket path`);
  }
  try {
    const result = (await sendControlCommand(socketPath, "ping", {}, { timeoutMilliseconds: 2000 })) as { pid?: number };
    throw new AlreadyRunningError(typeof result?.pid === "number" ? result.pid : null, socketPath);
  } catch (error) {
    if (!(error instanceof SocketUnavailableError)) throw error;
    if (error.code === "EACCES") throw new Error(`cannot use ${socketPath}: permission denied`);
  }
  unlinkSync(socketPath);
  return "stale";
}
