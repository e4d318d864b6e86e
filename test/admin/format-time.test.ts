import { expect } from "chai";
import { formatLocalizedDuration, formatTimestamp } from "../../src/admin/format-time.js";

describe("formatLocalizedDuration / formatTimestamp", () => {
  it("shows the two largest units in the reader's language", () => {
    expect(formatLocalizedDuration("en", 0)).to.equal("0s");
    expect(formatLocalizedDuration("en", 42)).to.equal("42s");
    expect(formatLocalizedDuration("en", 310)).to.equal("5m 10s");
    expect(formatLocalizedDuration("en", 7260)).to.equal("2h 1m");
    expect(formatLocalizedDuration("en", 3600)).to.equal("1h");
    expect(formatLocalizedDuration("ru", 2 * 86400 + 3 * 3600 + 59)).to.equal("2 д 3 ч");
    expect(formatLocalizedDuration("ru", -5)).to.equal("0 с");
  });
  it("formats times in UTC to the minute", () => {
    expect(formatTimestamp(Date.UTC(2026, 11, 3, 10, 18, 59))).to.equal("2026-12-03 10:18 UTC");
  });
});
