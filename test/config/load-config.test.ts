import { expect } from "chai";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { ConfigError } from "../../src/config/config-error.js";
import { loadConfig } from "../../src/config/load-config.js";
import { createTempDirectory } from "../support/daemon-process.js";

const TOKEN = "123456:ABCdef_ghi-jkl";

describe("loadConfig", () => {
  let temp: ReturnType<typeof createTempDirectory>;
  beforeEach(() => (temp = createTempDirectory("stickerbot-config-")));
  afterEach(() => temp.remove());

  const write = (content: unknown) => {
    const file = path.join(temp.dir, "config.json");
    writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
    return file;
  };
  const failure = (action: () => unknown): ConfigError => {
    try {
      action();
    } catch (error) {
      expect(error).to.be.instanceOf(ConfigError);
      return error as ConfigError;
    }
    throw new Error("expected a ConfigError");
  };

  it("has defaults for everything but the token", () => {
    const config = loadConfig({ env: { STICKERBOT_TOKEN: TOKEN } });
    expect(config.token).to.equal(TOKEN);
    expect(config.apiRoot).to.equal("https://api.telegram.org");
    expect(config.timings).to.deep.equal({
      cleanupIntervalSeconds: 300,
      monitorIntervalSeconds: 60,
      stickerDeleteDelaySeconds: 120,
      stickerPassSeconds: 86400,
      shutdownTimeoutSeconds: 10,
    });
    expect(config.databasePath).to.equal(path.resolve("data/stickerbot.sqlite"));
    expect(config.socketPath).to.equal(path.resolve("data/control.sock"));
    expect(config.stickers.enforcement).to.equal("delete");
    expect(config.defaultLanguage).to.equal("ru");
  });

  it("requires a token and says where to put it", () => {
    const error = failure(() => loadConfig({ env: {} }));
    expect(error.key).to.equal("token");
    expect(error.message).to.match(/STICKERBOT_TOKEN/).and.match(/LoadCredential/);
  });

  it("reads the token from BOT_TOKEN, a tokenFile, or $CREDENTIALS_DIRECTORY/bot-token", () => {
    expect(loadConfig({ env: { BOT_TOKEN: TOKEN } }).token).to.equal(TOKEN);
    writeFileSync(path.join(temp.dir, "token.txt"), `${TOKEN}\n`);
    expect(loadConfig({ configFile: write({ tokenFile: "token.txt" }), env: {} }).token).to.equal(TOKEN);
    writeFileSync(path.join(temp.dir, "bot-token"), TOKEN);
    expect(loadConfig({ env: { CREDENTIALS_DIRECTORY: temp.dir } }).token).to.equal(TOKEN);
    const missing = failure(() => loadConfig({ configFile: write({ tokenFile: "nope.txt" }), env: {} }));
    expect(missing.key).to.equal("tokenFile");
  });

  it("follows systemd's STATE_DIRECTORY and RUNTIME_DIRECTORY", () => {
    const config = loadConfig({ env: { STICKERBOT_TOKEN: TOKEN, STATE_DIRECTORY: "/var/lib/stickerbot", RUNTIME_DIRECTORY: "/run/stickerbot" } });
    expect(config.databasePath).to.equal("/var/lib/stickerbot/stickerbot.sqlite");
    expect(config.socketPath).to.equal("/run/stickerbot/control.sock");
  });

  it("applies environment overrides over the file, decimals allowed for timings", () => {
    const file = write({ timings: { cleanupIntervalSeconds: 600 }, adminIds: [1, 2], logLevel: "warn" });
    const config = loadConfig({
      configFile: file,
      env: {
        STICKERBOT_TOKEN: TOKEN,
        STICKERBOT_CLEANUP_INTERVAL_SECONDS: "0.5",
        STICKERBOT_STICKER_DELETE_DELAY_SECONDS: "0",
        STICKERBOT_ADMIN_IDS: "10, 20",
        STICKERBOT_LOG_LEVEL: "debug",
        STICKERBOT_DATABASE: "db/x.sqlite",
      },
    });
    expect(config.timings.cleanupIntervalSeconds).to.equal(0.5);
    expect(config.timings.stickerDeleteDelaySeconds).to.equal(0);
    expect(config.adminIds).to.deep.equal([10, 20]);
    expect(config.logLevel).to.equal("debug");
    expect(config.databasePath).to.equal(path.resolve("db/x.sqlite"));
  });

  it("names the file, key and reason for invalid values", () => {
    const file = write({ shop: { stickerPassPrice: 0.5 } });
    const error = failure(() => loadConfig({ configFile: file, env: { STICKERBOT_TOKEN: TOKEN } }));
    expect(error.message).to.equal(`${file}: shop.stickerPassPrice must be a positive integer (got 0.5)`);
    const env = failure(() => loadConfig({ env: { STICKERBOT_TOKEN: TOKEN, STICKERBOT_MONITOR_INTERVAL_SECONDS: "soon" } }));
    expect(env.message).to.equal('env STICKERBOT_MONITOR_INTERVAL_SECONDS: timings.monitorIntervalSeconds must be a positive number of seconds (got "soon")');
    const admins = failure(() => loadConfig({ env: { STICKERBOT_TOKEN: TOKEN, STICKERBOT_ADMIN_IDS: "1,abc" } }));
    expect(admins.key).to.equal("adminIds");
  });

  it("rejects unknown keys, bad JSON and bad parsing rules", () => {
    expect(failure(() => loadConfig({ configFile: write({ timings: { cleanupIntervalSecs: 5 } }), env: { STICKERBOT_TOKEN: TOKEN } })).key).to.equal(
      "timings.cleanupIntervalSecs",
    );
    expect(failure(() => loadConfig({ configFile: write("{ not json"), env: { STICKERBOT_TOKEN: TOKEN } })).message).to.match(/is not valid JSON/);
    const rule = failure(() =>
      loadConfig({ configFile: write({ parsing: { rules: [{ name: "x", botUsername: "b", pattern: "(unclosed" }] } }), env: { STICKERBOT_TOKEN: TOKEN } }),
    );
    expect(rule.key).to.equal("parsing.rules[0].pattern");
    expect(rule.reason).to.match(/not a valid regular expression/);
    const multiplier = failure(() =>
      loadConfig({ configFile: write({ parsing: { rules: [{ name: "x", botUsername: "b", pattern: "(\\d+)", multiplier: "1.5e3" }] } }), env: { STICKERBOT_TOKEN: TOKEN } }),
    );
    expect(multiplier.key).to.equal("parsing.rules[0].multiplier");
  });

  it("rejects a malformed token", () => {
    expect(failure(() => loadConfig({ env: { STICKERBOT_TOKEN: "hello" } })).key).to.equal("token");
  });
});
