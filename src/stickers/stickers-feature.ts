import type { Feature, FeatureFactory } from "../app/services.js";
import type { BotContext } from "../bot/context.js";
import type { CleanupStep } from "../tasks/cleanup.js";
import type { HealthCheck } from "../tasks/health-monitor.js";
import { StickerPermissions } from "./chat-permissions.js";
import { DeletionScheduler } from "./deletion-scheduler.js";
import { ExpiryScheduler } from "./expiry-scheduler.js";
import { PassEffects } from "./pass-effects.js";
import { STICKER_COMMANDS, createStickerCommands } from "./sticker-commands.js";
import { createStickerEnforcement } from "./sticker-enforcement.js";
import { StickerManager } from "./sticker-manager.js";
import { StickerNotices } from "./sticker-notice.js";
import { DAY_MILLISECONDS } from "../time/durations.js";

/**
 * The sticker feature as other features see it
 * (`services.features.get("stickers") as StickersFeature`): the shop grants
 * passes through `manager` (inside its purchase transaction with `trx`, then
 * `manager.afterPassGranted(userId)` after commit).
 */
export type StickersFeature = Feature & { manager: StickerManager; deletions: DeletionScheduler; notices: StickerNotices };


/** A deletion this late (ms past due) makes the health check fail: the timer or the Bot API is stuck. */
const OVERDUE_DELETION_MILLISECONDS = 120_000;

/**
 * Sticker control: passes (grant, extend, revoke, exact expiry), the durable
 * deletion of stickers from users without a pass, restrict mode, notices,
 * `/sticker_status`, `/pass`, `/grant_pass`, `/revoke_pass`.
 */
export const createStickersFeature: FeatureFactory = (services) => {
  const { db, api, clock, logger, settings, roster, events } = services;
  const manager = new StickerManager({ db, clock, logger, events });
  const deletions = new DeletionScheduler({
    db,
    api,
    clock,
    logger,
    hasActivePass: (userId, at) => manager.hasActivePass(userId, at),
  });
  const expiry = new ExpiryScheduler(manager, clock, logger);
  const permissions = new StickerPermissions({ db, api, clock, logger, settings });
  const effects = new PassEffects({ db, api, clock, logger, settings, roster, manager, permissions, expiry });
  manager.addListener(effects);
  const notices = new StickerNotices({ db, clock, logger, settings, deletions });

  const composer = createStickerEnforcement({ manager, deletions, notices, permissions });
  const handlers = createStickerCommands(manager);

  const cleanupStep: CleanupStep = {
    name: "stickers",
    async run(now) {
      // The safety net behind the expiry timer, and what `stickerbot cleanup` runs.
      const swept = await manager.cleanupExpiredPasses(now);
      const nextExpiry = await manager.nextExpiryAt();
      if (nextExpiry !== null) expiry.expiresAt(nextExpiry);
      const stickerDeletions = await deletions.purgeFinished(now - settings.current.retention.deletionDays * DAY_MILLISECONDS);
      const stickerNotices = await notices.purge(now);
      return {
        revokedPasses: swept + expiry.takeRevokedCount(),
        deletions: deletions.takeCounts(),
        purged: { stickerDeletions, stickerNotices },
      };
    },
  };

  const healthCheck: HealthCheck = {
    name: "stickerDeletions",
    async check() {
      const next = await deletions.nextDueAt();
      const lateMilliseconds = next === null ? 0 : clock.now() - next;
      return lateMilliseconds > OVERDUE_DELETION_MILLISECONDS
        ? { ok: false, detail: `a sticker deletion is ${Math.round(lateMilliseconds / 1000)} s overdue` }
        : { ok: true, detail: next === null ? "no deletions pending" : "deletions on time" };
    },
  };

  const feature: StickersFeature = {
    name: "stickers",
    manager,
    deletions,
    notices,
    composer,
    commandHandlers: handlers,
    commands: STICKER_COMMANDS,
    cleanupSteps: [cleanupStep],
    healthChecks: [healthCheck],
    async start() {
      // First the passes into memory, so the first stickers and deletions need no query for them.
      await manager.loadActivePasses();
      // Both resume durable work: what fell due or expired while the daemon was down runs now.
      await expiry.start();
      await deletions.start();
    },
    async stop() {
      await expiry.stop();
      await notices.idle();
      await deletions.stop();
      await effects.idle();
    },
    async status() {
      const nextExpiry = await manager.nextExpiryAt();
      const nextDeletion = await deletions.nextDueAt();
      return {
        activePasses: await manager.countActivePasses(),
        pendingDeletions: await deletions.countPending(),
        nextExpiry: nextExpiry === null ? null : new Date(nextExpiry).toISOString(),
        nextDeletionDue: nextDeletion === null ? null : new Date(nextDeletion).toISOString(),
        enforcement: settings.current.stickers.enforcement,
        restrictChats: Object.entries(settings.current.stickers.chatEnforcement)
          .filter(([, mode]) => mode === "restrict")
          .map(([chatId]) => chatId),
      };
    },
  };
  return feature;
};
