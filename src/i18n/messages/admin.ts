import type { CatalogueSection } from "../catalogue-section.js";

/** Replies of the admin tools: broadcasts, /user_stats, /bg_status, /cleanup_now. */
export const adminMessages = {
  "admin.command.broadcast": { ru: "разослать текст всем, кто запускал бота", en: "send a text to everyone who started the bot" },
  "admin.command.broadcastCancel": { ru: "остановить рассылку (или убрать из очереди)", en: "stop a broadcast (or remove it from the queue)" },
  "admin.command.userStats": { ru: "статистика пользователя: @username, id или ответ", en: "a user's statistics: @username, id or reply" },
  "admin.command.bgStatus": { ru: "состояние фоновых задач", en: "state of the background tasks" },
  "admin.command.cleanupNow": { ru: "запустить очистку сейчас", en: "run the cleanup now" },

  "admin.duration.days": { ru: "{n} д", en: "{n}d" },
  "admin.duration.hours": { ru: "{n} ч", en: "{n}h" },
  "admin.duration.minutes": { ru: "{n} мин", en: "{n}m" },
  "admin.duration.seconds": { ru: "{n} с", en: "{n}s" },
  "admin.none": { ru: "нет", en: "none" },

  "admin.broadcast.usage": { ru: "/broadcast текст рассылки", en: "/broadcast text of the broadcast" },
  "admin.broadcast.tooLong": {
    ru: "Текст слишком длинный: {length} символов, Telegram принимает не больше {max}.",
    en: "The text is too long: {length} characters, Telegram accepts at most {max}.",
  },
  "admin.broadcast.noRecipients": {
    ru: "Некому отправлять: никто не запускал бота в личных сообщениях (или все недоступны).",
    en: "Nobody to send to: no one has started the bot in private (or all are unreachable).",
  },
  "admin.broadcast.starting": {
    ru: "📣 Рассылка #{id}: {total} получателей, начинаю.",
    en: "📣 Broadcast #{id}: {total} recipients, starting.",
  },
  "admin.broadcast.queued": {
    ru: "📣 Рассылка #{id} ({total} получателей) поставлена в очередь: место {position}. Сейчас идёт рассылка #{runningId}; одновременно идёт только одна.",
    en: "📣 Broadcast #{id} ({total} recipients) is queued at position {position}. Broadcast #{runningId} is running; only one runs at a time.",
  },
  "admin.broadcast.progress": {
    ru: "📣 Рассылка #{id}: обработано {done} из {total} ({percent}%)\nДоставлено: {sent} · недоступны: {unreachable} · ошибки: {failed} · осталось: {left}",
    en: "📣 Broadcast #{id}: {done} of {total} handled ({percent}%)\nDelivered: {sent} · unreachable: {unreachable} · failed: {failed} · left: {left}",
  },
  "admin.broadcast.paused": {
    ru: "⏸ Пауза по лимиту Telegram (429): ещё {seconds} с",
    en: "⏸ Paused by Telegram's flood limit (429): {seconds} s more",
  },
  "admin.broadcast.finished": { ru: "✅ Рассылка #{id} завершена за {duration}.", en: "✅ Broadcast #{id} finished in {duration}." },
  "admin.broadcast.cancelled": { ru: "🛑 Рассылка #{id} отменена через {duration}.", en: "🛑 Broadcast #{id} was cancelled after {duration}." },
  "admin.broadcast.report": {
    ru: "Получателей: {total}\nДоставлено: {sent}\nОшибки: {failed}\nНедоступны (заблокировали бота или удалены): {unreachable}\nВозможно получили дважды (были в отправке при сбое): {duplicated}\nНе отправлено (отмена): {notSent}\nОтветов 429 от Telegram: {rateLimited}",
    en: "Recipients: {total}\nDelivered: {sent}\nFailed: {failed}\nUnreachable (blocked the bot or deleted): {unreachable}\nPossibly received twice (in flight at a crash): {duplicated}\nNot sent (cancelled): {notSent}\n429 answers from Telegram: {rateLimited}",
  },
  "admin.broadcast.failedReason": { ru: "  • {reason}: {count}", en: "  • {reason}: {count}" },
  "admin.broadcast.cancel.usage": { ru: "/broadcast_cancel [номер рассылки]", en: "/broadcast_cancel [broadcast number]" },
  "admin.broadcast.cancel.nothing": { ru: "Сейчас нет ни идущих, ни ожидающих рассылок.", en: "No broadcast is running or queued." },
  "admin.broadcast.cancel.notFound": {
    ru: "Рассылка #{id} не найдена или уже завершена.",
    en: "Broadcast #{id} does not exist or has already finished.",
  },
  "admin.broadcast.cancel.stopping": {
    ru: "🛑 Останавливаю рассылку #{id}; итог придёт отдельным сообщением.",
    en: "🛑 Stopping broadcast #{id}; the report follows in a separate message.",
  },
  "admin.broadcast.cancel.dequeued": { ru: "🛑 Рассылка #{id} убрана из очереди, ничего не отправлено.", en: "🛑 Broadcast #{id} was removed from the queue; nothing was sent." },

  "admin.userStats.usage": { ru: "/user_stats @username | id | ответом на сообщение", en: "/user_stats @username | id | as a reply" },
  "admin.userStats.title": { ru: "📊 {name} ({username}id {id})", en: "📊 {name} ({username}id {id})" },
  "admin.userStats.balance": {
    ru: "Баланс: {balance} монет\nЗаработано всего: {earned} · потрачено всего: {spent}\nПокупок: {purchases}",
    en: "Balance: {balance} coins\nEarned in total: {earned} · spent in total: {spent}\nPurchases: {purchases}",
  },
  "admin.userStats.subscriptions": { ru: "Активные подписки:", en: "Active subscriptions:" },
  "admin.userStats.subscriptionsNone": { ru: "Активных подписок нет.", en: "No active subscriptions." },
  "admin.userStats.stickerPass": { ru: "  • стикер-пасс: ещё {left} (до {until})", en: "  • sticker pass: {left} left (until {until})" },
  "admin.userStats.purchase": { ru: "  • {item}: ещё {left} (до {until})", en: "  • {item}: {left} left (until {until})" },
  "admin.userStats.lastActive": {
    ru: "Последняя активность: {at} ({ago} назад), дней подряд: {streak}",
    en: "Last activity: {at} ({ago} ago), days in a row: {streak}",
  },
  "admin.userStats.private": { ru: "Личные сообщения: {started}; недоступен: {unreachable}", en: "Private chat: {started}; unreachable: {unreachable}" },
  "admin.userStats.yes": { ru: "да", en: "yes" },
  "admin.userStats.no": { ru: "нет", en: "no" },
  "admin.userStats.achievements": { ru: "Достижения ({count}): {list}", en: "Achievements ({count}): {list}" },
  "admin.userStats.achievementsNone": { ru: "Достижений пока нет.", en: "No achievements yet." },
  "admin.userStats.transactions": { ru: "Последние начисления из игр:", en: "Latest credits from games:" },
  "admin.userStats.transactionsNone": { ru: "Начислений из игр нет.", en: "No credits from games." },
  "admin.userStats.transaction": {
    ru: "  • {at} {source}: {original} {currency} → {converted} монет",
    en: "  • {at} {source}: {original} {currency} → {converted} coins",
  },

  "admin.bg.title": { ru: "⚙️ Фоновые задачи: {state}", en: "⚙️ Background tasks: {state}" },
  "admin.bg.running": { ru: "работают ✅", en: "running ✅" },
  "admin.bg.notRunning": { ru: "НЕ РАБОТАЮТ ❌", en: "NOT RUNNING ❌" },
  "admin.bg.task": {
    ru: "• {name}: каждые {interval}; запусков {runs}, ошибок {errors}",
    en: "• {name}: every {interval}; {runs} runs, {errors} errors",
  },
  "admin.bg.busy": { ru: "  выполняется сейчас", en: "  running now" },
  "admin.bg.lastRun": { ru: "  последний запуск: {at} — {outcome}, {milliseconds} мс", en: "  last run: {at} — {outcome}, {milliseconds} ms" },
  "admin.bg.lastRunNever": { ru: "  последний запуск: ещё не было", en: "  last run: none yet" },
  "admin.bg.outcomeOk": { ru: "успешно", en: "ok" },
  "admin.bg.outcomeError": { ru: "ошибка: {error}", en: "error: {error}" },
  "admin.bg.nextRun": { ru: "  следующий: через {in} ({at})", en: "  next run: in {in} ({at})" },
  "admin.bg.nextRunNone": { ru: "  следующий: не запланирован", en: "  next run: not scheduled" },
  "admin.bg.cleanupResult": {
    ru: "  итог: снято пассов {revoked}; удаления стикеров: выполнено {executed}, пропущено {skipped}, ошибок {failed}; удалено старых записей: {purged}; ошибки: {errors}",
    en: "  result: {revoked} passes revoked; sticker deletions: {executed} done, {skipped} skipped, {failed} failed; old records removed: {purged}; errors: {errors}",
  },
  "admin.bg.health": { ru: "Здоровье: {status}{checked}", en: "Health: {status}{checked}" },
  "admin.bg.healthChecked": { ru: " (проверено {at})", en: " (checked {at})" },
  "admin.bg.healthOk": { ru: "в порядке ✅", en: "ok ✅" },
  "admin.bg.healthFailing": { ru: "есть сбои ❌", en: "failing ❌" },
  "admin.bg.healthUnknown": { ru: "ещё не проверялось", en: "not checked yet" },
  "admin.bg.check": { ru: "  {mark} {name}: {detail}", en: "  {mark} {name}: {detail}" },
  "admin.bg.process": { ru: "Процесс: pid {pid}, работает {uptime}, память {megabytes} МБ", en: "Process: pid {pid}, up {uptime}, memory {megabytes} MB" },
  "admin.bg.features": { ru: "Модули:", en: "Features:" },
  "admin.bg.feature": { ru: "• {name}: {facts}", en: "• {name}: {facts}" },
  "admin.bg.broadcastRunning": {
    ru: "• рассылка #{id}: обработано {done} из {total}, в очереди ещё {queued}",
    en: "• broadcast #{id}: {done} of {total} handled, {queued} more queued",
  },
  "admin.bg.broadcastIdle": { ru: "• рассылки: сейчас нет", en: "• broadcasts: none running" },

  "admin.cleanup.running": { ru: "🧹 Запускаю очистку…", en: "🧹 Running the cleanup…" },
  "admin.cleanup.result": {
    ru: "🧹 Очистка выполнена за {milliseconds} мс.\nСнято стикер-пассов: {revoked}\nУдаление стикеров: выполнено {executed}, пропущено {skipped}, ошибок {failed}\nУдалено старых записей: {purged}\nОшибки: {errors}",
    en: "🧹 Cleanup finished in {milliseconds} ms.\nSticker passes revoked: {revoked}\nSticker deletions: {executed} done, {skipped} skipped, {failed} failed\nOld records removed: {purged}\nErrors: {errors}",
  },
  "admin.cleanup.failed": { ru: "❌ Очистка не удалась: {error}", en: "❌ The cleanup failed: {error}" },
} satisfies CatalogueSection;
