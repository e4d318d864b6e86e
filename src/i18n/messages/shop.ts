import type { CatalogueSection } from "../catalogue-section.js";

/** Replies of the shop: the listing, purchases and their activation, the admin item commands. */
export const shopMessages = {
  "shop.command.shop": { ru: "магазин: товары и цены", en: "the shop: items and prices" },
  "shop.command.buy": { ru: "купить товар: /buy N", en: "buy an item: /buy N" },
  "shop.command.myItems": { ru: "ваши действующие покупки", en: "your active purchases" },
  "shop.command.cancel": { ru: "отменить ожидающее объявление (деньги вернутся)", en: "cancel a waiting announcement (refunded)" },
  "shop.command.addItem": { ru: "добавить товар: имя цена тип [описание]", en: "add an item: name price type [description]" },
  "shop.command.editItem": { ru: "изменить товар: N поле значение", en: "edit an item: N field value" },
  "shop.command.disableItem": { ru: "убрать товар из магазина: N", en: "remove an item from the shop: N" },
  "shop.command.enableItem": { ru: "вернуть товар в магазин: N", en: "put an item back in the shop: N" },

  "shop.type.sticker": { ru: "стикерпасс на {duration}", en: "sticker pass for {duration}" },
  "shop.type.admin": { ru: "вызов администратора", en: "admin call" },
  "shop.type.mention_all": { ru: "объявление с упоминанием всех", en: "announcement mentioning everyone" },
  "shop.type.custom": { ru: "выдаёт администратор", en: "delivered by an admin" },

  "shop.list.title": { ru: "🛒 Магазин", en: "🛒 Shop" },
  "shop.list.item": { ru: "{id}. {name} — {price} монет ({type})", en: "{id}. {name} — {price} coins ({type})" },
  "shop.list.empty": { ru: "В магазине пока нет товаров.", en: "The shop has no items yet." },
  "shop.list.footer": { ru: "Купить: /buy N. Ваш баланс: {balance} монет.", en: "Buy: /buy N. Your balance: {balance} coins." },

  "shop.buy.usage": { ru: "/buy N — номер товара из /shop", en: "/buy N — the item's number from /shop" },
  "shop.buy.unknownItem": {
    ru: "Товара №{id} в магазине нет. Список: /shop",
    en: "There is no item #{id} in the shop. See /shop",
  },
  "shop.buy.insufficient": {
    ru: "Не хватает монет: «{name}» стоит {price}, у вас {balance} (не хватает {missing}). Ничего не списано.",
    en: "Not enough coins: \"{name}\" costs {price}, you have {balance} ({missing} short). Nothing was charged.",
  },
  "shop.buy.groupOnly": {
    ru: "«{name}» можно купить только в группе: упоминаются её участники.",
    en: "\"{name}\" can only be bought in a group: it mentions the group's members.",
  },
  "shop.buy.alreadyWaiting": {
    ru: "Я уже жду текст вашего объявления (ещё {left}). Напишите его или /cancel.",
    en: "I'm already waiting for your announcement text ({left} left). Write it, or /cancel.",
  },
  "shop.buy.notActivated": {
    ru: "Не удалось выдать «{name}»: {reason}. Ничего не списано.",
    en: "Could not deliver \"{name}\": {reason}. Nothing was charged.",
  },
  "shop.buy.refunded": {
    ru: "Не удалось выдать «{name}»: {reason}. {price} монет возвращены, баланс: {balance}.",
    en: "Could not deliver \"{name}\": {reason}. {price} coins refunded, balance: {balance}.",
  },
  "shop.buy.passGranted": {
    ru: "🎟 Куплено: «{name}» за {price} монет. Стикерпасс действует до {until} UTC (ещё {left}). Баланс: {balance}.",
    en: "🎟 Bought \"{name}\" for {price} coins. Your sticker pass is valid until {until} UTC ({left} left). Balance: {balance}.",
  },
  "shop.buy.adminsNotified": {
    ru: "🔔 Куплено: «{name}» за {price} монет. Уведомлено администраторов: {reached} из {total}. Баланс: {balance}.",
    en: "🔔 Bought \"{name}\" for {price} coins. Admins notified: {reached} of {total}. Balance: {balance}.",
  },
  "shop.buy.awaitingText": {
    ru: "📢 Куплено: «{name}» за {price} монет. Напишите следующим сообщением в этот чат текст объявления (в течение {timeout}). /cancel — отменить и вернуть монеты.",
    en: "📢 Bought \"{name}\" for {price} coins. Send the announcement text as your next message in this chat (within {timeout}). /cancel to cancel and get the coins back.",
  },
  "shop.reason.noAdmin": { ru: "ни одного администратора не удалось уведомить", en: "no admin could be reached" },
  "shop.reason.notActivated": { ru: "товар не удалось активировать", en: "the item could not be activated" },
  "shop.refunded": { ru: "{price} монет возвращены, баланс: {balance}.", en: "{price} coins refunded, balance: {balance}." },

  "shop.admin.callNotice": {
    ru: "🔔 Вызов администратора (покупка #{purchaseId} «{item}»)\nОт: {username} — {name} (id {userId})\nЧат: {chat} (id {chatId})\nВремя: {time}",
    en: "🔔 Admin call (purchase #{purchaseId} \"{item}\")\nFrom: {username} — {name} (id {userId})\nChat: {chat} (id {chatId})\nTime: {time}",
  },
  "shop.admin.customNotice": {
    ru: "🎁 Покупка #{purchaseId}: «{item}» — нужно выдать\nОписание: {description}\nПокупатель: {username} — {name} (id {userId})\nЧат: {chat} (id {chatId})\nВремя: {time}",
    en: "🎁 Purchase #{purchaseId}: \"{item}\" — to deliver\nDescription: {description}\nBuyer: {username} — {name} (id {userId})\nChat: {chat} (id {chatId})\nTime: {time}",
  },
  "shop.admin.noUsername": { ru: "без username", en: "no username" },
  "shop.admin.privateChat": { ru: "личный чат с ботом", en: "private chat with the bot" },

  "shop.mention.header": { ru: "📢 Объявление от {name}:", en: "📢 Announcement from {name}:" },
  "shop.mention.tooLong": {
    ru: "Объявление слишком длинное для одного сообщения Telegram. Напишите покороче (я всё ещё жду).",
    en: "The announcement is too long for one Telegram message. Write a shorter one (I'm still waiting).",
  },
  "shop.mention.done": {
    ru: "✅ Объявление опубликовано, упомянуто участников: {count} из {total}.",
    en: "✅ Announcement posted, members mentioned: {count} of {total}.",
  },
  "shop.mention.noMembers": {
    ru: "Я пока не знаю других участников этого чата, упоминать некого.",
    en: "I don't know any other members of this chat yet: there is nobody to mention.",
  },
  "shop.mention.postFailed": { ru: "Не удалось опубликовать объявление.", en: "The announcement could not be posted." },
  "shop.mention.expired": {
    ru: "⌛ {name}, текст объявления не пришёл вовремя. {price} монет возвращены, баланс: {balance}.",
    en: "⌛ {name}, the announcement text did not arrive in time. {price} coins refunded, balance: {balance}.",
  },
  "shop.mention.cancelled": {
    ru: "Объявление отменено. {price} монет возвращены, баланс: {balance}.",
    en: "Announcement cancelled. {price} coins refunded, balance: {balance}.",
  },

  "shop.myItems.title": { ru: "Ваши покупки:", en: "Your purchases:" },
  "shop.myItems.pass": {
    ru: "🎟 Стикерпасс: до {until} UTC (ещё {left})",
    en: "🎟 Sticker pass: until {until} UTC ({left} left)",
  },
  "shop.myItems.mention": {
    ru: "📢 «{name}»: жду текст объявления в чате {chat} (ещё {left})",
    en: "📢 \"{name}\": waiting for the announcement text in {chat} ({left} left)",
  },
  "shop.myItems.empty": { ru: "У вас нет действующих покупок. Магазин: /shop", en: "You have no active purchases. Shop: /shop" },

  "shop.addItem.usage": {
    ru: "/add_item имя цена тип [описание] — тип: sticker | admin | mention_all | custom; имя из нескольких слов — в кавычках; для sticker можно указать срок первым словом описания (12h, 7d)",
    en: "/add_item name price type [description] — type: sticker | admin | mention_all | custom; quote a multi-word name; sticker items take an optional duration as the description's first word (12h, 7d)",
  },
  "shop.addItem.badPrice": { ru: "Цена должна быть целым положительным числом монет.", en: "The price must be a positive whole number of coins." },
  "shop.addItem.nameTooLong": { ru: "Имя товара не длиннее {max} символов.", en: "An item name has at most {max} characters." },
  "shop.addItem.duplicate": {
    ru: "Товар с именем «{name}» уже есть (без учёта регистра){existing}.",
    en: "An item named \"{name}\" already exists (case-insensitively){existing}.",
  },
  "shop.addItem.existing": { ru: ": №{id}", en: ": #{id}" },
  "shop.addItem.added": {
    ru: "✅ Товар №{id} «{name}» добавлен: {price} монет ({type}). Купить: /buy {id}",
    en: "✅ Item #{id} \"{name}\" added: {price} coins ({type}). Buy it: /buy {id}",
  },
  "shop.editItem.usage": {
    ru: "/edit_item N поле значение — поля: name, price, type, description (- очищает), duration (для sticker; default — по умолчанию)",
    en: "/edit_item N field value — fields: name, price, type, description (- clears it), duration (sticker items; default resets it)",
  },
  "shop.editItem.unknownItem": { ru: "Товара №{id} нет.", en: "There is no item #{id}." },
  "shop.editItem.badType": { ru: "Тип: sticker | admin | mention_all | custom.", en: "Type: sticker | admin | mention_all | custom." },
  "shop.editItem.badDuration": {
    ru: "Не понимаю срок «{value}»: например 12h, 7d (не больше 366d).",
    en: "I don't understand the duration \"{value}\": e.g. 12h, 7d (at most 366d).",
  },
  "shop.editItem.done": { ru: "✅ Товар №{id} изменён: {item}", en: "✅ Item #{id} changed: {item}" },
  "shop.disableItem.usage": { ru: "/disable_item N", en: "/disable_item N" },
  "shop.enableItem.usage": { ru: "/enable_item N", en: "/enable_item N" },
  "shop.disableItem.done": {
    ru: "Товар №{id} «{name}» убран из магазина. Номера остальных не меняются. Вернуть: /enable_item {id}",
    en: "Item #{id} \"{name}\" removed from the shop. The other items keep their numbers. Undo: /enable_item {id}",
  },
  "shop.enableItem.done": { ru: "Товар №{id} «{name}» снова в магазине.", en: "Item #{id} \"{name}\" is back in the shop." },

  "shop.seed.stickerPass.name": { ru: "Стикерпасс на 24 часа", en: "Sticker pass 24 h" },
  "shop.seed.stickerPass.description": {
    ru: "Ваши стикеры не удаляются 24 часа (продлевает действующий пасс).",
    en: "Your stickers are not removed for 24 hours (extends an active pass).",
  },
  "shop.seed.adminCall.name": { ru: "Вызов администратора", en: "Admin call" },
  "shop.seed.adminCall.description": {
    ru: "Администраторы бота получат уведомление о вызове.",
    en: "The bot's admins get a notice that you called them.",
  },
  "shop.seed.mentionAll.name": { ru: "Упомянуть всех", en: "Mention everyone" },
  "shop.seed.mentionAll.description": {
    ru: "Ваше объявление с упоминанием всех известных участников чата.",
    en: "Your announcement, with a mention of every known member of the chat.",
  },
} satisfies CatalogueSection;
