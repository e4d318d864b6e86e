import { GrammyError, type Api } from "grammy";
import type { ConfigHolder } from "../app/config-holder.js";
import type { Database } from "../database/open-database.js";
import { pickLanguage, translate } from "../i18n/catalogue.js";
import type { Logger } from "../logging/logger.js";
import type { Clock } from "../time/clock.js";
import type { UserRoster } from "../users/user-roster.js";
import type { StickerPermissions } from "./chat-permissions.js";
import type { ExpiryScheduler } from "./expiry-scheduler.js";
import { formatDuration } from "./format-duration.js";
import { chunk, type EndedPass, type PassListener, type StickerManager, type StickerPass } from "./sticker-manager.js";

/** Options of {@link PassEffects}. */
export interface PassEffectsOptions {
  db: Database;
  api: Api;
  clock: Clock;
  logger: Logger;
  settings: ConfigHolder;
  roster: UserRoster;
  manager: StickerManager;
  permissions: StickerPermissions;
  expiry: ExpiryScheduler;
}

/**
 * What follows a pass starting or ending, after the database change
 * committed: the expiry timer is re-armed, restrict chats get their
 * restrictChatMember calls, and the user whose pass ran out is told in private
 * (if they started the bot and `stickers.notifyOnExpiry`).
 *
 * The Bot API calls run one after another in the background, so revoking
 * thousands of passes is not slowed by them; `stop()` waits for them. They
 * are at-most-once: a crash between the revoke and the call loses the call
 * (the database state, which decides deletions, is already right).
 */
export class PassEffects implements PassListener {
  private queue: Promise<void> = Promise.resolve();
  private readonly logger: Logger;

  constructor(private readonly options: PassEffectsOptions) {
    this.logger = options.logger.child({ component: "sticker-pass-effects" });
  }

  passStarted(userId: number, pass: StickerPass): void {
    this.options.expiry.expiresAt(pass.expiresAt);
    this.enqueue("restore permissions", async () => {
      // Still active? A revoke may have come first.
      if (!(await this.options.manager.hasActivePass(userId))) return;
      await this.options.permissions.restoreEverywhere(userId);
    });
  }

  passesEnded(passes: EndedPass[]): void {
    this.enqueue("apply pass ends", async () => {
      const now = this.options.clock.now();
      const stillWithout: EndedPass[] = [];
      for (const pass of passes) if (!(await this.options.manager.hasActivePass(pass.userId, now))) stillWithout.push(pass);
      await this.options.permissions.restrictEverywhere(stillWithout.map((pass) => pass.userId));
      if (this.options.settings.current.stickers.notifyOnExpiry) {
        await this.notifyExpired(stillWithout.filter((pass) => pass.reason === "expired").map((pass) => pass.userId));
      }
    });
  }

  /** Resolves when every effect queued so far has run. */
  async idle(): Promise<void> {
    let current: Promise<void>;
    do {
      current = this.queue;
      await current;
    } while (current !== this.queue);
  }

  private enqueue(name: string, effect: () => Promise<void>): void {
    this.queue = this.queue.then(effect).catch((error: unknown) => {
      this.logger.error(`${name} failed`, { error: String(error) });
    });
  }

  private async notifyExpired(userIds: number[]): Promise<void> {
    const delaySeconds = this.options.settings.current.timings.stickerDeleteDelaySeconds;
    const fallback = this.options.settings.current.defaultLanguage;
    for (const ids of chunk(userIds)) {
      const users = (await this.options.db("users")
        .whereIn("id", ids)
        .andWhere({ started_private: true, unreachable: false })
        .select("id", "language_code")) as Array<{ id: number; language_code: string | null }>;
      for (const user of users) {
        const language = pickLanguage(user.language_code ?? undefined, fallback);
        const text = translate(language, "stickers.expired", { delay: formatDuration(delaySeconds * 1000, language) });
        try {
          await this.options.api.sendMessage(user.id, text);
        } catch (error) {
          if (error instanceof GrammyError && error.error_code === 403) await this.options.roster.markUnreachable(user.id);
          this.logger.warn("could not send the expiry notice", { userId: user.id, error: String(error) });
        }
      }
    }
  }
}
