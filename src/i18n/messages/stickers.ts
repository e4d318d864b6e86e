import type { CatalogueSection } from "../catalogue-section.js";

/** Replies of the sticker feature: the notice in groups, the pass status, admin grant and revoke. */
export const stickerMessages = {
  "stickers.command.status": { ru: "ваш стикерпасс и сколько он ещё действует", en: "your sticker pass and its time left" },
  "stickers.command.pass": { ru: "то же, что /sticker_status", en: "same as /sticker_status" },
  "stickers.command.grant": { ru: "выдать стикерпасс: @user|ответ [срок: 30m, 2h, 1d]", en: "grant a sticker pass: @user|reply [duration: 30m, 2h, 1d]" },
  "stickers.command.revoke": { ru: "отозвать стикерпасс: @user|ответ", en: "revoke a sticker pass: @user|reply" },
  "stickers.notice": {
    ru: "{name}, без стикерпасса стикеры удаляются через {delay}. Пасс можно купить в магазине (/shop) за монеты.",
    en: "{name}, stickers from users without a sticker pass are removed after {delay}. Buy a pass in the shop (/shop) with coins.",
  },
  "stickers.status.active": {
    ru: "🎟 Ваш стикерпасс действует ещё {remaining} (до {until} UTC).",
    en: "🎟 Your sticker pass is valid for another {remaining} (until {until} UTC).",
  },
  "stickers.status.none": {
    ru: "У вас нет стикерпасса: ваши стикеры в группе удаляются через {delay}. Купить пасс: /shop",
    en: "You have no sticker pass: your stickers in the group are removed after {delay}. Buy one: /shop",
  },
  "stickers.status.exempt": {
    ru: "Вы администратор: ваши стикеры не удаляются.",
    en: "You are an administrator: your stickers are not removed.",
  },
  "stickers.grant.usage": { ru: "/grant_pass @user|ответ [срок: 30m, 2h, 1d]", en: "/grant_pass @user|reply [duration: 30m, 2h, 1d]" },
  "stickers.revoke.usage": { ru: "/revoke_pass @user|ответ", en: "/revoke_pass @user|reply" },
  "stickers.grant.badDuration": {
    ru: "Не понимаю срок «{value}»: напишите, например, 30m, 2h или 1d (не больше 366d).",
    en: "I don't understand the duration \"{value}\": write e.g. 30m, 2h or 1d (at most 366d).",
  },
  "stickers.grant.done": {
    ru: "🎟 {user} получил стикерпасс на {duration}; действует до {until} UTC.",
    en: "🎟 {user} got a sticker pass for {duration}; valid until {until} UTC.",
  },
  "stickers.grant.extended": {
    ru: "🎟 Стикерпасс {user} продлён на {duration}; теперь действует до {until} UTC.",
    en: "🎟 {user}'s sticker pass was extended by {duration}; now valid until {until} UTC.",
  },
  "stickers.revoke.done": { ru: "Стикерпасс {user} отозван.", en: "{user}'s sticker pass was revoked." },
  "stickers.revoke.none": { ru: "У {user} нет действующего стикерпасса.", en: "{user} has no active sticker pass." },
  "stickers.expired": {
    ru: "⌛ Ваш стикерпасс закончился: стикеры в группе снова удаляются через {delay}. Новый пасс: /shop",
    en: "⌛ Your sticker pass has ended: your stickers in the group are removed after {delay} again. A new pass: /shop",
  },
  "stickers.unit.day": { ru: "{n} д", en: "{n} d" },
  "stickers.unit.hour": { ru: "{n} ч", en: "{n} h" },
  "stickers.unit.minute": { ru: "{n} мин", en: "{n} min" },
  "stickers.unit.second": { ru: "{n} с", en: "{n} s" },
} satisfies CatalogueSection;
