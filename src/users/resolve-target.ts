import type { BotContext } from "../bot/context.js";
import type { MessageKey } from "../i18n/catalogue.js";
import type { UserRow } from "./user-roster.js";

/** The outcome of {@link resolveTargetUser}. */
export type TargetResolution =
  | { ok: true; user: UserRow; consumedArgument: boolean }
  | { ok: false; reason: MessageKey; shown: string };

/**
 * Finds the user an admin command is about: the author of the replied-to
 * message (unless an @username is given), else `@username` (exact,
 * case-insensitive), else a numeric id.
 * Never a substring match. `argument` is the first word after the command.
 */
export async function resolveTargetUser(ctx: BotContext, argument: string | undefined): Promise<TargetResolution> {
  const roster = ctx.services.roster;
  if (argument !== undefined && argument.startsWith("@") && argument.length > 1) {
    const user = await roster.findByUsername(argument);
    return user === undefined ? { ok: false, reason: "core.target.unknown", shown: argument } : { ok: true, user, consumedArgument: true };
  }
  const replied = ctx.msg?.reply_to_message?.from;
  if (replied !== undefined && !replied.is_bot) {
    const user = await roster.ensureUser(replied);
    return { ok: true, user, consumedArgument: false };
  }
  if (argument !== undefined && /^\d{1,16}$/.test(argument)) {
    const user = await roster.findById(Number(argument));
    return user === undefined ? { ok: false, reason: "core.target.unknown", shown: argument } : { ok: true, user, consumedArgument: true };
  }
  if (argument !== undefined && /^[A-Za-z][\w]{3,31}$/.test(argument)) {
    // A username written without @.
    const user = await roster.findByUsername(argument);
    if (user !== undefined) return { ok: true, user, consumedArgument: true };
    return { ok: false, reason: "core.target.unknown", shown: argument };
  }
  return { ok: false, reason: "core.target.missing", shown: argument ?? "" };
}
