/**
 * The control protocol: one JSON object per line each way, with an id, on the
 * daemon's unix socket (node-ipc in raw mode carries the bytes).
 *
 *   → { "id": "c1", "command": "status", "args": {} }
 *   ← { "id": "c1", "ok": true, "result": { ... } }
 *   ← { "id": "c1", "ok": false, "error": { "code": "unknown_command", "message": "..." } }
 */

/** Commands the daemon understands. */
export const CONTROL_COMMANDS = ["status", "cleanup", "stop", "reload", "ping"] as const;
export type ControlCommand = (typeof CONTROL_COMMANDS)[number];

export interface ControlRequest {
  id: string;
  command: string;
  args?: Record<string, unknown>;
}

export type ControlErrorCode = "bad_request" | "unknown_command" | "stopping" | "failed";

export type ControlResponse =
  | { id: string | null; ok: true; result: unknown }
  | { id: string | null; ok: false; error: { code: ControlErrorCode; message: string } };

/** Validates a received line; returns the request or the error response to send. */
export function parseControlRequest(message: { ok: true; value: unknown } | { ok: false; error: string }): ControlRequest | ControlResponse {
  if (!message.ok) {
    return { id: null, ok: false, error: { code: "bad_request", message: `malformed message (${message.error}): send one JSON object per line, {"id":"1","command":"status"}` } };
  }
  const data = message.value;
  const id = typeof data === "object" && data !== null && typeof (data as { id?: unknown }).id === "string"
    ? ((data as { id: string }).id).slice(0, 128)
    : null;
  const bad = (text: string): ControlResponse => ({ id, ok: false, error: { code: "bad_request", message: text } });
  if (typeof data !== "object" || data === null || Array.isArray(data)) return bad("a request must be a JSON object");
  const { command, args } = data as { command?: unknown; args?: unknown };
  if (id === null) return bad("a request needs a string id");
  if (typeof command !== "string") return bad("a request needs a string command");
  if (args !== undefined && (typeof args !== "object" || args === null || Array.isArray(args))) {
    return bad("request args must be an object");
  }
  return { id, command, args: (args as Record<string, unknown> | undefined) ?? {} };
}

export function isControlResponse(value: unknown): value is ControlResponse {
  return typeof value === "object" && value !== null && "ok" in value && "id" in value;
}
