/**
 * One feature's part of the message catalogue: every key has a Russian and an
 * English text. Placeholders are written `{name}` and filled by `translate`.
 */
export type CatalogueSection = Record<string, { ru: string; en: string }>;
