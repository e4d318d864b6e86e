import { type CommandContext, type CommandMiddleware, Composer, type Context, type MiddlewareFn } from "grammy";

/**
 * A feature's chat commands, dispatched by one table lookup.
 *
 * Why not `composer.command()`: grammY runs every registered command's filter
 * for every update, one middleware layer each. With some thirty commands over
 * eight features that was most of the cost of a plain group message (measured
 * by bench/ingest: a message that is no command went through ~40 layers).
 * Here the router reads the message's leading `bot_command` entity once and
 * runs only that command's handlers; every other update costs one check.
 *
 * Matching is grammY's: `/name` or `/name@this_bot` (bot username compared
 * case-insensitively) as the `bot_command` entity at offset 0 of a message's or
 * channel post's text; `ctx.match` is the rest of the text without leading
 * whitespace. Handlers registered for one name run in registration order, each
 * reaching the next with `next()`, and the last one's `next()` continues after
 * the router, as with chained `composer.command()` calls.
 */
export class CommandHandlers<C extends Context> {
  private readonly table = new Map<string, Array<CommandMiddleware<C>>>();

  /** Registers handlers for one command name or several (without the leading `/`). */
  command(names: string | string[], ...middleware: Array<CommandMiddleware<C>>): this {
    for (const name of typeof names === "string" ? [names] : names) {
      if (!/^[a-z0-9_]{1,32}$/.test(name)) throw new Error(`invalid command name ${JSON.stringify(name)}: use 1-32 of a-z, 0-9 and _ (no "/" or "@")`);
      const chain = this.table.get(name);
      if (chain === undefined) this.table.set(name, [...middleware]);
      else chain.push(...middleware);
    }
    return this;
  }

  /** Adds the commands of others after this one's (for features built from parts). */
  include(...others: Array<CommandHandlers<C>>): this {
    for (const other of others) for (const [name, middleware] of other.table) this.command(name, ...middleware);
    return this;
  }

  /** The registered names, in registration order. */
  names(): string[] {
    return [...this.table.keys()];
  }

  /** The router: one middleware for all the commands registered here. */
  middleware(): MiddlewareFn<C> {
    const routes = new Map<string, MiddlewareFn<CommandContext<C>>>();
    for (const [name, middleware] of this.table) routes.set(name, new Composer<CommandContext<C>>(...middleware).middleware());
    return (ctx, next) => {
      const message = ctx.message ?? ctx.channelPost;
      const entity = message?.entities?.find((candidate) => candidate.offset === 0 && candidate.type === "bot_command");
      if (entity === undefined) return next();
      const text = message!.text!;
      const command = text.substring(1, entity.length);
      let route = routes.get(command);
      if (route === undefined) {
        const at = command.indexOf("@");
        if (at === -1 || command.substring(at + 1).toLowerCase() !== ctx.me.username.toLowerCase()) return next();
        route = routes.get(command.substring(0, at));
        if (route === undefined) return next();
      }
      ctx.match = text.substring(command.length + 1).trimStart();
      return route(ctx as CommandContext<C>, next);
    };
  }
}
