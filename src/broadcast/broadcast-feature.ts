import { CommandHandlers } from "../bot/command-handlers.js";
import type { MessageEntity } from "grammy/types";
import type { CommandInfo, Feature, FeatureFactory } from "../app/services.js";
import { replyOptions, requireAdmin } from "../admin/require-admin.js";
import type { BotContext } from "../bot/context.js";
import { parsePositiveInteger } from "../bot/command-arguments.js";
import { BroadcastScheduler } from "./broadcast-scheduler.js";
import { DAY_MILLISECONDS } from "../time/durations.js";

/** Telegram's limit on a message's text, in UTF-16 code units. */
const MAX_TEXT_LENGTH = 4096;

const BROADCAST_COMMANDS: CommandInfo[] = [
  { command: "broadcast", description: "admin.command.broadcast", adminOnly: true },
  { command: "broadcast_cancel", description: "admin.command.broadcastCancel", adminOnly: true },
];

/**
 * `/broadcast text` and `/broadcast_cancel [id]` (bot admins only: a broadcast
 * reaches every user of the bot). Jobs are durable; see {@link BroadcastScheduler}.
 * `status()` shows the running and queued broadcasts with their progress.
 */
export const createBroadcastFeature: FeatureFactory = (services) => {
  const scheduler = new BroadcastScheduler({ services });
  const handlers = new CommandHandlers<BotContext>();

  handlers.command("broadcast", requireAdmin("bot"), async (ctx) => {
    const { text, entities } = broadcastText(ctx);
    if (text === "") {
      await ctx.reply(ctx.t("core.usage", { usage: ctx.t("admin.broadcast.usage") }), replyOptions(ctx));
      return;
    }
    if (text.length > MAX_TEXT_LENGTH) {
      await ctx.reply(ctx.t("admin.broadcast.tooLong", { length: text.length, max: MAX_TEXT_LENGTH }), replyOptions(ctx));
      return;
    }
    // Users who just sent /start must be in the snapshot.
    await services.roster.flush();
    const result = await scheduler.enqueue({ adminId: ctx.from!.id, adminChatId: ctx.chat.id, language: ctx.language, text, entities });
    if (result.kind === "empty") {
      await ctx.reply(ctx.t("admin.broadcast.noRecipients"), replyOptions(ctx));
      return;
    }
    const job = result.job;
    const reply =
      result.kind === "started"
        ? ctx.t("admin.broadcast.starting", { id: String(job.id), total: job.total })
        : ctx.t("admin.broadcast.queued", { id: String(job.id), total: job.total, position: result.position, runningId: String(result.runningId) });
    let messageId: number | null = null;
    try {
      messageId = (await ctx.reply(reply, replyOptions(ctx))).message_id;
    } finally {
      // The job runs even when the reply failed; its report then comes as a new message.
      await scheduler.attachProgressMessage(job.id, messageId);
    }
  });

  handlers.command("broadcast_cancel", requireAdmin("bot"), async (ctx) => {
    const argument = ctx.match.trim();
    const id = argument === "" ? undefined : parsePositiveInteger(argument.replace(/^#/, ""));
    if (argument !== "" && id === undefined) {
      await ctx.reply(ctx.t("core.usage", { usage: ctx.t("admin.broadcast.cancel.usage") }), replyOptions(ctx));
      return;
    }
    const result = await scheduler.cancel(id, ctx.from!.id);
    const text =
      result.kind === "stopping"
        ? ctx.t("admin.broadcast.cancel.stopping", { id: String(result.id) })
        : result.kind === "dequeued"
          ? ctx.t("admin.broadcast.cancel.dequeued", { id: String(result.id) })
          : result.kind === "notFound"
            ? ctx.t("admin.broadcast.cancel.notFound", { id: String(result.id) })
            : ctx.t("admin.broadcast.cancel.nothing");
    await ctx.reply(text, replyOptions(ctx));
  });

  const feature: Feature = {
    name: "broadcast",
    commandHandlers: handlers,
    commands: BROADCAST_COMMANDS,
    cleanupSteps: [
      {
        name: "broadcast retention",
        async run(now) {
          const cutoff = now - services.settings.current.retention.taskRunDays * DAY_MILLISECONDS;
          return { purged: { broadcasts: await scheduler.store.purgeFinishedBefore(cutoff) } };
        },
      },
    ],
    start: async () => scheduler.start(),
    stop: () => scheduler.stop(),
    status: () => scheduler.status() as unknown as Promise<Record<string, unknown>>,
  };
  return feature;
};

/** The text after the command, with its formatting entities moved to the text's own offsets. */
function broadcastText(ctx: BotContext): { text: string; entities: MessageEntity[] | undefined } {
  const message = ctx.msg!;
  const full = message.text ?? "";
  const commandEntity = message.entities?.find((entity) => entity.type === "bot_command" && entity.offset === 0);
  let start = commandEntity?.length ?? full.search(/\s|$/);
  while (start < full.length && /\s/.test(full[start])) start += 1;
  const text = full.slice(start).trimEnd();
  const entities = (message.entities ?? [])
    .filter((entity) => entity.offset >= start && entity.offset + entity.length <= start + text.length)
    .map((entity) => ({ ...entity, offset: entity.offset - start }));
  return { text, entities: entities.length === 0 ? undefined : entities };
}
