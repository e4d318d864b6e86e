import { expect } from "chai";
import { Bot, GrammyError, HttpError } from "grammy";
import type { Update } from "grammy/types";
import { DEFAULT_BOT_INFO, FakeBotApi, apiError, type ApiResponse } from "./support/fake-bot-api.js";
import {
  callbackQuery,
  commandMessage,
  editedTextMessage,
  groupChat,
  photoMessage,
  privateChat,
  stickerMessage,
  textMessage,
  user,
} from "./support/updates.js";

/** Raw POST to the fake server; returns HTTP status and parsed body. */
async function post(api: FakeBotApi, method: string, payload?: unknown, token = api.token): Promise<{ status: number; body: ApiResponse }> {
  const response = await fetch(`${api.apiRoot}/bot${token}/${method}`, {
    method: "POST",
    headers: payload === undefined ? {} : { "content-type": "application/json" },
    body: payload === undefined ? undefined : JSON.stringify(payload),
  });
  return { status: response.status, body: (await response.json()) as ApiResponse };
}

function resultOf<T>(body: ApiResponse): T {
  if (!body.ok) throw new Error(`expected ok, got ${body.error_code} ${body.description}`);
  return body.result as T;
}

function createBot(api: FakeBotApi): Bot {
  return new Bot(api.token, { client: { apiRoot: api.apiRoot } });
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the promise to reject");
}

describe("FakeBotApi", function () {
  this.timeout(5000);
  let api: FakeBotApi;

  beforeEach(async () => {
    api = await FakeBotApi.start();
  });

  afterEach(async () => {
    await api.stop();
  });

  describe("routing", () => {
    it("answers getMe through grammY with the default bot info", async () => {
      const bot = createBot(api);
      await bot.init();
      expect(bot.botInfo.username).to.equal("sticker_test_bot");
      expect(bot.botInfo.id).to.equal(1000001);
      expect(bot.botInfo).to.include({ is_bot: true, can_join_groups: true, can_read_all_group_messages: true, supports_inline_queries: false });
      expect(api.apiRoot).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    });

    it("accepts a custom token and bot info", async () => {
      const custom = await FakeBotApi.start({ token: "42:other", botInfo: { username: "other_bot" } });
      try {
        const me = await new Bot("42:other", { client: { apiRoot: custom.apiRoot } }).api.getMe();
        expect(me.username).to.equal("other_bot");
        expect(me.id).to.equal(DEFAULT_BOT_INFO.id);
      } finally {
        await custom.stop();
      }
    });

    it("answers 401 to a wrong token and 404 to an unknown method", async () => {
      const wrongToken = await post(api, "getMe", {}, "1:wrong");
      expect(wrongToken.status).to.equal(401);
      expect(wrongToken.body).to.deep.equal({ ok: false, error_code: 401, description: "Unauthorized" });
      const unknown = await post(api, "frobnicate", {});
      expect(unknown.status).to.equal(404);
      expect(unknown.body).to.deep.equal({ ok: false, error_code: 404, description: "Not Found: method not found" });
    });

    it("accepts query parameters, urlencoded bodies and empty bodies", async () => {
      const query = await fetch(`${api.apiRoot}/bot${api.token}/sendMessage?chat_id=-100123&text=42`, { method: "POST" });
      const queryMessage = resultOf<{ chat: { id: number; type: string }; text: string }>((await query.json()) as ApiResponse);
      expect(queryMessage.chat).to.deep.include({ id: -100123, type: "supergroup" });
      expect(queryMessage.text).to.equal("42");
      const form = await fetch(`${api.apiRoot}/bot${api.token}/sendMessage`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "chat_id=7&text=hi%20there",
      });
      expect(resultOf<{ text: string; chat: { type: string } }>((await form.json()) as ApiResponse)).to.deep.include({ text: "hi there" });
      expect((await post(api, "deleteWebhook")).body).to.deep.equal({ ok: true, result: true });
    });

    it("decodes multipart uploads sent by grammY", async () => {
      const { InputFile } = await import("grammy");
      const bot = createBot(api);
      const message = await bot.api.sendPhoto(-100123, new InputFile(Buffer.from("not really a jpeg"), "cat.jpg"), { caption: "123" });
      expect(message.caption).to.equal("123");
      const call = await api.waitForCall("sendPhoto");
      expect(call.payload.chat_id).to.equal(-100123);
      expect(call.payload.photo).to.deep.equal({ filename: "cat.jpg", sizeBytes: 17 });
    });

    it("validates sendMessage like Telegram", async () => {
      const bot = createBot(api);
      const error = await rejectionOf(bot.api.sendMessage(1, ""));
      expect(error).to.be.instanceOf(GrammyError);
      expect((error as GrammyError).description).to.equal("Bad Request: message text is empty");
    });
  });

  describe("messages", () => {
    it("numbers sent messages per chat and returns realistic messages", async () => {
      const bot = createBot(api);
      const first = await bot.api.sendMessage(-500, "one", { entities: [{ type: "bold", offset: 0, length: 3 }] });
      const second = await bot.api.sendMessage(-500, "two");
      const other = await bot.api.sendMessage(77, "private");
      expect(second.message_id).to.equal(first.message_id + 1);
      expect(first.entities).to.deep.equal([{ type: "bold", offset: 0, length: 3 }]);
      expect(first.from).to.include({ id: api.botInfo.id, is_bot: true });
      expect(first.chat).to.include({ id: -500, type: "supergroup" });
      expect(other.chat).to.include({ id: 77, type: "private" });
      expect(first.date).to.be.closeTo(Date.now() / 1000, 5);
    });

    it("edits bot messages and rejects edits that change nothing", async () => {
      const bot = createBot(api);
      const sent = await bot.api.sendMessage(-500, "draft");
      const edited = await bot.api.editMessageText(-500, sent.message_id, "final");
      expect(edited).to.include({ text: "final", message_id: sent.message_id });
      expect(api.getMessage(-500, sent.message_id)?.text).to.equal("final");
      const error = await rejectionOf(bot.api.editMessageText(-500, sent.message_id, "final"));
      expect((error as GrammyError).description).to.match(/^Bad Request: message is not modified/);
    });

    it("avoids message id collisions between pushed user messages and bot messages", async () => {
      const chat = groupChat(-900);
      api.pushUpdate(textMessage({ chat, text: "a" }));
      api.pushUpdate(textMessage({ chat, text: "b" }));
      const sent = await createBot(api).api.sendMessage(-900, "reply");
      const later = textMessage({ chat });
      expect(later.message!.message_id).to.be.greaterThan(sent.message_id);
    });
  });

  describe("polling", () => {
    it("delivers pushed updates to bot.start() in order and confirms the offset on stop", async () => {
      const bot = createBot(api);
      const seen: string[] = [];
      let resolveAll!: () => void;
      const allSeen = new Promise<void>((resolve) => (resolveAll = resolve));
      bot.on("message:text", (ctx) => {
        seen.push(ctx.message.text);
        if (seen.length === 3) resolveAll();
      });
      const running = bot.start({ timeout: 10 });
      const ids = api.pushUpdates([textMessage({ text: "1" }), textMessage({ text: "2" }), textMessage({ text: "3" })]);
      await allSeen;
      await bot.stop();
      await running;
      expect(seen).to.deep.equal(["1", "2", "3"]);
      expect(api.confirmedOffset).to.equal(ids[2] + 1);
      expect(api.pendingUpdateCount()).to.equal(0);
      expect(api.getUpdatesCount).to.be.greaterThan(0);
      expect(api.callsTo("getUpdates")).to.have.length(0);
      const again = await post(api, "getUpdates", { offset: 0, timeout: 0 });
      expect(resultOf<Update[]>(again.body)).to.deep.equal([]);
    });

    it("keeps unconfirmed updates, drops confirmed ones forever and honours limit", async () => {
      const [first, second, third] = api.pushUpdates([textMessage(), textMessage(), textMessage()]);
      const all = resultOf<Update[]>((await post(api, "getUpdates", {})).body);
      expect(all.map((update) => update.update_id)).to.deep.equal([first, second, third]);
      const stillThere = resultOf<Update[]>((await post(api, "getUpdates", { limit: 1 })).body);
      expect(stillThere.map((update) => update.update_id)).to.deep.equal([first]);
      const afterConfirm = resultOf<Update[]>((await post(api, "getUpdates", { offset: second })).body);
      expect(afterConfirm.map((update) => update.update_id)).to.deep.equal([second, third]);
      const withoutOffset = resultOf<Update[]>((await post(api, "getUpdates", {})).body);
      expect(withoutOffset.map((update) => update.update_id)).to.deep.equal([second, third]);
      expect(api.confirmedOffset).to.equal(second);
      expect(api.pendingUpdateCount()).to.equal(2);
    });

    it("holds a long poll until an update is pushed", async () => {
      const started = Date.now();
      const poll = post(api, "getUpdates", { timeout: 10 });
      setTimeout(() => api.pushUpdate(textMessage({ text: "late" })), 50);
      const updates = resultOf<Update[]>((await poll).body);
      expect(updates).to.have.length(1);
      expect(updates[0].message?.text).to.equal("late");
      expect(Date.now() - started).to.be.lessThan(1000);
    });

    it("answers [] when the long-poll timeout elapses", async () => {
      const started = Date.now();
      const updates = resultOf<Update[]>((await post(api, "getUpdates", { timeout: 0.2 })).body);
      expect(updates).to.deep.equal([]);
      expect(Date.now() - started).to.be.within(150, 1000);
    });

    it("answers a held poll with 409 when another getUpdates arrives", async () => {
      const held = post(api, "getUpdates", { timeout: 10 });
      await new Promise((resolve) => setTimeout(resolve, 30));
      const second = post(api, "getUpdates", { timeout: 0 });
      expect((await held).status).to.equal(409);
      expect((await second).status).to.equal(200);
    });

    it("filters update types by allowed_updates like Telegram", async () => {
      const chatMember = {
        chat_member: {
          chat: groupChat(),
          from: user(),
          date: 1,
          old_chat_member: { status: "left", user: user({ id: 5 }) },
          new_chat_member: { status: "member", user: user({ id: 5 }) },
        },
      } as Omit<Update, "update_id">;
      api.pushUpdate(chatMember);
      api.pushUpdate(textMessage());
      const byDefault = resultOf<Update[]>((await post(api, "getUpdates", { allowed_updates: [] })).body);
      expect(byDefault.map((update) => Object.keys(update)[1])).to.deep.equal(["message"]);
      expect(api.filteredUpdateCount).to.equal(1);
      api.pushUpdate(chatMember);
      const allowed = resultOf<Update[]>((await post(api, "getUpdates", { allowed_updates: ["chat_member"], offset: byDefault[0].update_id + 1 })).body);
      expect(allowed.map((update) => Object.keys(update)[1])).to.deep.equal(["chat_member"]);
    });
  });

  describe("faults", () => {
    it("answers 429 with retry_after in parameters, then recovers", async () => {
      api.fail("sendMessage", { kind: "429", retryAfterSeconds: 7 }, { times: 1 });
      const bot = createBot(api);
      const error = await rejectionOf(bot.api.sendMessage(1, "x"));
      expect(error).to.be.instanceOf(GrammyError);
      expect((error as GrammyError).error_code).to.equal(429);
      expect((error as GrammyError).parameters.retry_after).to.equal(7);
      expect((error as GrammyError).description).to.equal("Too Many Requests: retry after 7");
      expect((await bot.api.sendMessage(1, "x")).text).to.equal("x");
      expect(api.callsTo("sendMessage").map((call) => call.status)).to.deep.equal([429, 200]);
    });

    it("answers 403, 400 and 5xx and consumes faults in order", async () => {
      api.fail("sendMessage", { kind: "403" }, { times: 1 });
      api.fail("sendMessage", { kind: "5xx", status: 502 }, { times: 1 });
      api.fail("sendMessage", { kind: "5xx" }, { times: 1 });
      api.fail("sendMessage", { kind: "400", description: "Bad Request: chat not found" }, { times: 1 });
      const results = [];
      for (let index = 0; index < 5; index += 1) results.push(await post(api, "sendMessage", { chat_id: 1, text: "x" }));
      expect(results.map((result) => result.status)).to.deep.equal([403, 502, 500, 400, 200]);
      expect(results[0].body).to.deep.equal({ ok: false, error_code: 403, description: "Forbidden: bot was blocked by the user" });
      expect(results[2].body).to.deep.equal({ ok: false, error_code: 500, description: "Internal Server Error" });
    });

    it("applies faults only to payloads matching `when`", async () => {
      api.fail("sendMessage", { kind: "403" }, { when: (payload) => payload.chat_id === 13 });
      expect((await post(api, "sendMessage", { chat_id: 12, text: "x" })).status).to.equal(200);
      expect((await post(api, "sendMessage", { chat_id: 13, text: "x" })).status).to.equal(403);
      expect((await post(api, "sendMessage", { chat_id: 13, text: "x" })).status).to.equal(403);
      api.clearFaults();
      expect((await post(api, "sendMessage", { chat_id: 13, text: "x" })).status).to.equal(200);
    });

    it("delays answers", async () => {
      api.fail("getMe", { kind: "delay", milliseconds: 150 }, { times: 1 });
      const started = Date.now();
      const me = await createBot(api).api.getMe();
      expect(me.username).to.equal("sticker_test_bot");
      expect(Date.now() - started).to.be.at.least(140);
    });

    it("can drop the connection", async () => {
      api.fail("getMe", { kind: "disconnect" }, { times: 1 });
      const error = await rejectionOf(createBot(api).api.getMe());
      expect(error).to.be.instanceOf(HttpError);
    });
  });

  describe("recording", () => {
    it("records calls with payloads, times and responses", async () => {
      const before = Date.now();
      await createBot(api).api.sendMessage(-100123, "hello", { reply_parameters: { message_id: 3 } });
      const [call] = api.callsTo("sendMessage");
      expect(call.payload).to.deep.include({ chat_id: -100123, text: "hello" });
      expect(call.status).to.equal(200);
      expect(call.at).to.be.within(before, Date.now());
      expect(call.response.ok).to.equal(true);
      api.clearCalls();
      expect(api.calls).to.have.length(0);
    });

    it("waitForCall resolves with past and future calls", async () => {
      const bot = createBot(api);
      await bot.api.sendMessage(1, "past");
      expect((await api.waitForCall("sendMessage")).payload.text).to.equal("past");
      const future = api.waitForCall("sendMessage", (payload) => payload.text === "future");
      await bot.api.sendMessage(1, "future");
      expect((await future).payload.text).to.equal("future");
      const several = api.waitForCalls("deleteMessage", 2);
      await bot.api.deleteMessage(1, 1);
      await bot.api.deleteMessage(1, 2);
      expect((await several).map((call) => call.payload.message_id)).to.deep.equal([1, 2]);
    });

    it("waitForCall times out with an error listing the methods seen", async () => {
      await createBot(api).api.sendMessage(1, "something else");
      const error = await rejectionOf(api.waitForCall("sendMessage", (payload) => payload.text === "never", 100));
      expect(error).to.be.instanceOf(Error);
      expect((error as Error).message).to.contain("timed out after 100 ms");
      expect((error as Error).message).to.contain("sendMessage×1");
      expect((error as Error).message).to.contain("something else");
    });
  });

  describe("rate limiting", () => {
    it("answers 429 beyond the per-second limit and counts them", async () => {
      api.setRateLimit({ method: "sendMessage", perSecond: 5, retryAfterSeconds: 2 });
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, index) => post(api, "sendMessage", { chat_id: index + 1, text: "x" })),
      );
      const limited = results.filter((result) => result.status === 429);
      expect(results.filter((result) => result.status === 200)).to.have.length(5);
      expect(limited).to.have.length(7);
      expect(api.rateLimitedCount).to.equal(7);
      expect(limited[0].body).to.deep.include({ error_code: 429, parameters: { retry_after: 2 } });
      expect((await post(api, "getMe")).status).to.equal(200);
    });
  });

  describe("overrides and chat state", () => {
    it("lets tests override methods with results or errors", async () => {
      api.on("sendMessage", (payload, fake) =>
        payload.chat_id === 666 ? apiError(403, "Forbidden: user is deactivated") : fake.callDefault("sendMessage", payload),
      );
      api.on("getStickerSet", (payload) => ({ name: payload.name, title: "Set", sticker_type: "regular", stickers: [] }));
      const bot = createBot(api);
      expect((await bot.api.sendMessage(1, "ok")).text).to.equal("ok");
      const error = await rejectionOf(bot.api.sendMessage(666, "no"));
      expect((error as GrammyError).error_code).to.equal(403);
      expect((await bot.api.getStickerSet("cats")).name).to.equal("cats");
    });

    it("reports administrators and tracks restrictions", async () => {
      const owner = user({ id: 10 });
      const moderator = user({ id: 11 });
      const bot = createBot(api);
      expect((await bot.api.getChatAdministrators(-100123)).map((member) => member.user.id)).to.deep.equal([api.botInfo.id]);
      api.setChatAdministrators(-100123, [{ user: owner, status: "creator" }, moderator], { includeBot: true });
      expect((await bot.api.getChatMember(-100123, 10)).status).to.equal("creator");
      expect((await bot.api.getChatMember(-100123, 11)).status).to.equal("administrator");
      expect((await bot.api.getChatMember(-100123, 12)).status).to.equal("member");
      await bot.api.restrictChatMember(-100123, 12, { can_send_messages: false });
      expect((await bot.api.getChatMember(-100123, 12)).status).to.equal("restricted");
      const error = await rejectionOf(bot.api.restrictChatMember(-100123, 11, { can_send_messages: false }));
      expect((error as GrammyError).description).to.equal("Bad Request: user is an administrator of the chat");
      api.setChat({ id: -100123, title: "Sticker Lovers", description: "about stickers" });
      expect(await bot.api.getChat(-100123)).to.include({ type: "supergroup", title: "Sticker Lovers", description: "about stickers" });
      expect((await bot.api.sendMessage(-100123, "hi")).chat).to.include({ title: "Sticker Lovers" });
      expect(await bot.api.setMessageReaction(-100123, 1, [{ type: "emoji", emoji: "👍" }])).to.equal(true);
    });
  });

  describe("stop", () => {
    it("releases a held long poll and a hung request quickly", async () => {
      api.fail("sendMessage", { kind: "hang" });
      const poll = post(api, "getUpdates", { timeout: 50 });
      const hung = rejectionOf(post(api, "sendMessage", { chat_id: 1, text: "x" }));
      await api.waitForCall("sendMessage");
      const started = Date.now();
      await api.stop();
      expect(Date.now() - started).to.be.lessThan(500);
      expect(resultOf<Update[]>((await poll).body)).to.deep.equal([]);
      expect(await hung).to.be.instanceOf(Error);
    });

    it("stops while grammY is long polling", async () => {
      const bot = createBot(api);
      const running = bot.start({ timeout: 30 });
      await new Promise((resolve) => setTimeout(resolve, 50));
      await bot.stop();
      await running;
      const started = Date.now();
      await api.stop();
      expect(Date.now() - started).to.be.lessThan(500);
    });
  });
});

describe("update factories", () => {
  it("builds command messages with a bot_command entity", () => {
    const update = commandMessage({ command: "/buy@sticker_test_bot 1" });
    expect(update.message?.entities).to.deep.equal([{ type: "bot_command", offset: 0, length: "/buy@sticker_test_bot".length }]);
    expect(update.message?.text).to.equal("/buy@sticker_test_bot 1");
  });

  it("auto-increments message ids per chat and update ids globally", () => {
    const chat = groupChat(-4242);
    const first = textMessage({ chat });
    const second = stickerMessage({ chat });
    const elsewhere = photoMessage({ chat: privateChat(user({ id: 31337 })), caption: "look" });
    expect(second.message!.message_id).to.equal(first.message!.message_id + 1);
    expect(second.update_id).to.be.greaterThan(first.update_id);
    expect(elsewhere.message!.chat).to.include({ id: 31337, type: "private" });
    expect(second.message!.sticker).to.include({ type: "regular", is_animated: false, is_video: false });
    expect(elsewhere.message!.photo).to.have.length.greaterThan(0);
  });

  it("builds edited messages, replies and callback queries", () => {
    const original = textMessage({ text: "v1" });
    const edited = editedTextMessage({ message_id: original.message!.message_id, text: "v2" });
    expect(edited.edited_message).to.include({ message_id: original.message!.message_id, text: "v2" });
    const reply = textMessage({ reply_to_message: original });
    expect(reply.message?.reply_to_message?.text).to.equal("v1");
    const press = callbackQuery({ data: "buy:1", message: reply });
    expect(press.callback_query?.data).to.equal("buy:1");
  });
});
