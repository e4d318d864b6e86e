/**
 * The only module that touches node-ipc (pinned to exactly 9.2.1: other
 * versions of that package shipped malware). Its defaults are unsafe for a
 * daemon, so every instance here is configured explicitly:
 * - `silent: true`: otherwise it logs every payload to stdout;
 * - `unlink: false`: otherwise a second server silently deletes and steals the
 *   socket path of a running daemon (we detect stale sockets ourselves);
 * - clients `maxRetries: 0` / `stopRetrying: true`: otherwise they retry forever;
 * - on close we destroy open connections: its `stop()` waits on them;
 * - `rawBuffer: true`: we frame messages ourselves, one JSON object per line.
 */
import { chmodSync } from "node:fs";
import type { Socket } from "node:net";
import NodeIpc from "node-ipc";

/** One line received on the control socket: parsed JSON, or the parse error. */
export type RawControlMessage = { ok: true; value: unknown } | { ok: false; error: string };

/** Handles one message; whatever it resolves with is sent back as one JSON line. */
export type ControlMessageHandler = (message: RawControlMessage) => Promise<unknown>;

/** Options of {@link listenOnSocket}. */
export interface ListenOptions {
  /** Socket file mode: 0o600 (owner only) by default, 0o660 with group access. */
  mode: number;
  /** Called for every line, including malformed ones. */
  onMessage: ControlMessageHandler;
  /** Called with errors of individual connections; they never stop the server. */
  onConnectionError?: (error: unknown) => void;
}

/** A listening control socket. */
export interface SocketServerHandle {
  /** Stops listening, destroys open connections and removes the socket file. */
  close(): Promise<void>;
}

/** A request or response longer than this is refused and its connection closed. */
export const MAX_MESSAGE_BYTES = 64 * 1024;

type Ipc = InstanceType<typeof NodeIpc.IPC>;

function createIpc(): Ipc {
  const ipc = new NodeIpc.IPC();
  ipc.config.silent = true;
  ipc.config.unlink = false;
  ipc.config.maxRetries = 0;
  ipc.config.stopRetrying = true;
  ipc.config.retry = 100;
  ipc.config.logInColor = false;
  ipc.config.maxConnections = 64;
  // We frame messages ourselves (one JSON object per line): node-ipc's own
  // event parsing throws on some inputs and its catch-all handler is broken
  // in the event-pubsub version it pins.
  ipc.config.rawBuffer = true;
  ipc.config.encoding = "utf8";
  return ipc;
}

/** Splits received text into complete lines, keeping the unfinished rest per connection. */
class LineBuffer {
  private readonly pending = new WeakMap<object, string>();

  /** Returns the complete lines, or null when the connection exceeded {@link MAX_MESSAGE_BYTES}. */
  push(connection: object, chunk: string): string[] | null {
    const text = (this.pending.get(connection) ?? "") + chunk;
    const lines = text.split("\n");
    const rest = lines.pop() ?? "";
    if (rest.length > MAX_MESSAGE_BYTES) {
      this.pending.delete(connection);
      return null;
    }
    this.pending.set(connection, rest);
    return lines.filter((line) => line.trim() !== "");
  }
}

function parseLine(line: string): RawControlMessage {
  try {
    return { ok: true, value: JSON.parse(line) };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

/**
 * Listens on a unix socket at `socketPath`. The caller must have made sure the
 * path is free (no other daemon, stale file removed): we never unlink here.
 */
export function listenOnSocket(socketPath: string, options: ListenOptions): Promise<SocketServerHandle> {
  const ipc = createIpc();
  const lines = new LineBuffer();
  return new Promise((resolve, reject) => {
    let started = false;
    // A socket file is created with the process umask: tighten it for the bind,
    // then chmod to the exact mode.
    const previousUmask = process.umask(0o777 & ~options.mode);
    ipc.serve(socketPath, () => {
      process.umask(previousUmask);
      started = true;
      try {
        chmodSync(socketPath, options.mode);
      } catch (error) {
        reject(error);
        return;
      }
      resolve({ close: () => closeServer(ipc) });
    });
    const server = ipc.server;
    const reply = (socket: Socket, data: unknown) => {
      if (socket.destroyed || !socket.writable) return;
      // A client that never reads only fills its own socket buffer; cap it so
      // it cannot grow the daemon's memory without bound.
      if (socket.writableLength > 1024 * 1024) {
        socket.destroy();
        return;
      }
      server.emit(socket, `${JSON.stringify(data)}\n`);
    };
    server.on("data", (data: Buffer, socket: Socket) => {
      const complete = lines.push(socket, data.toString("utf8"));
      if (complete === null) {
        reply(socket, { id: null, ok: false, error: { code: "bad_request", message: `message longer than ${MAX_MESSAGE_BYTES} bytes` } });
        socket.end();
        return;
      }
      for (const line of complete) void handle(parseLine(line), socket);
    });
    server.on("error", (error: unknown) => {
      if (!started) {
        process.umask(previousUmask);
        reject(error);
        return;
      }
      options.onConnectionError?.(error);
    });
    const handle = async (message: RawControlMessage, socket: Socket) => {
      try {
        reply(socket, await options.onMessage(message));
      } catch (error) {
        options.onConnectionError?.(error);
      }
    };
    server.start();
  });
}

function closeServer(ipc: Ipc): Promise<void> {
  return new Promise((resolve) => {
    const server = ipc.server as unknown as { server: import("node:net").Server; sockets: Socket[] };
    for (const socket of server.sockets) socket.destroy();
    server.server.close(() => resolve());
  });
}

/** Options of {@link requestOverSocket}. */
export interface RequestOptions {
  /** Give up after this long without an answer. Default 5000 ms. */
  timeoutMilliseconds?: number;
}

/** The ways a request can fail before the daemon answers. */
export class SocketUnavailableError extends Error {
  override readonly name = "SocketUnavailableError";
  constructor(
    message: string,
    /** `ENOENT`, `ECONNREFUSED`, `EACCES`, `TIMEOUT`, ... */
    readonly code: string,
  ) {
    super(message);
  }
}

/**
 * Sends one request over the socket and resolves with the first response whose
 * `id` matches. Never retries; rejects with {@link SocketUnavailableError}.
 */
export function requestOverSocket(
  socketPath: string,
  data: { id: string } & Record<string, unknown>,
  options: RequestOptions = {},
): Promise<unknown> {
  const ipc = createIpc();
  const timeoutMilliseconds = options.timeoutMilliseconds ?? 5000;
  const connectionId = `stickerbot-cli-${process.pid}-${data.id}`;
  ipc.config.id = connectionId;
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (error: Error | undefined, value?: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      try {
        ipc.disconnect(connectionId);
      } catch {
        // already gone
      }
      if (error) reject(error);
      else resolve(value);
    };
    const timer = setTimeout(
      () => finish(new SocketUnavailableError(`no answer from the daemon on ${socketPath} within ${timeoutMilliseconds} ms`, "TIMEOUT")),
      timeoutMilliseconds,
    );
    const lines = new LineBuffer();
    ipc.connectTo(connectionId, socketPath, () => {
      const connection = ipc.of[connectionId];
      connection.on("connect", () => connection.emit(`${JSON.stringify(data)}\n`));
      connection.on("data", (chunk: Buffer) => {
        for (const line of lines.push(connection, chunk.toString("utf8")) ?? []) {
          const parsed = parseLine(line);
          const response = parsed.ok ? parsed.value : undefined;
          if (typeof response === "object" && response !== null && (response as { id?: unknown }).id === data.id) {
            finish(undefined, response);
          }
        }
      });
      connection.on("error", (error: NodeJS.ErrnoException) => {
        finish(new SocketUnavailableError(`cannot connect to ${socketPath}: ${error.code ?? error.message}`, error.code ?? "ERROR"));
      });
      connection.on("destroy", () => {
        finish(new SocketUnavailableError(`the daemon closed the connection on ${socketPath}`, "ECONNRESET"));
      });
    });
  });
}
