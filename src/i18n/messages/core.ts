import type { CatalogueSection } from "../catalogue-section.js";

/** Replies of the core: start, help, authorization, usage errors shared by all commands. */
export const coreMessages = {
  "core.start": {
    ru: "Привет, {name}! Я слежу за стикерами и монетами в группе. Команды: /help",
    en: "Hi, {name}! I look after stickers and coins in the group. Commands: /help",
  },
  "core.help.title": { ru: "Команды:", en: "Commands:" },
  "core.help.adminTitle": { ru: "Команды администратора:", en: "Admin commands:" },
  "core.notAdmin": {
    ru: "⛔ Эта команда только для администраторов.",
    en: "⛔ This command is for administrators only.",
  },
  "core.groupOnly": { ru: "Эта команда работает только в группе.", en: "This command only works in a group." },
  "core.error": {
    ru: "Что-то пошло не так. Попробуйте позже.",
    en: "Something went wrong. Please try again later.",
  },
  "core.command.start": { ru: "начать и получать личные уведомления", en: "start and receive private notices" },
  "core.command.help": { ru: "список команд", en: "list of commands" },
  "core.usage": { ru: "Использование: {usage}", en: "Usage: {usage}" },
  "core.target.missing": {
    ru: "Укажите пользователя: @username, id или ответьте на его сообщение.",
    en: "Name the user: @username, id, or reply to their message.",
  },
  "core.target.unknown": {
    ru: "Пользователь {user} мне не известен: он должен сначала написать в группе или боту.",
    en: "I don't know {user}: they need to write in the group or to the bot first.",
  },
  "core.target.ambiguous": {
    ru: "Имени {user} соответствуют несколько пользователей: укажите @username или id.",
    en: "Several users match {user}: give their @username or id.",
  },
} satisfies CatalogueSection;
