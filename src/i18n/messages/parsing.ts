import type { CatalogueSection } from "../catalogue-section.js";

/** Replies of the parsing of game bots' reports: acknowledgements, rule management, statistics. */
export const parsingMessages = {
  "parsing.command.rules": { ru: "правила парсинга игровых ботов", en: "parsing rules of game bots" },
  "parsing.command.addRule": {
    ru: "добавить правило: /add_rule имя @бот множитель валюта регулярное_выражение",
    en: "add a rule: /add_rule name @bot multiplier currency regex",
  },
  "parsing.command.disableRule": { ru: "отключить правило: /disable_rule имя|id", en: "disable a rule: /disable_rule name|id" },
  "parsing.command.enableRule": { ru: "включить правило: /enable_rule имя|id", en: "enable a rule: /enable_rule name|id" },
  "parsing.command.reloadRules": { ru: "перечитать правила", en: "reload the rules" },
  "parsing.command.parsingStats": { ru: "статистика парсинга: /parsing_stats [24h|7d|30d]", en: "parsing statistics: /parsing_stats [24h|7d|30d]" },
  "parsing.credited": { ru: "✅ {user}: +{amount} монет", en: "✅ {user}: +{amount} coins" },
  "parsing.rules.title": { ru: "📜 Правила парсинга:", en: "📜 Parsing rules:" },
  "parsing.rules.empty": { ru: "Правил парсинга нет. Добавьте: /add_rule", en: "There are no parsing rules. Add one: /add_rule" },
  "parsing.rules.line": {
    ru: "#{id} {name} — {bot} ×{multiplier} {currency} ({state}, {origin})\n    {pattern}",
    en: "#{id} {name} — {bot} ×{multiplier} {currency} ({state}, {origin})\n    {pattern}",
  },
  "parsing.rules.active": { ru: "активно", en: "active" },
  "parsing.rules.inactive": { ru: "отключено", en: "disabled" },
  "parsing.rules.broken": { ru: "⚠️ #{id} {name} не действует: {reasons}", en: "⚠️ #{id} {name} is not in effect: {reasons}" },
  "parsing.addRule.usage": {
    ru: "/add_rule имя @бот множитель валюта регулярное_выражение\nПример: /add_rule stars-points @starsGameBot 1 points Очки • \\+([\\d,]+)\nСумма — первая группа (или (?<amount>…)); игрок — необязательная группа (?<user>…). Множитель — десятичное число: 1, 0.5.",
    en: "/add_rule name @bot multiplier currency regex\nExample: /add_rule stars-points @starsGameBot 1 points Очки • \\+([\\d,]+)\nThe amount is the first group (or (?<amount>…)); the player is the optional group (?<user>…). The multiplier is a decimal: 1, 0.5.",
  },
  "parsing.addRule.refused": { ru: "❌ Правило не добавлено: {reasons}", en: "❌ Rule refused: {reasons}" },
  "parsing.addRule.created": {
    ru: "✅ Правило {name} добавлено: {bot} ×{multiplier} {currency}. Активных правил: {active}.",
    en: "✅ Rule {name} added: {bot} ×{multiplier} {currency}. Active rules: {active}.",
  },
  "parsing.addRule.updated": {
    ru: "✅ Правило {name} заменено: {bot} ×{multiplier} {currency}. Активных правил: {active}.",
    en: "✅ Rule {name} replaced: {bot} ×{multiplier} {currency}. Active rules: {active}.",
  },
  "parsing.addRule.configOwned": {
    ru: "❌ Правило {name} задано в файле конфигурации: измените его там и выполните stickerbot reload, или выберите другое имя.",
    en: "❌ Rule {name} comes from the config file: change it there and run stickerbot reload, or pick another name.",
  },
  "parsing.rule.usage": { ru: "Укажите имя или id правила (см. /rules).", en: "Give the rule's name or id (see /rules)." },
  "parsing.rule.unknown": { ru: "Правила «{rule}» нет (см. /rules).", en: "There is no rule \"{rule}\" (see /rules)." },
  "parsing.rule.disabled": { ru: "⏸ Правило {name} отключено.", en: "⏸ Rule {name} disabled." },
  "parsing.rule.enabled": { ru: "▶️ Правило {name} включено.", en: "▶️ Rule {name} enabled." },
  "parsing.rule.unchanged": { ru: "Правило {name} уже {state}.", en: "Rule {name} is already {state}." },
  "parsing.rule.configNote": {
    ru: "Это правило из файла конфигурации: при stickerbot reload его состояние снова возьмётся из файла.",
    en: "This rule comes from the config file: stickerbot reload sets its state from the file again.",
  },
  "parsing.reload.done": {
    ru: "🔄 Правила перечитаны: активных {active}, всего {total}.",
    en: "🔄 Rules reloaded: {active} active, {total} in total.",
  },
  "parsing.reload.failed": { ru: "❌ Правила не перечитаны: {reason}", en: "❌ Rules not reloaded: {reason}" },
  "parsing.stats.usage": { ru: "/parsing_stats [24h|7d|30d]", en: "/parsing_stats [24h|7d|30d]" },
  "parsing.stats.title": { ru: "📊 Парсинг за {period}:", en: "📊 Parsing, last {period}:" },
  "parsing.stats.period.24h": { ru: "24 часа", en: "24 hours" },
  "parsing.stats.period.7d": { ru: "7 дней", en: "7 days" },
  "parsing.stats.period.30d": { ru: "30 дней", en: "30 days" },
  "parsing.stats.none": { ru: "    отчётов не было", en: "    no reports" },
  "parsing.stats.line": {
    ru: "{bot}: ✅ {successes} · ❌ {failures} · успешно {percent}%\n    получено {original} → начислено {converted} монет",
    en: "{bot}: ✅ {successes} · ❌ {failures} · {percent}% successful\n    reported {original} → credited {converted} coins",
  },
} satisfies CatalogueSection;
