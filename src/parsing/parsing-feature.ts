import { Composer } from "grammy";
import type { CommandInfo, Feature, FeatureFactory } from "../app/services.js";
import type { BotContext } from "../bot/context.js";
import { CreditWriter } from "./credit-writer.js";
import { createParsedRecordsPurgeStep } from "./purge-parsed-records.js";
import { createReportCounters, createReportMiddleware } from "./report-middleware.js";
import { RuleBook } from "./rule-book.js";
import { createRuleCommands } from "./rule-commands.js";
import { RuleManager } from "./rule-manager.js";
import { createStatsCommand } from "./stats-command.js";
import { InFlight } from "../tasks/in-flight.js";

/** The parsing feature as tests see it: they wait for the acknowledgements sent in the background. */
export type ParsingFeature = Feature & { acknowledgements: InFlight };

const PARSING_COMMANDS: CommandInfo[] = [
  { command: "rules", description: "parsing.command.rules", adminOnly: true },
  { command: "add_rule", description: "parsing.command.addRule", adminOnly: true },
  { command: "disable_rule", description: "parsing.command.disableRule", adminOnly: true },
  { command: "enable_rule", description: "parsing.command.enableRule", adminOnly: true },
  { command: "reload_rules", description: "parsing.command.reloadRules", adminOnly: true },
  { command: "parsing_stats", description: "parsing.command.parsingStats", adminOnly: true },
];

/**
 * Parsing of game bots' reports: the message parser (credits the player once
 * per report), the rules (seeded, from the config file, from admins) kept
 * compiled in memory, statistics and the retention of parsed records.
 */
export const createParsingFeature: FeatureFactory = (services) => {
  const logger = services.logger.child({ component: "parsing" });
  const book = new RuleBook(logger);
  const manager = new RuleManager(services.db, book, services.clock, logger);
  const counters = createReportCounters();
  const writer = new CreditWriter({ db: services.db, ledger: services.ledger, roster: services.roster, clock: services.clock, logger });

  /** Re-reads the config's rules (strict: an invalid one rejects the reload) and the database. */
  const reloadRules = async () => {
    await manager.syncConfigRules(services.settings.current.parsing.rules, true);
    await manager.load();
    logger.info("parsing rules reloaded", { active: book.activeRules().length, total: book.list().length });
  };

  // The parser sees every message and always calls next().
  const acknowledgements = new InFlight();
  const composer = new Composer<BotContext>(createReportMiddleware(book, writer, counters, logger, acknowledgements));
  const handlers = createRuleCommands(manager, book, reloadRules).include(createStatsCommand(services.db, services.clock));

  const feature: ParsingFeature = {
    name: "parsing",
    acknowledgements,
    composer,
    commandHandlers: handlers,
    commands: PARSING_COMMANDS,
    cleanupSteps: [createParsedRecordsPurgeStep(services.db, services.settings)],
    healthChecks: [
      {
        name: "parsingRules",
        check: async () => {
          const active = book.activeRules().length;
          const broken = book.listBroken().length;
          return { ok: broken === 0, detail: `${active} active rules${broken > 0 ? `, ${broken} stored rules invalid` : ""}` };
        },
      },
    ],
    async start() {
      // At startup an invalid config rule is logged and skipped; the others work.
      await manager.syncConfigRules(services.settings.current.parsing.rules, false);
      await manager.load();
      logger.info("parsing rules loaded", {
        active: book.activeRules().map((rule) => ({ name: rule.name, bot: rule.botUsernameFolded ?? rule.botId })),
      });
    },
    async stop() {
      // Polling has stopped and its handlers finished; anything still queued is written now.
      await writer.drain();
      await acknowledgements.idle();
    },
    reload: reloadRules,
    status: () => ({
      activeRules: book.activeRules().length,
      totalRules: book.list().length,
      invalidRules: book.listBroken().map((broken) => broken.row.name),
      sinceStart: { ...counters },
    }),
  };
  return feature;
};
