import { unlinkSync } from "node:fs";
import type { Logger } from "../logging/logger.js";
import { listenOnSocket, type SocketServerHandle } from "./ipc-transport.js";
import { type ControlResponse, parseControlRequest } from "./protocol.js";

/** Answers one command; resolves with the `result` of the response, or throws to answer an error. */
export type ControlCommandHandler = (args: Record<string, unknown>) => Promise<unknown>;

/** Options of {@link startControlServer}. */
export interface ControlServerOptions {
  socketPath: string;
  /** Let the socket's group connect too (mode 0660 instead of 0600). */
  groupAccess: boolean;
  logger: Logger;
  handlers: Record<string, ControlCommandHandler>;
  /** While this returns true, every command but `status` and `ping` is answered "stopping". */
  isStopping: () => boolean;
}

/** The daemon's end of the control socket. */
export interface ControlServer {
  close(): Promise<void>;
}

/**
 * Listens on the control socket and dispatches requests. A malformed message
 * or unknown command gets an error response; a failing handler gets a
 * `failed` response; nothing a client sends can crash or stall the daemon.
 */
export async function startControlServer(options: ControlServerOptions): Promise<ControlServer> {
  const { logger, handlers } = options;
  const handle: SocketServerHandle = await listenOnSocket(options.socketPath, {
    mode: options.groupAccess ? 0o660 : 0o600,
    onConnectionError: (error) => logger.debug("control connection error", { component: "control", error: String(error) }),
    onMessage: async (message): Promise<ControlResponse> => {
      const request = parseControlRequest(message);
      if ("ok" in request) {
        logger.warn("malformed control message", { component: "control", error: request.ok ? undefined : request.error.message });
        return request;
      }
      const { id, command } = request;
      const handler = Object.hasOwn(handlers, command) ? handlers[command] : undefined;
      if (handler === undefined) {
        return { id, ok: false, error: { code: "unknown_command", message: `unknown command "${command.slice(0, 64)}"; known: ${Object.keys(handlers).join(", ")}` } };
      }
      if (options.isStopping() && command !== "status" && command !== "ping") {
        return { id, ok: false, error: { code: "stopping", message: "the daemon is stopping" } };
      }
      logger.debug("control command", { component: "control", command });
      try {
        return { id, ok: true, result: await handler(request.args ?? {}) };
      } catch (error) {
        logger.error("control command failed", { component: "control", command, error: String(error) });
        return { id, ok: false, error: { code: "failed", message: error instanceof Error ? error.message : String(error) } };
      }
    },
  });
  logger.info("control socket listening", { component: "control", socketPath: options.socketPath, mode: options.groupAccess ? "0660" : "0600" });
  return {
    async close() {
      await handle.close();
      try {
        unlinkSync(options.socketPath);
      } catch {
        // already removed by the server
      }
    },
  };
}
