import { createCoreFeature } from "./core-feature.js";
import type { FeatureFactory } from "./services.js";

/**
 * The bot's features, in the order their handlers run and they start.
 * A feature that builds on another comes after it.
 */
export const FEATURE_FACTORIES: FeatureFactory[] = [
  createCoreFeature,
];
