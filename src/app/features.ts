import { createCoreFeature } from "./core-feature.js";
import { createEconomyFeature } from "../economy/economy-feature.js";
import { createParsingFeature } from "../parsing/parsing-feature.js";
import type { FeatureFactory } from "./services.js";
import { createAdminFeature } from "../admin/admin-feature.js";
import { createBroadcastFeature } from "../broadcast/broadcast-feature.js";
import { createStickersFeature } from "../stickers/stickers-feature.js";
import { createShopFeature } from "../shop/shop-feature.js";
import { createAchievementsFeature } from "../achievements/achievements-feature.js";

/**
 * The bot's features, in the order their handlers run and they start.
 * A feature that builds on another comes after it.
 */
export const FEATURE_FACTORIES: FeatureFactory[] = [
  createCoreFeature,
  createEconomyFeature,
  createParsingFeature,
  createStickersFeature,
  createBroadcastFeature,
  createAdminFeature,
  createShopFeature,
  createAchievementsFeature,
];
