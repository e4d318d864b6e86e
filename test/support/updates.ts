/**
 * Factories for Telegram `Update` objects used by end-to-end tests and
 * benchmarks together with {@link FakeBotApi} (see `fake-bot-api.ts`).
 *
 * Every factory fills in realistic defaults so a test only states what it
 * cares about. Identifiers come from module-wide counters:
 *
 * - `update_id` increases by one per created update ({@link nextUpdateId}).
 * - `message_id` increases by one per chat ({@link nextMessageId}); the fake
 *   Bot API draws the ids of messages the bot sends from the same counter, so
 *   user messages and bot messages never collide within a chat.
 * - `date` is the current time in Unix seconds.
 *
 * @module
 */
import type {
  CallbackQuery,
  Chat,
  Message,
  MessageEntity,
  MessageOrigin,
  PhotoSize,
  Sticker,
  Update,
  User,
} from "grammy/types";

/** A chat a user can write in: private chat, group or supergroup (not a channel). */
export type NonChannelChat = Exclude<Chat, Chat.ChannelChat>;

/** A message as it appears inside an `Update` (`update.message`). */
export type UpdateMessage = NonNullable<Update["message"]>;

/** Default chat id of {@link groupChat}: a supergroup id (negative, like real ones). */
export const DEFAULT_GROUP_CHAT_ID = -100123;

/** Id of the first user created by {@link user} without an explicit id. */
const FIRST_GENERATED_USER_ID = 100_001;

let updateIdCounter = 0;
let userIdCounter = FIRST_GENERATED_USER_ID - 1;
let fileCounter = 0;
const lastMessageIdByChat = new Map<number, number>();

/**
 * Returns the next update id (1, 2, 3, … for the life of the process unless
 * {@link resetUpdateFactories} is called). Used by every factory here and by
 * `FakeBotApi.pushUpdate` for updates pushed without an id.
 */
export function nextUpdateId(): number {
  updateIdCounter += 1;
  return updateIdCounter;
}

/**
 * Tells the update id counter that `updateId` is in use, so later
 * {@link nextUpdateId} calls return larger ids. Called by `FakeBotApi.pushUpdate`
 * for updates that already carry an id.
 */
export function observeUpdateId(updateId: number): void {
  if (updateId > updateIdCounter) updateIdCounter = updateId;
}

/**
 * Returns the next message id for `chatId` (starts at 1 per chat). Shared by
 * the message factories and the fake Bot API's send methods.
 */
export function nextMessageId(chatId: number): number {
  const next = (lastMessageIdByChat.get(chatId) ?? 0) + 1;
  lastMessageIdByChat.set(chatId, next);
  return next;
}

/**
 * Tells the per-chat message id counter that `messageId` is in use in
 * `chatId`, so later {@link nextMessageId} calls for that chat return larger ids.
 */
export function observeMessageId(chatId: number, messageId: number): void {
  if (messageId > (lastMessageIdByChat.get(chatId) ?? 0)) lastMessageIdByChat.set(chatId, messageId);
}

/**
 * Resets all counters (update ids, per-chat message ids, generated user ids,
 * file ids). Only needed by tests that assert exact ids.
 */
export function resetUpdateFactories(): void {
  updateIdCounter = 0;
  userIdCounter = FIRST_GENERATED_USER_ID - 1;
  fileCounter = 0;
  lastMessageIdByChat.clear();
}

/** Current time in Unix seconds, the unit of every Telegram `date` field. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/**
 * Creates a human user. Defaults: `id` = next generated id (from 100001),
 * `is_bot` false, `first_name` "User<id>", `username` "user<id>",
 * `language_code` "en". Pass `username: undefined` / `language_code: undefined`
 * explicitly to omit them.
 */
export function user(overrides: Partial<User> = {}): User {
  const id = overrides.id ?? (userIdCounter += 1);
  const result: User = {
    id,
    is_bot: false,
    first_name: `User${id}`,
    username: `user${id}`,
    language_code: "en",
    ...overrides,
  };
  for (const key of Object.keys(result) as (keyof User)[]) {
    if (result[key] === undefined) delete result[key];
  }
  return result;
}

/** The user that factories use as `from` when none is given (id 424242, "Alice", @alice). */
export const defaultUser: User = Object.freeze(
  user({ id: 424242, first_name: "Alice", username: "alice" }),
) as User;

/**
 * Creates a supergroup chat. Default id {@link DEFAULT_GROUP_CHAT_ID}
 * (-100123), default title "Test Group <id>".
 */
export function groupChat(
  id: number = DEFAULT_GROUP_CHAT_ID,
  overrides: Partial<Omit<Chat.SupergroupChat, "id" | "type">> = {},
): Chat.SupergroupChat {
  return { id, type: "supergroup", title: `Test Group ${id}`, ...overrides };
}

/** Creates the private chat between the bot and `chatUser` (chat id = user id). */
export function privateChat(chatUser: User = defaultUser): Chat.PrivateChat {
  const chat: Chat.PrivateChat = { id: chatUser.id, type: "private", first_name: chatUser.first_name };
  if (chatUser.last_name !== undefined) chat.last_name = chatUser.last_name;
  if (chatUser.username !== undefined) chat.username = chatUser.username;
  return chat;
}

/** Fields shared by all message factories. */
export interface MessageOptions {
  /** Chat the message is in. Default: {@link groupChat}() (supergroup -100123). */
  chat?: NonChannelChat;
  /** Sender. Default: {@link defaultUser}. */
  from?: User;
  /** Message id. Default: next id of the chat ({@link nextMessageId}). */
  message_id?: number;
  /** Unix seconds. Default: now. */
  date?: number;
  /** Message replied to; an `Update` is accepted and its message is used. */
  reply_to_message?: Message | Update;
  /** Forward origin, to make the message a forward. */
  forward_origin?: MessageOrigin;
  /** Update id. Default: {@link nextUpdateId}. */
  update_id?: number;
}

/** Options of {@link textMessage} and {@link editedTextMessage}. */
export interface TextMessageOptions extends MessageOptions {
  /** Message text. Default: "hello". */
  text?: string;
  /** Text entities (offsets/lengths in UTF-16 code units). Default: none. */
  entities?: MessageEntity[];
}

/** Options of {@link stickerMessage}. */
export interface StickerMessageOptions extends MessageOptions {
  /** Fields overriding the generated sticker (a 512×512 static regular sticker). */
  sticker?: Partial<Sticker>;
}

/** Options of {@link photoMessage}. */
export interface PhotoMessageOptions extends MessageOptions {
  /** Caption. Default: none. */
  caption?: string;
  /** Caption entities. Default: none. */
  caption_entities?: MessageEntity[];
  /** Photo sizes. Default: two generated sizes (90×90 and 800×800). */
  photo?: PhotoSize[];
}

/** Options of {@link commandMessage}. */
export interface CommandMessageOptions extends MessageOptions {
  /** Full message text starting with the command, e.g. "/buy 1" or "/buy@sticker_test_bot 1". Default "/start". */
  command?: string;
  /** Extra entities after the command entity. */
  entities?: MessageEntity[];
}

/** Options of {@link newChatMembersMessage}. */
export interface NewChatMembersMessageOptions extends MessageOptions {
  /** Users who joined. Default: `[from]`. */
  new_chat_members?: User[];
}

/** Options of {@link callbackQuery}. */
export interface CallbackQueryOptions {
  /** User who pressed the button. Default: {@link defaultUser}. */
  from?: User;
  /** Message the button belongs to (an `Update` is accepted). Default: none. */
  message?: Message | Update;
  /** Callback data. Default: "data". */
  data?: string;
  /** Callback query id. Default: generated unique string. */
  id?: string;
  /** Update id. Default: {@link nextUpdateId}. */
  update_id?: number;
}

function messageOf(value: Message | Update): Message {
  if ("update_id" in value) {
    const found = value.message ?? value.edited_message ?? value.channel_post ?? value.edited_channel_post;
    if (found === undefined) throw new Error("update has no message to reply to");
    return found;
  }
  return value;
}

function baseMessage(options: MessageOptions): UpdateMessage {
  const chat = options.chat ?? groupChat();
  const messageId = options.message_id ?? nextMessageId(chat.id);
  observeMessageId(chat.id, messageId);
  const message: UpdateMessage = {
    message_id: messageId,
    date: options.date ?? nowSeconds(),
    chat,
    from: options.from ?? defaultUser,
  };
  if (options.reply_to_message !== undefined) {
    const { reply_to_message: _nested, ...replied } = messageOf(options.reply_to_message);
    message.reply_to_message = { ...replied, reply_to_message: undefined };
  }
  if (options.forward_origin !== undefined) message.forward_origin = options.forward_origin;
  return message;
}

function messageUpdate(options: MessageOptions, message: UpdateMessage): Update {
  return { update_id: options.update_id ?? nextUpdateId(), message };
}

function nextFileIds(prefix: string): { file_id: string; file_unique_id: string } {
  fileCounter += 1;
  return { file_id: `${prefix}-file-${fileCounter}`, file_unique_id: `${prefix}-unique-${fileCounter}` };
}

/** Creates an Update with a text `message`. Defaults: see {@link TextMessageOptions}. */
export function textMessage(options: TextMessageOptions = {}): Update {
  const message = baseMessage(options);
  message.text = options.text ?? "hello";
  if (options.entities !== undefined) message.entities = options.entities;
  return messageUpdate(options, message);
}

/**
 * Creates an Update whose message is a text starting with a bot command, with a
 * `bot_command` entity at offset 0 covering the command (including any
 * "@botname" suffix). Example: `commandMessage({ command: "/buy 1" })`.
 */
export function commandMessage(options: CommandMessageOptions = {}): Update {
  const text = options.command ?? "/start";
  if (!text.startsWith("/")) throw new Error(`command must start with "/": ${JSON.stringify(text)}`);
  const commandLength = text.split(/\s/, 1)[0].length;
  const entities: MessageEntity[] = [{ type: "bot_command", offset: 0, length: commandLength }, ...(options.entities ?? [])];
  return textMessage({ ...options, text, entities });
}

/**
 * Creates an Update with a sticker `message`. The default sticker is a static
 * 512×512 "regular" sticker (😀, set "TestStickers") with fresh file ids.
 */
export function stickerMessage(options: StickerMessageOptions = {}): Update {
  const message = baseMessage(options);
  message.sticker = {
    ...nextFileIds("sticker"),
    type: "regular",
    width: 512,
    height: 512,
    is_animated: false,
    is_video: false,
    emoji: "😀",
    set_name: "TestStickers",
    file_size: 24_576,
    ...options.sticker,
  };
  return messageUpdate(options, message);
}

/** Creates an Update with a photo `message` (optionally captioned). */
export function photoMessage(options: PhotoMessageOptions = {}): Update {
  const message = baseMessage(options);
  message.photo = options.photo ?? [
    { ...nextFileIds("photo"), width: 90, height: 90, file_size: 1_500 },
    { ...nextFileIds("photo"), width: 800, height: 800, file_size: 65_000 },
  ];
  if (options.caption !== undefined) message.caption = options.caption;
  if (options.caption_entities !== undefined) message.caption_entities = options.caption_entities;
  return messageUpdate(options, message);
}

/**
 * Creates an Update with `edited_message`: a text message edited now
 * (`edit_date` = now). Pass the original `message_id` to edit a known message;
 * `date` defaults to now as well.
 */
export function editedTextMessage(options: TextMessageOptions & { edit_date?: number } = {}): Update {
  const message = baseMessage(options);
  message.text = options.text ?? "hello (edited)";
  if (options.entities !== undefined) message.entities = options.entities;
  return {
    update_id: options.update_id ?? nextUpdateId(),
    edited_message: { ...message, edit_date: options.edit_date ?? nowSeconds() },
  };
}

/** Creates an Update with a service message announcing users who joined the chat. */
export function newChatMembersMessage(options: NewChatMembersMessageOptions = {}): Update {
  const message = baseMessage(options);
  message.new_chat_members = options.new_chat_members ?? [message.from];
  return messageUpdate(options, message);
}

let callbackQueryCounter = 0;

/** Creates an Update with a `callback_query` (an inline keyboard button press). */
export function callbackQuery(options: CallbackQueryOptions = {}): Update {
  callbackQueryCounter += 1;
  const query: CallbackQuery = {
    id: options.id ?? `cbq-${Date.now()}-${callbackQueryCounter}`,
    from: options.from ?? defaultUser,
    chat_instance: "test-chat-instance",
    data: options.data ?? "data",
  };
  if (options.message !== undefined) query.message = messageOf(options.message);
  return { update_id: options.update_id ?? nextUpdateId(), callback_query: query };
}
