import { randomUUID } from "node:crypto";
import { requestOverSocket, SocketUnavailableError } from "./ipc-transport.js";
import { type ControlResponse, isControlResponse } from "./protocol.js";

export { SocketUnavailableError };

/** Thrown when the daemon answered with an error response. */
export class ControlCommandError extends Error {
  override readonly name = "ControlCommandError";
  constructor(
    readonly command: string,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Options of {@link sendControlCommand}. */
export interface SendOptions {
  /** Give up after this long without an answer. Default 5000 ms. */
  timeoutMilliseconds?: number;
}

/**
 * Sends one command to the daemon and resolves with its result. Rejects with
 * {@link SocketUnavailableError} when no daemon answers (not running, stale
 * socket, timeout) and {@link ControlCommandError} when it answers an error.
 */
export async function sendControlCommand(
  socketPath: string,
  command: string,
  args: Record<string, unknown> = {},
  options: SendOptions = {},
): Promise<unknown> {
  const id = randomUUID();
  const response = await requestOverSocket(socketPath, { id, command, args }, options);
  if (!isControlResponse(response)) throw new ControlCommandError(command, "bad_response", "the daemon sent an unreadable response");
  const typed = response as ControlResponse;
  if (!typed.ok) throw new ControlCommandError(command, typed.error.code, typed.error.message);
  return typed.result;
}
