import { expect } from "chai";
import { redact } from "../../src/logging/logger.js";

describe("log redaction", () => {
  const token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
  it("removes the configured token everywhere, including grammY's HttpError URLs", () => {
    const line = `Network request for 'getUpdates' failed! https://api.telegram.org/bot${token}/getUpdates`;
    expect(redact(line, [token])).to.equal("Network request for 'getUpdates' failed! https://api.telegram.org/bot[redacted]/getUpdates");
  });
  it("removes token-shaped strings even when the secret is not known", () => {
    expect(redact(`url /bot${token}/getMe`, [])).to.not.include(token.split(":")[1]);
  });
});
