import { EventEmitter } from "node:events";

/**
 * Things that happened, announced after their transaction committed, for
 * features that react to them (achievements). Listeners must not throw; an
 * async listener handles its own errors.
 */
export interface AppEventMap {
  /** Coins were added to a user's balance. */
  credited: [{ userId: number; amount: number; reason: string; chatId: number | null }];
  /** A game win was parsed and credited. */
  parsed: [{ userId: number; amount: number; chatId: number }];
  /** A purchase completed. */
  purchased: [{ userId: number; itemId: number; itemType: string; price: number; chatId: number }];
  /** A sticker pass was granted or extended. */
  passGranted: [{ userId: number; expiresAt: number; source: string }];
  /** The user wrote something (at most once per message). */
  active: [{ userId: number; chatId: number | null }];
}

/** The daemon's in-process event bus. */
export class AppEvents extends EventEmitter<AppEventMap> {}
