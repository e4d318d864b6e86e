import { expect } from "chai";
import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** Importing any module registers no signal handlers, timers or connections. */
describe("importing modules has no side effects", () => {
  it("adds no process listeners and no active handles", async function () {
    this.timeout(30_000);
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../src");
    const files: string[] = [];
    const walk = (directory: string) => {
      for (const entry of readdirSync(directory, { withFileTypes: true })) {
        const file = path.join(directory, entry.name);
        if (entry.isDirectory()) walk(file);
        else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) files.push(file);
      }
    };
    walk(root);
    const events = ["SIGINT", "SIGTERM", "SIGHUP", "exit", "uncaughtException", "unhandledRejection"] as const;
    const before = Object.fromEntries(events.map((event) => [event, process.listenerCount(event)]));
    const handlesBefore = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles().length;
    for (const file of files) await import(pathToFileURL(file).href);
    const after = Object.fromEntries(events.map((event) => [event, process.listenerCount(event)]));
    expect(after).to.deep.equal(before);
    expect((process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles().length).to.equal(handlesBefore);
    expect(files.length).to.be.greaterThan(20);
  });
});
