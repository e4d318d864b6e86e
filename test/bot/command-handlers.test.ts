import { expect } from "chai";
import { Bot, type CommandMiddleware, Composer, type Context } from "grammy";
import type { Update } from "grammy/types";
import { CommandHandlers } from "../../src/bot/command-handlers.js";
import { DEFAULT_BOT_INFO } from "../support/fake-bot-api.js";
import {
  commandMessage,
  editedTextMessage,
  groupChat,
  photoMessage,
  stickerMessage,
  textMessage,
} from "../support/updates.js";

const BOT_USERNAME = DEFAULT_BOT_INFO.username; // "sticker_test_bot"

/** A bot that never talks to the network: getMe is answered by `botInfo`. */
function offlineBot(): Bot<Context> {
  return new Bot<Context>("1000001:offline", { botInfo: { ...DEFAULT_BOT_INFO } });
}

/**
 * Installs `commands` on an offline bot, followed by a catch-all that records
 * "next" (the update went past the router).
 */
function routerBot(commands: CommandHandlers<Context>, log: string[]): Bot<Context> {
  const bot = offlineBot();
  bot.use(commands.middleware());
  bot.use(() => {
    log.push("next");
  });
  return bot;
}

/** A handler that records `<label>:<ctx.match>` and stops. */
function recorder(log: string[], label: string): CommandMiddleware<Context> {
  return (ctx) => {
    log.push(`${label}:${ctx.match}`);
  };
}

/** A handler that records `<label>` and calls next. */
function passOn(log: string[], label: string): CommandMiddleware<Context> {
  return async (_ctx, next) => {
    log.push(label);
    await next();
  };
}

/** A channel post with a text and entities. */
function channelPost(text: string, commandLength: number): Update {
  return {
    update_id: 9_000_001,
    channel_post: {
      message_id: 1,
      date: 0,
      chat: { id: -100424242, type: "channel", title: "Channel" },
      text,
      entities: [{ type: "bot_command", offset: 0, length: commandLength }],
    },
  };
}

describe("CommandHandlers", () => {
  describe("dispatch", () => {
    let log: string[];
    let bot: Bot<Context>;
    beforeEach(() => {
      log = [];
      const commands = new CommandHandlers<Context>()
        .command("balance", recorder(log, "balance"))
        .command("buy", recorder(log, "buy"));
      bot = routerBot(commands, log);
    });

    it("runs only the handler of the command in the message", async () => {
      await bot.handleUpdate(commandMessage({ command: "/balance" }));
      expect(log).to.deep.equal(["balance:"]);
    });

    it("sets ctx.match to the rest of the text without leading whitespace", async () => {
      await bot.handleUpdate(commandMessage({ command: "/buy   3 x" }));
      await bot.handleUpdate(commandMessage({ command: "/buy\n\n  two lines\nhere" }));
      await bot.handleUpdate(commandMessage({ command: "/buy 3 " }));
      expect(log).to.deep.equal(["buy:3 x", "buy:two lines\nhere", "buy:3 "]);
    });

    it("sets ctx.match to the empty string for a bare command", async () => {
      await bot.handleUpdate(commandMessage({ command: "/buy" }));
      expect(log).to.deep.equal(["buy:"]);
    });

    it("matches /name@botusername with the username in any case", async () => {
      await bot.handleUpdate(commandMessage({ command: `/buy@${BOT_USERNAME} 1` }));
      await bot.handleUpdate(commandMessage({ command: "/buy@Sticker_Test_Bot   2" }));
      await bot.handleUpdate(commandMessage({ command: "/balance@STICKER_TEST_BOT" }));
      expect(log).to.deep.equal(["buy:1", "buy:2", "balance:"]);
    });

    it("passes /name@other_bot on to the next middleware", async () => {
      await bot.handleUpdate(commandMessage({ command: "/buy@other_bot 1" }));
      await bot.handleUpdate(commandMessage({ command: `/buy@${BOT_USERNAME}x 1` }));
      await bot.handleUpdate(commandMessage({ command: `/buy@other@${BOT_USERNAME} 1` }));
      expect(log).to.deep.equal(["next", "next", "next"]);
    });

    it("matches the command name case-sensitively, like grammY", async () => {
      await bot.handleUpdate(commandMessage({ command: "/BUY 1" }));
      await bot.handleUpdate(commandMessage({ command: "/Balance" }));
      expect(log).to.deep.equal(["next", "next"]);
    });

    it("matches a command in a channel post", async () => {
      await bot.handleUpdate(channelPost("/buy 5", 4));
      expect(log).to.deep.equal(["buy:5"]);
    });
  });

  describe("updates that are not one of the commands", () => {
    let log: string[];
    let bot: Bot<Context>;
    beforeEach(() => {
      log = [];
      bot = routerBot(new CommandHandlers<Context>().command("buy", recorder(log, "buy")), log);
    });

    it("pass a plain text on to the next middleware", async () => {
      await bot.handleUpdate(textMessage({ text: "buy 3" }));
      expect(log).to.deep.equal(["next"]);
    });

    it("pass a command that is not registered on to the next middleware", async () => {
      await bot.handleUpdate(commandMessage({ command: "/sell 3" }));
      await bot.handleUpdate(commandMessage({ command: `/sell@${BOT_USERNAME} 3` }));
      expect(log).to.deep.equal(["next", "next"]);
    });

    it("pass a name that only starts like a registered one on to the next middleware", async () => {
      await bot.handleUpdate(commandMessage({ command: "/buying 3" }));
      await bot.handleUpdate(commandMessage({ command: "/bu 3" }));
      expect(log).to.deep.equal(["next", "next"]);
    });

    it("pass a text starting with / but without a bot_command entity on", async () => {
      await bot.handleUpdate(textMessage({ text: "/buy 3" }));
      expect(log).to.deep.equal(["next"]);
    });

    it("pass a bot_command entity that is not at offset 0 on", async () => {
      await bot.handleUpdate(
        textMessage({ text: "hey /buy 3", entities: [{ type: "bot_command", offset: 4, length: 4 }] }),
      );
      // Read from offset 0, the entity's span would spell "buy" here: it must still not match.
      await bot.handleUpdate(
        textMessage({ text: "Xbuy /buy 3", entities: [{ type: "bot_command", offset: 5, length: 4 }] }),
      );
      expect(log).to.deep.equal(["next", "next"]);
    });

    it("pass another entity type at offset 0 on", async () => {
      await bot.handleUpdate(textMessage({ text: "/buy 3", entities: [{ type: "bold", offset: 0, length: 4 }] }));
      expect(log).to.deep.equal(["next"]);
    });

    it("pass a photo captioned /buy on", async () => {
      await bot.handleUpdate(
        photoMessage({ caption: "/buy 3", caption_entities: [{ type: "bot_command", offset: 0, length: 4 }] }),
      );
      expect(log).to.deep.equal(["next"]);
    });

    it("pass a sticker on", async () => {
      await bot.handleUpdate(stickerMessage());
      expect(log).to.deep.equal(["next"]);
    });

    it("pass an edited message with a command on", async () => {
      await bot.handleUpdate(
        editedTextMessage({ text: "/buy 3", entities: [{ type: "bot_command", offset: 0, length: 4 }] }),
      );
      expect(log).to.deep.equal(["next"]);
    });
  });

  describe("several names and handlers", () => {
    it("registers every name of an array for the same handlers", async () => {
      const log: string[] = [];
      const bot = routerBot(new CommandHandlers<Context>().command(["balance", "bal", "b"], recorder(log, "h")), log);
      await bot.handleUpdate(commandMessage({ command: "/balance 1" }));
      await bot.handleUpdate(commandMessage({ command: "/bal 2" }));
      await bot.handleUpdate(commandMessage({ command: `/b@${BOT_USERNAME} 3` }));
      await bot.handleUpdate(commandMessage({ command: "/ba 4" }));
      expect(log).to.deep.equal(["h:1", "h:2", "h:3", "next"]);
    });

    it("runs several handlers of one call in order, each reaching the next with next()", async () => {
      const log: string[] = [];
      const commands = new CommandHandlers<Context>().command("buy", passOn(log, "1"), passOn(log, "2"), passOn(log, "3"));
      const bot = routerBot(commands, log);
      await bot.handleUpdate(commandMessage({ command: "/buy" }));
      expect(log).to.deep.equal(["1", "2", "3", "next"]);
    });

    it("runs a second registration of a name only when the first calls next()", async () => {
      const log: string[] = [];
      const commands = new CommandHandlers<Context>()
        .command("buy", recorder(log, "first"))
        .command("buy", recorder(log, "second"));
      const bot = routerBot(commands, log);
      await bot.handleUpdate(commandMessage({ command: "/buy 3" }));
      expect(log).to.deep.equal(["first:3"]);
    });

    it("runs registrations of one name in order and the last one's next() reaches the middleware after the router", async () => {
      const log: string[] = [];
      const commands = new CommandHandlers<Context>()
        .command("buy", async (ctx, next) => {
          log.push(`first:${ctx.match}`);
          await next();
          log.push("first done");
        })
        .command("balance", recorder(log, "balance"))
        .command("buy", passOn(log, "second"));
      const bot = routerBot(commands, log);
      await bot.handleUpdate(commandMessage({ command: "/buy 3" }));
      expect(log).to.deep.equal(["first:3", "second", "next", "first done"]);
    });

    it("runs handlers added by include after the including one's, in order", async () => {
      const log: string[] = [];
      const partA = new CommandHandlers<Context>().command("buy", passOn(log, "a"));
      const partB = new CommandHandlers<Context>().command("buy", passOn(log, "b")).command("sell", recorder(log, "sell"));
      const commands = new CommandHandlers<Context>().command("buy", passOn(log, "main")).include(partA, partB);
      const bot = routerBot(commands, log);
      await bot.handleUpdate(commandMessage({ command: "/buy" }));
      await bot.handleUpdate(commandMessage({ command: "/sell 2" }));
      expect(log).to.deep.equal(["main", "a", "b", "next", "sell:2"]);
    });

    it("stops at an included handler that does not call next()", async () => {
      const log: string[] = [];
      const part = new CommandHandlers<Context>().command("buy", recorder(log, "part"));
      const commands = new CommandHandlers<Context>()
        .command("buy", passOn(log, "main"))
        .include(part)
        .command("buy", passOn(log, "late"));
      const bot = routerBot(commands, log);
      await bot.handleUpdate(commandMessage({ command: "/buy x" }));
      expect(log).to.deep.equal(["main", "part:x"]);
    });

    it("sets ctx.match for every handler of the chain", async () => {
      const matches: string[] = [];
      const commands = new CommandHandlers<Context>()
        .command("buy", async (ctx, next) => {
          matches.push(ctx.match);
          await next();
        })
        .command("buy", (ctx) => {
          matches.push(ctx.match);
        });
      const bot = routerBot(commands, []);
      await bot.handleUpdate(commandMessage({ command: "/buy  7 8" }));
      expect(matches).to.deep.equal(["7 8", "7 8"]);
    });
  });

  describe("command name validation", () => {
    for (const name of ["/x", "a@b", "Upper", "", "with space", "bindestrich-name", "x".repeat(33)]) {
      it(`rejects ${JSON.stringify(name)} with a message naming it`, () => {
        const commands = new CommandHandlers<Context>();
        expect(() => commands.command(name, () => {})).to.throw(`invalid command name ${JSON.stringify(name)}`);
      });
    }

    it("rejects an invalid name inside an array", () => {
      expect(() => new CommandHandlers<Context>().command(["ok", "Bad"], () => {})).to.throw(
        'invalid command name "Bad"',
      );
    });

    it("accepts lower-case letters, digits and underscores up to 32 characters", () => {
      const names = ["a", "buy_2", "0", "_", "x".repeat(32)];
      const commands = new CommandHandlers<Context>();
      for (const name of names) commands.command(name, () => {});
      expect(commands.names()).to.deep.equal(names);
    });
  });

  describe("names", () => {
    it("is empty for no commands", () => {
      expect(new CommandHandlers<Context>().names()).to.deep.equal([]);
    });

    it("lists names in first-registration order, each once, included ones after", () => {
      const part = new CommandHandlers<Context>().command(["sell", "buy"], () => {}).command("stats", () => {});
      const commands = new CommandHandlers<Context>()
        .command("buy", () => {})
        .command(["balance", "top"], () => {})
        .command("buy", () => {})
        .include(part);
      expect(commands.names()).to.deep.equal(["buy", "balance", "top", "sell", "stats"]);
    });
  });

  describe("agreement with grammY's composer.command", () => {
    const names = ["buy", "balance"];
    const cases: Array<[string, () => Update]> = [
      ["bare command", () => commandMessage({ command: "/buy" })],
      ["command with args", () => commandMessage({ command: "/buy   3 x " })],
      ["own username, odd case", () => commandMessage({ command: "/balance@StIcKeR_tEsT_bOt  9" })],
      ["other username", () => commandMessage({ command: "/buy@other_bot 1" })],
      ["unknown command", () => commandMessage({ command: "/sell 1" })],
      ["upper-case command", () => commandMessage({ command: "/BUY 1" })],
      ["plain text", () => textMessage({ text: "buy" })],
      ["slash without entity", () => textMessage({ text: "/buy" })],
      [
        "entity not at offset 0",
        () => textMessage({ text: "x /buy", entities: [{ type: "bot_command", offset: 2, length: 4 }] }),
      ],
      [
        "captioned photo",
        () => photoMessage({ caption: "/buy 1", caption_entities: [{ type: "bot_command", offset: 0, length: 4 }] }),
      ],
      ["channel post", () => channelPost("/balance 4", 8)],
      [
        "edited message",
        () => editedTextMessage({ text: "/buy 1", entities: [{ type: "bot_command", offset: 0, length: 4 }] }),
      ],
      ["message in another group", () => commandMessage({ command: "/buy 2", chat: groupChat(-100777) })],
    ];

    async function outcome(install: (composer: Composer<Context>, log: string[]) => void, update: Update) {
      const log: string[] = [];
      const bot = offlineBot();
      const composer = new Composer<Context>();
      install(composer, log);
      bot.use(composer);
      bot.use(() => {
        log.push("next");
      });
      await bot.handleUpdate(update);
      return log;
    }

    for (const [label, make] of cases) {
      it(`dispatches the same way for: ${label}`, async () => {
        const update = make();
        const ours = await outcome((composer, log) => {
          const commands = new CommandHandlers<Context>();
          for (const name of names) commands.command(name, recorder(log, name));
          composer.use(commands.middleware());
        }, update);
        const grammys = await outcome((composer, log) => {
          for (const name of names) composer.command(name, recorder(log, name));
        }, structuredClone(update));
        expect(ours).to.deep.equal(grammys);
      });
    }
  });
});
