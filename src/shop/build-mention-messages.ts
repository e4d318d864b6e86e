import type { MessageEntity } from "grammy/types";
import { displayName } from "../users/user-roster.js";

/** A member to mention. */
export interface MentionTarget {
  id: number;
  username: string | null;
  first_name: string;
  last_name: string | null;
}

/** One message of mentions: its text and the mention entities. */
export interface MentionMessage {
  text: string;
  entities: MessageEntity[];
  /** How many users this message mentions. */
  count: number;
}

/**
 * Splits the members into messages of `perMessage` mentions each. A user with
 * a username is written `@username` (with a `mention` entity); a user without
 * one gets their name with a `text_mention` entity (the Bot API's way to
 * mention by id). Entities are used instead of a parse_mode, so names need no
 * escaping. Offsets are UTF-16 code units, which is what JavaScript string
 * lengths count.
 */
export function buildMentionMessages(members: readonly MentionTarget[], perMessage: number): MentionMessage[] {
  const size = Math.max(1, Math.floor(perMessage));
  const messages: MentionMessage[] = [];
  for (let start = 0; start < members.length; start += size) {
    const chunk = members.slice(start, start + size);
    let text = "";
    const entities: MessageEntity[] = [];
    for (const member of chunk) {
      if (text !== "") text += ", ";
      if (member.username !== null && member.username !== "") {
        const mention = `@${member.username}`;
        entities.push({ type: "mention", offset: text.length, length: mention.length });
        text += mention;
      } else {
        // A name of only invisible characters would make an empty, unclickable entity.
        const name = displayName(member).trim() || `id${member.id}`;
        entities.push({
          type: "text_mention",
          offset: text.length,
          length: name.length,
          user: { id: Number(member.id), is_bot: false, first_name: member.first_name || name },
        });
        text += name;
      }
    }
    messages.push({ text, entities, count: chunk.length });
  }
  return messages;
}
