import type { Message, MessageEntity, User } from "grammy/types";
import { displayName, type UserRoster } from "../users/user-roster.js";

/** How the credited player was found. */
export type TargetSource = "reply" | "text_mention" | "mention" | "name";

/** The outcome of {@link resolveReportTarget}. */
export type ReportTarget =
  | {
      ok: true;
      userId: number;
      /** The Telegram user to register before crediting (reply and text mention), null when already known. */
      user: User | null;
      /** How replies and logs name the player. */
      label: string;
      via: TargetSource;
    }
  | { ok: false; reason: string };

/**
 * Finds the player a game bot's report is about, in this order:
 * 1. the author of the message the bot replied to (GDcards replies to `/card`);
 * 2. the user of a `text_mention` entity (a player without a username, linked by id);
 * 3. an `@username` mention of a user the bot knows;
 * 4. the rule's `user` capture, compared with the usernames and display names
 *    ("First Last") of the users seen in this chat (Shmalala writes the name in
 *    plain bold text).
 * Bots are never credited. No match, or two users with that name, is a failure with the reason.
 */
export async function resolveReportTarget(
  message: Pick<Message, "reply_to_message" | "chat">,
  text: string,
  entities: readonly MessageEntity[],
  userName: string | null,
  roster: UserRoster,
): Promise<ReportTarget> {
  const replied = message.reply_to_message?.from;
  if (replied !== undefined && !replied.is_bot) {
    return { ok: true, userId: replied.id, user: replied, label: labelOf(replied), via: "reply" };
  }
  for (const entity of entities) {
    if (entity.type === "text_mention" && !entity.user.is_bot) {
      return { ok: true, userId: entity.user.id, user: entity.user, label: labelOf(entity.user), via: "text_mention" };
    }
  }
  for (const entity of entities) {
    if (entity.type !== "mention") continue;
    const username = text.slice(entity.offset, entity.offset + entity.length);
    const known = await roster.findByUsername(username);
    if (known !== undefined && !known.is_bot) {
      return { ok: true, userId: Number(known.id), user: null, label: `@${known.username ?? username.replace(/^@/, "")}`, via: "mention" };
    }
  }
  if (userName === null) return { ok: false, reason: "no player found: not a reply, no mention, and the rule has no user capture" };
  const candidates = (await roster.findInChatByName(message.chat.id, userName.replace(/^@/, ""))).filter((row) => !row.is_bot);
  if (candidates.length === 0) return { ok: false, reason: `no user named "${userName}" is known in this chat` };
  if (candidates.length > 1) {
    return { ok: false, reason: `"${userName}" is ambiguous: ${candidates.length} users in this chat have that name` };
  }
  const [found] = candidates;
  return { ok: true, userId: Number(found.id), user: null, label: found.username !== null ? `@${found.username}` : displayName(found), via: "name" };
}

function labelOf(user: User): string {
  return user.username !== undefined ? `@${user.username}` : displayName(user);
}
