/**
 * An in-process fake of the Telegram Bot API server (`node:http` only), used by
 * the end-to-end tests and benchmarks. Point grammY at it with
 * `new Bot(api.token, { client: { apiRoot: api.apiRoot } })`.
 *
 * It answers like the real server (`{ ok: true, result }` or
 * `{ ok: false, error_code, description, parameters? }`, with the HTTP status
 * equal to `error_code`), keeps an update queue served by long-polling
 * `getUpdates` with real offset semantics, records every call, and can inject
 * faults (429 / 403 / 400 / 5xx / delays / hangs) and rate limits.
 *
 * Realistic behaviours worth knowing (each mirrors the real Bot API):
 * - `getUpdates` only returns update types allowed by the last
 *   `allowed_updates` it received; by default (`[]` or never sent) that is all
 *   types except `chat_member`, `message_reaction` and
 *   `message_reaction_count`. Disable with `enforceAllowedUpdates: false`.
 * - A new `getUpdates` while another one is held answers the held one with
 *   409 Conflict ("terminated by other getUpdates request").
 * - `getUpdates` while a webhook is set answers 409 Conflict.
 * - Editing a bot message to identical content answers 400 "message is not
 *   modified"; editing a message sent by a user answers 400 "message can't be edited".
 * - `restrictChatMember` / `banChatMember` on the chat owner or an
 *   administrator answer 400, and in private chats 400.
 *
 * @module
 */
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { Chat, ChatMember, Message, ResponseParameters, Update, User, UserFromGetMe } from "grammy/types";
import { nextMessageId, nextUpdateId, nowSeconds, observeMessageId, observeUpdateId } from "./updates.js";

/** Request parameters of a Bot API call, as decoded from JSON / query / form data (loosely typed for test ergonomics). */
export type ApiPayload = Record<string, any>;

/** An error answer, as returned by a {@link MethodHandler} or built with {@link apiError}. */
export interface ApiError {
  /** Telegram error code; also used as the HTTP status when it is 400–599. */
  error_code: number;
  /** Human-readable description, e.g. "Bad Request: chat not found". */
  description: string;
  /** Extra parameters such as `retry_after` (seconds) or `migrate_to_chat_id`. */
  parameters?: ResponseParameters;
}

/** A response body exactly as sent to the client. */
export type ApiResponse = { ok: true; result: unknown } | ({ ok: false } & ApiError);

/** One recorded Bot API call (see {@link FakeBotApi.calls}). */
export interface RecordedCall {
  /** Method name, canonical spelling (e.g. "sendMessage"), or as sent if unknown. */
  method: string;
  /** Decoded request parameters. */
  payload: ApiPayload;
  /** When the request arrived, `Date.now()` milliseconds. */
  at: number;
  /** When the answer was sent, `Date.now()` milliseconds (equals `at` for hung requests). */
  answeredAt: number;
  /** HTTP status of the answer; 0 for `hang` / `disconnect` faults (no answer). */
  status: number;
  /** Response body sent (for `hang` / `disconnect`: a synthetic error with error_code 0). */
  response: ApiResponse;
}

/**
 * A fault to inject with {@link FakeBotApi.fail}:
 * - `429`: flood wait, `parameters.retry_after` = `retryAfterSeconds`.
 * - `5xx`: server error, `status` default 500 ("Internal Server Error").
 * - `403`: forbidden, `description` default "Forbidden: bot was blocked by the user".
 * - `400`: bad request with the given `description` (should start with "Bad Request: ").
 * - `delay`: answer normally after `milliseconds`.
 * - `hang`: never answer; the request is released (socket destroyed) by `stop()`.
 * - `disconnect`: destroy the connection without answering (client sees a network error).
 */
export type Fault =
  | { kind: "429"; retryAfterSeconds: number }
  | { kind: "5xx"; status?: number; description?: string }
  | { kind: "403"; description?: string }
  | { kind: "400"; description: string }
  | { kind: "delay"; milliseconds: number }
  | { kind: "hang" }
  | { kind: "disconnect" };

/** Options of {@link FakeBotApi.fail}. */
export interface FaultOptions {
  /** How many matching calls the fault applies to. Default: Infinity. */
  times?: number;
  /** Only calls whose payload satisfies this predicate are affected (and consume `times`). Default: all. */
  when?: (payload: ApiPayload) => boolean;
}

/** Options of {@link FakeBotApi.setRateLimit}. */
export interface RateLimitOptions {
  /** Method to limit. Default: "sendMessage". */
  method?: string;
  /** Maximum accepted calls in any sliding 1-second window. */
  perSecond: number;
  /** `retry_after` (seconds) sent with the 429 answers. Default: 1. */
  retryAfterSeconds?: number;
  /** Apply the limit per `chat_id` instead of over all chats. Default: false. */
  perChat?: boolean;
}

/**
 * Overrides a method (see {@link FakeBotApi.on}). Returns the `result`
 * (`undefined` means `true`), or an {@link ApiError} (returned or thrown) to
 * answer with an error, or a promise of either. Other thrown errors answer 500.
 */
export type MethodHandler = (payload: ApiPayload, api: FakeBotApi) => unknown;

/** An administrator for {@link FakeBotApi.setChatAdministrators}: a user (status "administrator") or a user with an explicit status. */
export type ChatAdministratorInput = User | { user: User; status?: "creator" | "administrator"; custom_title?: string };

/** Options of {@link FakeBotApi.start}. */
export interface FakeBotApiOptions {
  /** Bot token accepted in `/bot<token>/<method>`. Default: {@link DEFAULT_TOKEN}. */
  token?: string;
  /** Overrides of the `getMe` answer (see {@link DEFAULT_BOT_INFO}). */
  botInfo?: Partial<UserFromGetMe>;
  /** Record `getUpdates` calls in `calls` too. Default: false (they are only counted). */
  recordGetUpdates?: boolean;
  /** Filter delivered updates by the `allowed_updates` setting like Telegram. Default: true. */
  enforceAllowedUpdates?: boolean;
}

/** Default bot token of the fake server. */
export const DEFAULT_TOKEN = "123456:TEST-token-abcdef";

/** Default `getMe` answer: id 1000001, @sticker_test_bot, joins groups, reads all group messages, no inline mode. */
export const DEFAULT_BOT_INFO: Readonly<UserFromGetMe> = Object.freeze({
  id: 1000001,
  is_bot: true,
  first_name: "Sticker Test Bot",
  username: "sticker_test_bot",
  can_join_groups: true,
  can_read_all_group_messages: true,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
  can_manage_bots: false,
  supports_join_request_queries: false,
});

/** Default waiting time of {@link FakeBotApi.waitForCall} / {@link FakeBotApi.waitForCalls}, in milliseconds. */
export const DEFAULT_WAIT_TIMEOUT_MILLISECONDS = 5000;

/** Maximum and default `limit` of `getUpdates` (Telegram's value). */
const MAX_UPDATES_PER_POLL = 100;
/** Length of the rate-limit window, in milliseconds. */
const RATE_WINDOW_MILLISECONDS = 1000;
/** Maximum text length of `sendMessage` / `editMessageText`, in UTF-16 code units (Telegram: 4096 characters). */
const MAX_TEXT_LENGTH = 4096;
/** Maximum number of messages kept for `editMessageText` / `reply_to_message`; oldest are evicted. */
const MAX_STORED_MESSAGES = 100_000;
/** Update types Telegram omits when `allowed_updates` is empty or was never set. */
const DEFAULT_EXCLUDED_UPDATE_TYPES = new Set(["chat_member", "message_reaction", "message_reaction_count"]);
/** Parameters that stay strings when decoding query / form values (others that look numeric become numbers). */
const STRING_PARAMETERS = new Set([
  "text", "caption", "query", "data", "description", "short_description", "title", "name",
  "emoji", "custom_title", "url", "callback_query_id", "inline_query_id", "secret_token",
  "sticker", "photo", "document", "file_id", "parse_mode", "message_effect_id", "business_connection_id",
]);

/** Builds an {@link ApiError} for a {@link MethodHandler} to return or throw. */
export function apiError(errorCode: number, description: string, parameters?: ResponseParameters): ApiError {
  return parameters === undefined
    ? { error_code: errorCode, description }
    : { error_code: errorCode, description, parameters };
}

/** True if `value` has the shape of an {@link ApiError}. */
export function isApiError(value: unknown): value is ApiError {
  return (
    typeof value === "object" && value !== null &&
    typeof (value as ApiError).error_code === "number" &&
    typeof (value as ApiError).description === "string"
  );
}

/** An HTTP exchange in flight. */
interface Exchange {
  method: string;
  payload: ApiPayload;
  receivedAt: number;
  res: http.ServerResponse;
  /** Answered, destroyed or abandoned by the client. */
  done: boolean;
  /** Already in `calls` (hung requests are recorded when they arrive). */
  recorded: boolean;
  /** Pending delay timer. */
  timer?: NodeJS.Timeout;
}

interface Poller {
  exchange: Exchange;
  limit: number;
  timer: NodeJS.Timeout;
}

interface FaultEntry {
  fault: Fault;
  remaining: number;
  when?: (payload: ApiPayload) => boolean;
}

interface Waiter {
  offer(call: RecordedCall): void;
  abort(reason: Error): void;
}

type DefaultHandler = (payload: ApiPayload) => unknown;

/** Timestamps of accepted calls in a sliding window; amortised O(1) per call. */
class SlidingWindow {
  private stamps: number[] = [];
  private head = 0;

  tryAcquire(nowMilliseconds: number, limit: number): boolean {
    const cutoff = nowMilliseconds - RATE_WINDOW_MILLISECONDS;
    while (this.head < this.stamps.length && this.stamps[this.head] <= cutoff) this.head += 1;
    if (this.head > 1024 && this.head * 2 > this.stamps.length) {
      this.stamps = this.stamps.slice(this.head);
      this.head = 0;
    }
    if (this.stamps.length - this.head >= limit) return false;
    this.stamps.push(nowMilliseconds);
    return true;
  }
}

interface RateLimiter {
  perSecond: number;
  retryAfterSeconds: number;
  perChat: boolean;
  global: SlidingWindow;
  byChat: Map<string, SlidingWindow>;
}

/**
 * The fake Bot API server. Create with {@link FakeBotApi.start}, always
 * {@link FakeBotApi.stop} it (e.g. in `afterEach`).
 */
export class FakeBotApi {
  /** Base URL for grammY's `client.apiRoot`, e.g. "http://127.0.0.1:40123" (no trailing slash). */
  readonly apiRoot: string;
  /** Accepted bot token. */
  readonly token: string;
  /** The `getMe` answer; messages sent by the bot use it as `from`. */
  readonly botInfo: UserFromGetMe;
  /** Every call except `getUpdates` (unless `recordGetUpdates`), in arrival-of-answer order. */
  readonly calls: RecordedCall[] = [];
  /** Highest `offset` any `getUpdates` call has sent (0 before any). */
  confirmedOffset = 0;
  /** Number of `getUpdates` requests received. */
  getUpdatesCount = 0;
  /** `Date.now()` milliseconds of the last `getUpdates` request, or undefined. */
  lastGetUpdatesAt: number | undefined;
  /** Number of calls answered 429 by {@link FakeBotApi.setRateLimit} limits (not by `fail`). */
  rateLimitedCount = 0;
  /** Number of queued updates dropped because `allowed_updates` excluded their type. */
  filteredUpdateCount = 0;
  /** URL set by `setWebhook` ("" when none). */
  webhookUrl = "";

  private readonly server: http.Server;
  private readonly options: FakeBotApiOptions;
  private readonly sockets = new Set<Socket>();
  private readonly customHandlers = new Map<string, MethodHandler>();
  private readonly defaultHandlers = new Map<string, DefaultHandler>();
  /** Lower-case method name → canonical name. */
  private readonly methodNames = new Map<string, string>();
  private readonly faults = new Map<string, FaultEntry[]>();
  private readonly rateLimits = new Map<string, RateLimiter>();
  private readonly pollers = new Set<Poller>();
  private readonly held = new Set<Exchange>();
  private readonly waiters = new Set<Waiter>();
  private readonly callCountByMethod = new Map<string, number>();
  private queue: Update[] = [];
  private queueHead = 0;
  private wakeScheduled = false;
  /** Last `allowed_updates` received; undefined = Telegram's default set. */
  private allowedUpdates: Set<string> | undefined;
  private readonly messages = new Map<string, Message>();
  private readonly knownChats = new Map<number, Chat>();
  private readonly configuredChats = new Map<number, ApiPayload>();
  private readonly knownUsers = new Map<number, User>();
  private readonly administrators = new Map<number, ChatMember[]>();
  private readonly memberStates = new Map<string, ChatMember>();
  private stopPromise: Promise<void> | undefined;
  private uploadCounter = 0;

  private constructor(server: http.Server, port: number, options: FakeBotApiOptions) {
    this.server = server;
    this.options = options;
    this.apiRoot = `http://127.0.0.1:${port}`;
    this.token = options.token ?? DEFAULT_TOKEN;
    this.botInfo = { ...DEFAULT_BOT_INFO, ...options.botInfo };
    this.installDefaultHandlers();
    server.on("request", (req, res) => this.onRequest(req, res));
    server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
  }

  /** Starts a server on 127.0.0.1 with an OS-assigned port. */
  static async start(options: FakeBotApiOptions = {}): Promise<FakeBotApi> {
    const server = http.createServer();
    server.requestTimeout = 0; // held long polls and `hang` faults must not be cut by Node
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    // Nobody knows the port yet, so no connection can have been accepted before the constructor runs.
    return new FakeBotApi(server, (server.address() as AddressInfo).port, options);
  }

  /** The bot as a `User` (the `from` of messages it sends). */
  get botUser(): User {
    return { id: this.botInfo.id, is_bot: true, first_name: this.botInfo.first_name, username: this.botInfo.username };
  }

  // ---------------------------------------------------------------- updates

  /**
   * Queues an update for `getUpdates`. Assigns the next update id
   * ({@link nextUpdateId}) if `update_id` is missing. Wakes held long polls.
   * Returns the update id.
   */
  pushUpdate(update: Omit<Update, "update_id"> & { update_id?: number }): number {
    let full: Update;
    if (update.update_id === undefined) {
      const { update_id: _missing, ...fields } = update;
      full = { update_id: nextUpdateId(), ...fields } as Update; // update_id first, like Telegram
    } else {
      full = update as Update;
      observeUpdateId(full.update_id);
    }
    this.observeUpdate(full);
    const last = this.queue.length > this.queueHead ? this.queue[this.queue.length - 1] : undefined;
    if (last === undefined || last.update_id < full.update_id) {
      this.queue.push(full);
    } else {
      let low = this.queueHead;
      let high = this.queue.length;
      while (low < high) {
        const middle = (low + high) >>> 1;
        if (this.queue[middle].update_id <= full.update_id) low = middle + 1;
        else high = middle;
      }
      this.queue.splice(low, 0, full);
    }
    this.scheduleWake();
    return full.update_id;
  }

  /** Queues several updates in order (see {@link FakeBotApi.pushUpdate}); returns their ids. */
  pushUpdates(updates: Iterable<Omit<Update, "update_id"> & { update_id?: number }>): number[] {
    const ids: number[] = [];
    for (const update of updates) ids.push(this.pushUpdate(update));
    return ids;
  }

  /** Number of queued updates not yet confirmed by a `getUpdates` offset. */
  pendingUpdateCount(): number {
    return this.queue.length - this.queueHead;
  }

  // -------------------------------------------------------------- recording

  /** Recorded calls of `method` (linear scan). */
  callsTo(method: string): RecordedCall[] {
    const name = this.canonicalName(method) ?? method;
    return this.calls.filter((call) => call.method === name);
  }

  /** Forgets recorded calls (counters such as `getUpdatesCount` are kept). */
  clearCalls(): void {
    this.calls.length = 0;
    this.callCountByMethod.clear();
  }

  /**
   * Resolves with the first recorded call of `method` whose payload satisfies
   * `predicate` — already recorded or future. Rejects after
   * `timeoutMilliseconds` (default 5000) with an error listing the calls seen.
   */
  waitForCall(
    method: string,
    predicate?: (payload: ApiPayload, call: RecordedCall) => boolean,
    timeoutMilliseconds: number = DEFAULT_WAIT_TIMEOUT_MILLISECONDS,
  ): Promise<RecordedCall> {
    return this.waitForCalls(method, 1, predicate, timeoutMilliseconds).then((found) => found[0]);
  }

  /**
   * Resolves with the first `count` recorded calls of `method` matching
   * `predicate` (already recorded and future). Rejects after
   * `timeoutMilliseconds` (default 5000) with an error listing the calls seen.
   */
  waitForCalls(
    method: string,
    count: number,
    predicate?: (payload: ApiPayload, call: RecordedCall) => boolean,
    timeoutMilliseconds: number = DEFAULT_WAIT_TIMEOUT_MILLISECONDS,
  ): Promise<RecordedCall[]> {
    const name = this.canonicalName(method) ?? method;
    const found: RecordedCall[] = [];
    const matches = (call: RecordedCall): boolean =>
      call.method === name && (predicate === undefined || predicate(call.payload, call));
    try {
      for (const call of this.calls) {
        if (found.length >= count) break;
        if (matches(call)) found.push(call);
      }
    } catch (error) {
      return Promise.reject(error);
    }
    if (found.length >= count) return Promise.resolve(found);
    const stack = new Error().stack;
    return new Promise<RecordedCall[]>((resolve, reject) => {
      const finish = (error?: Error): void => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
        if (error === undefined) resolve(found);
        else reject(error);
      };
      const waiter: Waiter = {
        offer: (call) => {
          try {
            if (!matches(call)) return;
          } catch (error) {
            finish(error instanceof Error ? error : new Error(String(error)));
            return;
          }
          found.push(call);
          if (found.length >= count) finish();
        },
        abort: (reason) => finish(reason),
      };
      const timer = setTimeout(() => {
        const error = new Error(this.describeTimeout(name, count, found.length, predicate !== undefined, timeoutMilliseconds));
        if (stack !== undefined) error.stack = `${error.name}: ${error.message}\n${stack.split("\n").slice(2).join("\n")}`;
        finish(error);
      }, timeoutMilliseconds);
      this.waiters.add(waiter);
    });
  }

  // -------------------------------------------------------- fault injection

  /**
   * Makes the next calls of `method` fail with `fault` (`method` "*" = every
   * method except getUpdates). Faults of a method are consumed in the order
   * they were added; `options.times` (default Infinity) counts matching calls.
   */
  fail(method: string, fault: Fault, options: FaultOptions = {}): this {
    const name = method === "*" ? "*" : this.canonicalName(method) ?? method;
    const times = options.times ?? Infinity;
    if (!(times > 0)) return this;
    let list = this.faults.get(name);
    if (list === undefined) {
      list = [];
      this.faults.set(name, list);
    }
    list.push({ fault, remaining: times, when: options.when });
    return this;
  }

  /** Removes all injected faults (requests already delayed or hung are not released). */
  clearFaults(): void {
    this.faults.clear();
  }

  /**
   * Limits `options.method` (default sendMessage) to `perSecond` accepted calls
   * in any sliding 1-second window (over all chats, or per chat with
   * `perChat`); calls beyond answer 429 with `retry_after` =
   * `retryAfterSeconds` (default 1) and increment `rateLimitedCount`.
   * Replaces an earlier limit of the same method.
   */
  setRateLimit(options: RateLimitOptions): this {
    const name = this.canonicalName(options.method ?? "sendMessage") ?? options.method ?? "sendMessage";
    this.rateLimits.set(name, {
      perSecond: options.perSecond,
      retryAfterSeconds: options.retryAfterSeconds ?? 1,
      perChat: options.perChat ?? false,
      global: new SlidingWindow(),
      byChat: new Map(),
    });
    return this;
  }

  /** Removes the rate limit of `method`, or all limits when omitted. */
  clearRateLimit(method?: string): void {
    if (method === undefined) this.rateLimits.clear();
    else this.rateLimits.delete(this.canonicalName(method) ?? method);
  }

  // ------------------------------------------------------------- behaviour

  /** Overrides (or adds) `method`; see {@link MethodHandler}. Method names are case-insensitive. */
  on(method: string, handler: MethodHandler): this {
    const name = this.canonicalName(method) ?? method;
    this.methodNames.set(name.toLowerCase(), name);
    this.customHandlers.set(name, handler);
    return this;
  }

  /** Removes an override installed with {@link FakeBotApi.on}, restoring the default (or 404). */
  off(method: string): this {
    const name = this.canonicalName(method) ?? method;
    this.customHandlers.delete(name);
    if (!this.defaultHandlers.has(name)) this.methodNames.delete(name.toLowerCase());
    return this;
  }

  /**
   * Runs the built-in behaviour of `method` (useful inside an {@link FakeBotApi.on}
   * override that only changes some calls). Returns the result or an {@link ApiError}.
   */
  async callDefault(method: string, payload: ApiPayload): Promise<unknown> {
    const handler = this.defaultHandlers.get(this.canonicalName(method) ?? method);
    if (handler === undefined || method === "getUpdates") return apiError(404, "Not Found: method not found");
    try {
      return handler(payload);
    } catch (error) {
      if (isApiError(error)) return error;
      throw error;
    }
  }

  /**
   * Sets the administrators `getChatAdministrators` / `getChatMember` report
   * for `chatId`. Replaces the default (the bot alone); the bot is only an
   * administrator afterwards if listed or `options.includeBot` is true (default false).
   */
  setChatAdministrators(chatId: number, administrators: ChatAdministratorInput[], options: { includeBot?: boolean } = {}): void {
    const list = administrators.map((entry) =>
      "user" in entry
        ? this.administratorMember(entry.user, entry.status ?? "administrator", entry.custom_title)
        : this.administratorMember(entry, "administrator"),
    );
    if (options.includeBot === true && !list.some((member) => member.user.id === this.botInfo.id)) {
      list.push(this.administratorMember(this.botUser, "administrator"));
    }
    for (const member of list) this.knownUsers.set(member.user.id, member.user);
    this.administrators.set(chatId, list);
  }

  /** Sets the state `getChatMember` reports for a user (e.g. "left", "kicked", "restricted"). */
  setChatMember(chatId: number, member: ChatMember): void {
    this.memberStates.set(`${chatId}:${member.user.id}`, member);
  }

  /** The member state the fake currently holds for `userId` in `chatId` (what getChatMember answers). */
  chatMember(chatId: number, userId: number): ChatMember {
    const state = this.memberStates.get(`${chatId}:${userId}`);
    if (state !== undefined) return state;
    const administrator = this.administratorsOf(chatId).find((member) => member.user.id === userId);
    if (administrator !== undefined) return administrator;
    return { status: "member", user: this.userInfo(userId) };
  }

  /** Sets fields `getChat` returns for a chat (merged over the generated info). */
  setChat(chat: ApiPayload & { id: number }): void {
    this.configuredChats.set(chat.id, { ...this.configuredChats.get(chat.id), ...chat });
  }

  /** A message the fake knows (sent by the bot or pushed in an update), in its current (edited) state. */
  getMessage(chatId: number, messageId: number): Message | undefined {
    return this.messages.get(`${chatId}:${messageId}`);
  }

  // ------------------------------------------------------------------ stop

  /**
   * Stops the server: answers held long polls with `[]`, destroys hung and
   * delayed requests and all sockets, rejects pending `waitFor*` promises.
   * Idempotent; never hangs.
   */
  stop(): Promise<void> {
    if (this.stopPromise !== undefined) return this.stopPromise;
    this.stopPromise = (async () => {
      for (const poller of this.pollers) {
        clearTimeout(poller.timer);
        this.answer(poller.exchange, 200, { ok: true, result: [] });
      }
      this.pollers.clear();
      for (const exchange of this.held) {
        if (exchange.timer !== undefined) clearTimeout(exchange.timer);
        exchange.done = true;
        exchange.res.destroy();
      }
      this.held.clear();
      for (const waiter of [...this.waiters]) waiter.abort(new Error("FakeBotApi stopped while a waitForCall was pending"));
      const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
      this.server.closeIdleConnections();
      await new Promise<void>((resolve) => setImmediate(resolve)); // let final answers flush
      this.server.closeAllConnections();
      for (const socket of this.sockets) socket.destroy();
      await closed;
    })();
    return this.stopPromise;
  }

  // ============================================================== internals

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const receivedAt = Date.now();
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("error", () => res.destroy());
    req.on("end", () => {
      const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
      this.dispatch(req, res, body, receivedAt);
    });
  }

  private dispatch(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, receivedAt: number): void {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const match = /^\/bot([^/]*)\/([^/]+)\/?$/.exec(url.pathname);
    if (match === null) {
      sendJson(res, 404, { ok: false, error_code: 404, description: "Not Found" });
      return;
    }
    const [, token, rawMethod] = match;
    const canonical = this.canonicalName(rawMethod);
    const exchange: Exchange = {
      method: canonical ?? rawMethod,
      payload: {},
      receivedAt,
      res,
      done: false,
      recorded: false,
    };
    res.on("close", () => {
      if (!exchange.done) this.abandon(exchange);
    });
    try {
      exchange.payload = decodePayload(url, req.headers["content-type"] ?? "", body);
    } catch (error) {
      this.answerError(exchange, apiError(400, `Bad Request: can't parse request body: ${(error as Error).message}`));
      return;
    }
    if (token !== this.token) {
      this.answerError(exchange, apiError(401, "Unauthorized"));
      return;
    }
    if (canonical === undefined) {
      this.answerError(exchange, apiError(404, "Not Found: method not found"));
      return;
    }
    if (canonical === "getUpdates") {
      this.getUpdatesCount += 1;
      this.lastGetUpdatesAt = receivedAt;
    }
    if (this.stopPromise !== undefined) {
      exchange.done = true;
      res.destroy();
      return;
    }
    this.applyFaults(exchange);
  }

  /** The client went away before the answer (aborted request or destroyed socket). */
  private abandon(exchange: Exchange): void {
    exchange.done = true;
    if (exchange.timer !== undefined) clearTimeout(exchange.timer);
    this.held.delete(exchange);
    for (const poller of this.pollers) {
      if (poller.exchange === exchange) {
        clearTimeout(poller.timer);
        this.pollers.delete(poller);
      }
    }
  }

  private takeFault(method: string, payload: ApiPayload): Fault | undefined {
    const fromList = (key: string): Fault | undefined => {
      const list = this.faults.get(key);
      if (list === undefined) return undefined;
      for (let index = 0; index < list.length; index += 1) {
        const entry = list[index];
        if (entry.when !== undefined && !entry.when(payload)) continue;
        entry.remaining -= 1;
        if (entry.remaining <= 0) list.splice(index, 1);
        if (list.length === 0) this.faults.delete(key);
        return entry.fault;
      }
      return undefined;
    };
    return fromList(method) ?? (method === "getUpdates" ? undefined : fromList("*"));
  }

  private applyFaults(exchange: Exchange): void {
    let fault: Fault | undefined;
    try {
      fault = this.faults.size === 0 ? undefined : this.takeFault(exchange.method, exchange.payload);
    } catch (error) {
      this.answerError(exchange, apiError(500, `Internal Server Error: fault predicate threw: ${(error as Error).message}`));
      return;
    }
    if (fault === undefined) {
      this.applyRateLimit(exchange);
      return;
    }
    switch (fault.kind) {
      case "429":
        this.answerError(exchange, apiError(429, `Too Many Requests: retry after ${fault.retryAfterSeconds}`, { retry_after: fault.retryAfterSeconds }));
        return;
      case "5xx": {
        const status = fault.status ?? 500;
        this.answerError(exchange, apiError(status, fault.description ?? serverErrorDescription(status)));
        return;
      }
      case "403":
        this.answerError(exchange, apiError(403, fault.description ?? "Forbidden: bot was blocked by the user"));
        return;
      case "400":
        this.answerError(exchange, apiError(400, fault.description));
        return;
      case "delay":
        this.held.add(exchange);
        exchange.timer = setTimeout(() => {
          exchange.timer = undefined;
          this.held.delete(exchange);
          if (!exchange.done) this.applyRateLimit(exchange);
        }, fault.milliseconds);
        return;
      case "hang":
        this.held.add(exchange);
        this.record(exchange, 0, { ok: false, error_code: 0, description: "hang (injected fault): request never answered" });
        return;
      case "disconnect":
        this.record(exchange, 0, { ok: false, error_code: 0, description: "disconnect (injected fault): connection destroyed" });
        exchange.done = true;
        exchange.res.destroy();
        return;
    }
  }

  private applyRateLimit(exchange: Exchange): void {
    const limiter = this.rateLimits.size === 0 ? undefined : this.rateLimits.get(exchange.method);
    if (limiter !== undefined) {
      let window = limiter.global;
      if (limiter.perChat) {
        const chatKey = String(exchange.payload.chat_id);
        window = limiter.byChat.get(chatKey) ?? new SlidingWindow();
        limiter.byChat.set(chatKey, window);
      }
      if (!window.tryAcquire(Date.now(), limiter.perSecond)) {
        this.rateLimitedCount += 1;
        const seconds = limiter.retryAfterSeconds;
        this.answerError(exchange, apiError(429, `Too Many Requests: retry after ${seconds}`, { retry_after: seconds }));
        return;
      }
    }
    this.runHandler(exchange);
  }

  private runHandler(exchange: Exchange): void {
    const custom = this.customHandlers.get(exchange.method);
    if (custom === undefined && exchange.method === "getUpdates") {
      this.handleGetUpdates(exchange);
      return;
    }
    let result: unknown;
    try {
      result = custom !== undefined ? custom(exchange.payload, this) : this.defaultHandlers.get(exchange.method)!(exchange.payload);
    } catch (error) {
      this.answerThrown(exchange, error);
      return;
    }
    if (isPromiseLike(result)) {
      result.then(
        (value) => this.answerResult(exchange, value),
        (error: unknown) => this.answerThrown(exchange, error),
      );
    } else {
      this.answerResult(exchange, result);
    }
  }

  private answerResult(exchange: Exchange, result: unknown): void {
    if (isApiError(result)) this.answerError(exchange, result);
    else this.answer(exchange, 200, { ok: true, result: result === undefined ? true : result });
  }

  private answerThrown(exchange: Exchange, error: unknown): void {
    if (isApiError(error)) this.answerError(exchange, error);
    else this.answerError(exchange, apiError(500, `Internal Server Error: fake handler of ${exchange.method} threw: ${error instanceof Error ? error.message : String(error)}`));
  }

  private answerError(exchange: Exchange, error: ApiError): void {
    const status = error.error_code >= 400 && error.error_code <= 599 ? error.error_code : 400;
    const body: ApiResponse = { ok: false, error_code: error.error_code, description: error.description };
    if (error.parameters !== undefined) body.parameters = error.parameters;
    this.answer(exchange, status, body);
  }

  private answer(exchange: Exchange, status: number, response: ApiResponse): void {
    if (exchange.done) return;
    exchange.done = true;
    sendJson(exchange.res, status, response);
    if (!exchange.recorded) this.record(exchange, status, response);
  }

  private record(exchange: Exchange, status: number, response: ApiResponse): void {
    exchange.recorded = true;
    if (exchange.method === "getUpdates" && this.options.recordGetUpdates !== true) return;
    const call: RecordedCall = {
      method: exchange.method,
      payload: exchange.payload,
      at: exchange.receivedAt,
      answeredAt: Date.now(),
      status,
      response,
    };
    this.calls.push(call);
    this.callCountByMethod.set(call.method, (this.callCountByMethod.get(call.method) ?? 0) + 1);
    if (this.waiters.size > 0) for (const waiter of [...this.waiters]) waiter.offer(call);
  }

  private describeTimeout(method: string, count: number, foundCount: number, hasPredicate: boolean, timeoutMilliseconds: number): string {
    const seen = [...this.callCountByMethod].map(([name, n]) => `${name}×${n}`).join(", ") || "none";
    const ofMethod = this.calls.filter((call) => call.method === method);
    const recent = ofMethod.slice(-3).map((call) => `  ${call.status} ${truncate(JSON.stringify(call.payload), 200)}`);
    const wanted = count === 1 ? `a call to ${method}` : `${count} calls to ${method}`;
    return [
      `waitForCall: timed out after ${timeoutMilliseconds} ms waiting for ${wanted}${hasPredicate ? " matching the predicate" : ""}` +
        ` (${foundCount} of ${count} found; ${ofMethod.length} call(s) to ${method} recorded).`,
      `Methods seen: ${seen}. getUpdates polled ${this.getUpdatesCount} time(s).`,
      ...(recent.length > 0 ? [`Last calls to ${method}:`, ...recent] : []),
    ].join("\n");
  }

  private canonicalName(method: string): string | undefined {
    return this.methodNames.get(method.toLowerCase());
  }

  // ------------------------------------------------------------ getUpdates

  private handleGetUpdates(exchange: Exchange): void {
    const payload = exchange.payload;
    if (this.webhookUrl !== "") {
      this.answerError(exchange, apiError(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"));
      return;
    }
    const offset = toInteger(payload.offset, 0);
    const limit = Math.min(MAX_UPDATES_PER_POLL, Math.max(1, toInteger(payload.limit, MAX_UPDATES_PER_POLL)));
    const timeoutSeconds = Math.max(0, Number(payload.timeout ?? 0) || 0);
    if (Array.isArray(payload.allowed_updates)) {
      this.allowedUpdates = payload.allowed_updates.length === 0 ? undefined : new Set(payload.allowed_updates.map(String));
    }
    this.confirm(offset);
    for (const poller of this.pollers) {
      clearTimeout(poller.timer);
      this.answerError(poller.exchange, apiError(409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"));
    }
    this.pollers.clear();
    const batch = this.takeBatch(limit);
    if (batch.length > 0 || timeoutSeconds === 0) {
      this.answer(exchange, 200, { ok: true, result: batch });
      return;
    }
    const poller: Poller = {
      exchange,
      limit,
      timer: setTimeout(() => {
        this.pollers.delete(poller);
        this.answer(exchange, 200, { ok: true, result: [] });
      }, timeoutSeconds * 1000),
    };
    poller.timer.unref();
    this.pollers.add(poller);
  }

  /** Drops updates below `offset` (negative: keeps only the last -offset). */
  private confirm(offset: number): void {
    if (offset > 0) {
      if (offset > this.confirmedOffset) this.confirmedOffset = offset;
      while (this.queueHead < this.queue.length && this.queue[this.queueHead].update_id < offset) this.queueHead += 1;
    } else if (offset < 0) {
      this.queueHead = Math.max(this.queueHead, this.queue.length + offset);
    }
    this.compactQueue();
  }

  private compactQueue(): void {
    if (this.queueHead === this.queue.length) {
      this.queue = [];
      this.queueHead = 0;
    } else if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.queueHead);
      this.queueHead = 0;
    }
  }

  /** Up to `limit` deliverable pending updates (they stay pending until confirmed). */
  private takeBatch(limit: number): Update[] {
    const batch: Update[] = [];
    for (let index = this.queueHead; index < this.queue.length && batch.length < limit; index += 1) {
      const update = this.queue[index];
      if (this.isAllowed(update)) {
        batch.push(update);
      } else if (index === this.queueHead) {
        this.queueHead += 1; // never deliverable under the current setting: drop
        this.filteredUpdateCount += 1;
      }
    }
    this.compactQueue();
    return batch;
  }

  private isAllowed(update: Update): boolean {
    if (this.options.enforceAllowedUpdates === false) return true;
    let type: string | undefined;
    for (const key in update) {
      if (key !== "update_id") {
        type = key;
        break;
      }
    }
    if (type === undefined) return true;
    return this.allowedUpdates === undefined ? !DEFAULT_EXCLUDED_UPDATE_TYPES.has(type) : this.allowedUpdates.has(type);
  }

  private scheduleWake(): void {
    if (this.wakeScheduled || this.pollers.size === 0) return;
    this.wakeScheduled = true;
    setImmediate(() => {
      this.wakeScheduled = false;
      for (const poller of this.pollers) {
        const batch = this.takeBatch(poller.limit);
        if (batch.length === 0) continue;
        clearTimeout(poller.timer);
        this.pollers.delete(poller);
        this.answer(poller.exchange, 200, { ok: true, result: batch });
      }
    });
  }

  private observeUpdate(update: Update): void {
    const message = update.message ?? update.edited_message ?? update.channel_post ?? update.edited_channel_post;
    if (message !== undefined) {
      observeMessageId(message.chat.id, message.message_id);
      this.knownChats.set(message.chat.id, message.chat);
      if (message.from !== undefined) this.knownUsers.set(message.from.id, message.from);
      this.storeMessage(message);
    }
    const from = update.callback_query?.from ?? update.chat_member?.from ?? update.message_reaction?.user;
    if (from !== undefined) this.knownUsers.set(from.id, from);
  }

  // ------------------------------------------------------- default methods

  private installDefaultHandlers(): void {
    const handlers: Record<string, DefaultHandler> = {
      getMe: () => this.botInfo,
      logOut: () => true,
      close: () => true,
      getUpdates: () => [], // replaced by handleGetUpdates; listed for routing
      setWebhook: (p) => {
        this.webhookUrl = typeof p.url === "string" ? p.url : "";
        if (p.drop_pending_updates === true) this.dropPendingUpdates();
        return true;
      },
      deleteWebhook: (p) => {
        this.webhookUrl = "";
        if (p.drop_pending_updates === true) this.dropPendingUpdates();
        return true;
      },
      getWebhookInfo: () => ({ url: this.webhookUrl, has_custom_certificate: false, pending_update_count: this.pendingUpdateCount() }),
      sendMessage: (p) => {
        const text = p.text === undefined || p.text === null ? "" : String(p.text);
        if (text.trim() === "") throw apiError(400, "Bad Request: message text is empty");
        if (text.length > MAX_TEXT_LENGTH) throw apiError(400, "Bad Request: message is too long");
        return this.sendBotMessage(p, { text, ...(p.entities !== undefined ? { entities: p.entities } : {}) });
      },
      sendSticker: (p) => {
        if (p.sticker === undefined || p.sticker === "") throw apiError(400, "Bad Request: there is no sticker in the request");
        const fileId = typeof p.sticker === "string" ? p.sticker : `sent-sticker-${(this.uploadCounter += 1)}`;
        return this.sendBotMessage(p, {
          sticker: {
            file_id: fileId,
            file_unique_id: `unique-${fileId}`,
            type: "regular",
            width: 512,
            height: 512,
            is_animated: false,
            is_video: false,
            ...(typeof p.emoji === "string" ? { emoji: p.emoji } : {}),
          },
        });
      },
      sendPhoto: (p) => {
        if (p.photo === undefined || p.photo === "") throw apiError(400, "Bad Request: there is no photo in the request");
        const fileId = typeof p.photo === "string" ? p.photo : `sent-photo-${(this.uploadCounter += 1)}`;
        const extra: Partial<Message> = {
          photo: [
            { file_id: `${fileId}-s`, file_unique_id: `unique-${fileId}-s`, width: 90, height: 90 },
            { file_id: fileId, file_unique_id: `unique-${fileId}`, width: 800, height: 800 },
          ],
        };
        if (p.caption !== undefined) extra.caption = String(p.caption);
        if (p.caption_entities !== undefined) extra.caption_entities = p.caption_entities;
        return this.sendBotMessage(p, extra);
      },
      editMessageText: (p) => {
        const text = p.text === undefined || p.text === null ? "" : String(p.text);
        if (text.trim() === "") throw apiError(400, "Bad Request: message text is empty");
        if (text.length > MAX_TEXT_LENGTH) throw apiError(400, "Bad Request: MESSAGE_TOO_LONG");
        return this.editBotMessage(p, (message) => {
          const changed = message.text !== text || !sameJson(message.entities, p.entities) || !sameJson(message.reply_markup, p.reply_markup);
          message.text = text;
          if (p.entities !== undefined) message.entities = p.entities;
          else delete message.entities;
          return changed;
        });
      },
      editMessageReplyMarkup: (p) =>
        this.editBotMessage(p, (message) => {
          const changed = !sameJson(message.reply_markup, p.reply_markup);
          return changed;
        }),
      deleteMessage: (p) => {
        const chatId = this.chatIdOf(p);
        this.messages.delete(`${chatId}:${toInteger(p.message_id, 0)}`);
        return true;
      },
      deleteMessages: (p) => {
        const chatId = this.chatIdOf(p);
        for (const id of Array.isArray(p.message_ids) ? p.message_ids : []) this.messages.delete(`${chatId}:${id}`);
        return true;
      },
      restrictChatMember: (p) => {
        const chatId = this.chatIdOf(p);
        const userId = this.moderatableUser(chatId, p, "restrict");
        const permissions: ApiPayload = typeof p.permissions === "object" && p.permissions !== null ? p.permissions : {};
        const flags = RESTRICTABLE_PERMISSIONS.map((name) => [name, permissions[name] === true] as const);
        if (flags.every(([, allowed]) => allowed)) {
          this.memberStates.delete(`${chatId}:${userId}`);
        } else {
          this.memberStates.set(`${chatId}:${userId}`, {
            status: "restricted",
            user: this.userInfo(userId),
            is_member: true,
            ...Object.fromEntries(flags),
            until_date: toInteger(p.until_date, 0),
          } as ChatMember);
        }
        return true;
      },
      banChatMember: (p) => {
        const chatId = this.chatIdOf(p);
        const userId = this.moderatableUser(chatId, p, "ban");
        this.memberStates.set(`${chatId}:${userId}`, { status: "kicked", user: this.userInfo(userId), until_date: toInteger(p.until_date, 0) });
        return true;
      },
      unbanChatMember: (p) => {
        const chatId = this.chatIdOf(p);
        const userId = toInteger(p.user_id, 0);
        const key = `${chatId}:${userId}`;
        if (this.memberStates.get(key)?.status === "kicked") this.memberStates.set(key, { status: "left", user: this.userInfo(userId) });
        return true;
      },
      setMessageReaction: () => true,
      answerCallbackQuery: () => true,
      sendChatAction: () => true,
      pinChatMessage: () => true,
      unpinChatMessage: () => true,
      setMyCommands: () => true,
      deleteMyCommands: () => true,
      getMyCommands: () => [],
      setMyDescription: () => true,
      setMyShortDescription: () => true,
      leaveChat: (p) => {
        this.chatIdOf(p);
        return true;
      },
      getChatAdministrators: (p) => this.administratorsOf(this.chatIdOf(p)),
      getChatMember: (p) => this.chatMember(this.chatIdOf(p), toInteger(p.user_id, 0)),
      getChat: (p) => this.chatFullInfo(this.chatIdOf(p)),
    };
    for (const [name, handler] of Object.entries(handlers)) {
      this.defaultHandlers.set(name, handler);
      this.methodNames.set(name.toLowerCase(), name);
    }
  }

  private dropPendingUpdates(): void {
    this.queueHead = this.queue.length;
    this.compactQueue();
  }

  private chatIdOf(payload: ApiPayload): number {
    const raw = payload.chat_id;
    if (typeof raw === "number" && Number.isInteger(raw) && raw !== 0) return raw;
    if (typeof raw === "string") {
      if (/^-?\d+$/.test(raw) && raw !== "0") return Number(raw);
      if (raw.startsWith("@")) {
        for (const chat of this.knownChats.values()) if (chat.username === raw.slice(1)) return chat.id;
      }
    }
    if (raw === undefined || raw === "") throw apiError(400, "Bad Request: chat_id is empty");
    throw apiError(400, "Bad Request: chat not found");
  }

  private chatOf(chatId: number): Chat {
    const configured = this.configuredChats.get(chatId);
    let chat: ApiPayload | undefined = this.knownChats.get(chatId);
    if (chat === undefined) {
      const knownUser = chatId > 0 ? this.knownUsers.get(chatId) : undefined;
      chat = chatId > 0
        ? { id: chatId, type: "private", first_name: knownUser?.first_name ?? `User${chatId}`, ...(knownUser?.username !== undefined ? { username: knownUser.username } : {}) }
        : { id: chatId, type: "supergroup", title: `Test Group ${chatId}` };
    }
    if (configured !== undefined) {
      chat = { ...chat };
      for (const key of CHAT_FIELDS) if (configured[key] !== undefined) chat[key] = configured[key];
    }
    return chat as Chat;
  }

  private chatFullInfo(chatId: number): ApiPayload {
    return {
      ...this.chatOf(chatId),
      accent_color_id: 0,
      max_reaction_count: 11,
      accepted_gift_types: { unlimited_gifts: false, limited_gifts: false, unique_gifts: false, premium_subscription: false, gifts_from_channels: false },
      ...this.configuredChats.get(chatId),
    };
  }

  private userInfo(userId: number): User {
    if (userId === this.botInfo.id) return this.botUser;
    return this.knownUsers.get(userId) ?? { id: userId, is_bot: false, first_name: `User${userId}` };
  }

  private administratorsOf(chatId: number): ChatMember[] {
    return this.administrators.get(chatId) ?? [this.administratorMember(this.botUser, "administrator")];
  }

  private administratorMember(user: User, status: "creator" | "administrator", customTitle?: string): ChatMember {
    const title = customTitle === undefined ? {} : { custom_title: customTitle };
    if (status === "creator") return { status: "creator", user, is_anonymous: false, ...title };
    const isBot = user.id === this.botInfo.id;
    return {
      status: "administrator",
      user,
      can_be_edited: false,
      is_anonymous: false,
      can_manage_chat: true,
      can_delete_messages: true,
      can_manage_video_chats: true,
      can_restrict_members: true,
      can_promote_members: !isBot,
      can_change_info: true,
      can_invite_users: true,
      can_post_stories: true,
      can_edit_stories: true,
      can_delete_stories: true,
      can_pin_messages: true,
      can_manage_topics: true,
      can_send_welcome_messages: true,
      ...title,
    } as ChatMember;
  }

  /** Validates a restrict/ban target like Telegram; returns the user id. */
  private moderatableUser(chatId: number, payload: ApiPayload, action: "restrict" | "ban"): number {
    if (chatId > 0) throw apiError(400, "Bad Request: method is available only for supergroups");
    const userId = toInteger(payload.user_id, 0);
    if (userId === 0) throw apiError(400, "Bad Request: invalid user_id specified");
    if (userId === this.botInfo.id) throw apiError(400, action === "ban" ? "Bad Request: can't remove self" : "Bad Request: can't restrict self");
    const status = this.chatMember(chatId, userId).status;
    if (status === "creator") throw apiError(400, "Bad Request: can't remove chat owner");
    if (status === "administrator") throw apiError(400, "Bad Request: user is an administrator of the chat");
    return userId;
  }

  private sendBotMessage(payload: ApiPayload, content: Partial<Message>): Message {
    const chatId = this.chatIdOf(payload);
    const message = {
      message_id: nextMessageId(chatId),
      from: this.botUser,
      date: nowSeconds(),
      chat: this.chatOf(chatId),
      ...content,
    } as Message;
    if (payload.message_thread_id !== undefined) message.message_thread_id = toInteger(payload.message_thread_id, 0);
    const replyToId = toInteger(payload.reply_parameters?.message_id ?? payload.reply_to_message_id, 0);
    if (replyToId !== 0) {
      const replied = this.messages.get(`${chatId}:${replyToId}`);
      if (replied !== undefined) {
        const { reply_to_message: _nested, ...flat } = replied;
        message.reply_to_message = { ...flat, reply_to_message: undefined };
      } else {
        // Lenient: the fake may not have seen the message (e.g. updates fed via bot.handleUpdate).
        message.reply_to_message = { message_id: replyToId, date: message.date, chat: message.chat, reply_to_message: undefined };
      }
    }
    if (payload.reply_markup?.inline_keyboard !== undefined) message.reply_markup = payload.reply_markup;
    this.storeMessage(message);
    return message;
  }

  private editBotMessage(payload: ApiPayload, apply: (message: Message) => boolean): Message | true {
    if (payload.inline_message_id !== undefined) return true;
    const chatId = this.chatIdOf(payload);
    const messageId = toInteger(payload.message_id, 0);
    if (messageId === 0) throw apiError(400, "Bad Request: message identifier is not specified");
    const key = `${chatId}:${messageId}`;
    const stored = this.messages.get(key);
    let message: Message;
    if (stored === undefined) {
      message = { message_id: messageId, from: this.botUser, date: nowSeconds(), chat: this.chatOf(chatId) } as Message;
      apply(message);
    } else {
      if (stored.from?.id !== this.botInfo.id) throw apiError(400, "Bad Request: message can't be edited");
      message = { ...stored };
      if (!apply(message)) {
        throw apiError(400, "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message");
      }
    }
    if (payload.reply_markup?.inline_keyboard !== undefined) message.reply_markup = payload.reply_markup;
    else delete message.reply_markup;
    message.edit_date = nowSeconds();
    this.storeMessage(message);
    return message;
  }

  private storeMessage(message: Message): void {
    const key = `${message.chat.id}:${message.message_id}`;
    this.messages.delete(key);
    this.messages.set(key, message);
    if (this.messages.size > MAX_STORED_MESSAGES) {
      const oldest = this.messages.keys().next().value;
      if (oldest !== undefined) this.messages.delete(oldest);
    }
  }
}

/** Fields of `Chat` (as embedded in messages) that {@link FakeBotApi.setChat} can override. */
const CHAT_FIELDS = ["type", "title", "username", "first_name", "last_name", "is_forum"] as const;

/** `can_*` flags of a restricted member, derived from `restrictChatMember`'s `permissions`. */
const RESTRICTABLE_PERMISSIONS = [
  "can_send_messages", "can_send_audios", "can_send_documents", "can_send_photos", "can_send_videos",
  "can_send_video_notes", "can_send_voice_notes", "can_send_polls", "can_send_other_messages",
  "can_add_web_page_previews", "can_react_to_messages", "can_change_info", "can_invite_users",
  "can_edit_tag", "can_pin_messages", "can_manage_topics",
] as const;

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function serverErrorDescription(status: number): string {
  switch (status) {
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return http.STATUS_CODES[status] ?? "Internal Server Error";
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === "object" && value !== null && typeof (value as PromiseLike<unknown>).then === "function";
}

function toInteger(value: unknown, fallback: number): number {
  if (value === undefined || value === null || value === "") return fallback;
  const number = Number(value);
  return Number.isFinite(number) ? Math.trunc(number) : fallback;
}

function sameJson(left: unknown, right: unknown): boolean {
  return JSON.stringify(left ?? null) === JSON.stringify(right ?? null);
}

function truncate(text: string, maxLength: number): string {
  return text.length <= maxLength ? text : `${text.slice(0, maxLength - 1)}…`;
}

/** Decodes query parameters plus a JSON, urlencoded or multipart body (empty bodies are fine). */
function decodePayload(url: URL, contentType: string, body: Buffer): ApiPayload {
  const payload: ApiPayload = {};
  for (const [key, value] of url.searchParams) payload[key] = coerceFormValue(key, value);
  if (body.length === 0) return payload;
  const mediaType = contentType.split(";", 1)[0].trim().toLowerCase();
  if (mediaType === "application/x-www-form-urlencoded") {
    for (const [key, value] of new URLSearchParams(body.toString("utf8"))) payload[key] = coerceFormValue(key, value);
    return payload;
  }
  if (mediaType === "multipart/form-data") {
    const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
    if (boundary === null) throw new Error("multipart body without boundary");
    Object.assign(payload, decodeMultipart(body, boundary[1] ?? boundary[2].trim()));
    return payload;
  }
  const parsed: unknown = JSON.parse(body.toString("utf8"));
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("JSON body is not an object");
  return Object.assign(payload, parsed);
}

/** Turns a form/query string into the JSON value grammY or a curl user most likely meant. */
function coerceFormValue(key: string, value: string): unknown {
  if (STRING_PARAMETERS.has(key)) return value;
  if (value.startsWith("{") || value.startsWith("[")) {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  if (value === "true") return true;
  if (value === "false") return false;
  if (/^-?\d+(\.\d+)?$/.test(value) && Number.isSafeInteger(Math.trunc(Number(value)))) return Number(value);
  return value;
}

/**
 * Minimal multipart/form-data decoder: text fields are coerced like form
 * values; file parts become `{ filename, sizeBytes }` and replace the
 * top-level `attach://<name>` references grammY sends for `InputFile`s.
 */
function decodeMultipart(body: Buffer, boundary: string): ApiPayload {
  const fields: ApiPayload = {};
  const files = new Map<string, { filename: string; sizeBytes: number }>();
  const delimiter = Buffer.from(`--${boundary}`);
  let position = body.indexOf(delimiter);
  while (position !== -1) {
    let start = position + delimiter.length;
    if (body[start] === 0x2d && body[start + 1] === 0x2d) break; // closing "--"
    if (body[start] === 0x0d && body[start + 1] === 0x0a) start += 2;
    const next = body.indexOf(delimiter, start);
    if (next === -1) break;
    let end = next;
    if (body[end - 2] === 0x0d && body[end - 1] === 0x0a) end -= 2;
    const headerEnd = body.indexOf("\r\n\r\n", start);
    if (headerEnd !== -1 && headerEnd < end) {
      const headers = body.subarray(start, headerEnd).toString("utf8");
      const content = body.subarray(headerEnd + 4, end);
      const name = /name="([^"]*)"/i.exec(headers)?.[1];
      const filename = /filename=(?:"([^"]*)"|([^;\r\n]*))/i.exec(headers);
      if (name !== undefined) {
        if (filename !== null) files.set(name, { filename: filename[1] ?? filename[2].trim(), sizeBytes: content.length });
        else fields[name] = coerceFormValue(name, content.toString("utf8"));
      }
    }
    position = next;
  }
  for (const [key, value] of Object.entries(fields)) {
    if (typeof value === "string" && value.startsWith("attach://")) {
      const file = files.get(value.slice("attach://".length));
      if (file !== undefined) fields[key] = file;
    }
  }
  return fields;
}
