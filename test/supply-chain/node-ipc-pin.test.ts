import { expect } from "chai";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * node-ipc shipped malware in other versions (10.1.1–10.1.2 wiped files,
 * 9.2.2 and 11.x wrote files to the desktop, 9.1.6, 9.2.3 and 12.0.1 stole
 * credentials). This fails if the installed tree is anything but the pinned one.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const EXPECTED: Record<string, string> = {
  "node-ipc": "9.2.1",
  "event-pubsub": "4.3.0",
  "js-message": "1.0.7",
  "js-queue": "2.0.2",
  "easy-stack": "1.0.1",
};

type LockPackage = { version?: string; dependencies?: Record<string, string> };

function findInstalled(name: string): string[] {
  // Every copy of the package anywhere under node_modules, nested ones included.
  const found: string[] = [];
  const walk = (directory: string, depth: number, scope = "") => {
    if (depth > 6) return;
    let entries: string[];
    try {
      entries = readdirSync(directory);
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.startsWith("@")) {
        walk(path.join(directory, entry), depth, `${entry}/`);
        continue;
      }
      const packageDirectory = path.join(directory, entry);
      if (scope + entry === name) {
        try {
          found.push((JSON.parse(readFileSync(path.join(packageDirectory, "package.json"), "utf8")) as LockPackage).version ?? "?");
        } catch {
          // not a package
        }
      }
      walk(path.join(packageDirectory, "node_modules"), depth + 1);
    }
  };
  walk(path.join(root, "node_modules"), 0);
  return found;
}

describe("supply chain: node-ipc is pinned to the known-good tree", () => {
  it("package.json pins node-ipc to exactly 9.2.1", () => {
    const manifest = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { dependencies: Record<string, string> };
    expect(manifest.dependencies["node-ipc"]).to.equal("9.2.1");
  });

  it("the lockfile resolves node-ipc and its dependencies to the pinned versions only", () => {
    const lock = JSON.parse(readFileSync(path.join(root, "package-lock.json"), "utf8")) as { packages: Record<string, LockPackage> };
    const ipcEntries = Object.entries(lock.packages).filter(([key]) => /(^|\/)node_modules\/node-ipc$/.test(key));
    expect(ipcEntries.map(([, entry]) => entry.version)).to.deep.equal(["9.2.1"]);
    expect(ipcEntries[0][1].dependencies).to.deep.equal({ "event-pubsub": "4.3.0", "js-message": "1.0.7", "js-queue": "2.0.2" });
    for (const [name, version] of Object.entries(EXPECTED)) {
      const versions = Object.entries(lock.packages)
        .filter(([key]) => key === `node_modules/${name}` || key.endsWith(`/node_modules/${name}`))
        .map(([, entry]) => entry.version);
      expect(versions, name).to.deep.equal([version]);
    }
  });

  it("the installed tree holds exactly node-ipc 9.2.1, event-pubsub 4.3.0, js-message 1.0.7, js-queue 2.0.2, easy-stack 1.0.1", () => {
    for (const [name, version] of Object.entries(EXPECTED)) {
      expect(findInstalled(name), name).to.deep.equal([version]);
    }
    const ipcManifest = JSON.parse(readFileSync(path.join(root, "node_modules/node-ipc/package.json"), "utf8")) as LockPackage & { scripts?: Record<string, string> };
    expect(ipcManifest.dependencies).to.deep.equal({ "event-pubsub": "4.3.0", "js-message": "1.0.7", "js-queue": "2.0.2" });
    expect(Object.keys(ipcManifest.scripts ?? {}).filter((script) => /install/.test(script)), "install scripts").to.deep.equal([]);
  });

  it("only src/control/ipc-transport.ts imports node-ipc", () => {
    const importers: string[] = [];
    const walk = (directory: string) => {
      for (const entry of readdirSync(directory, { withFileTypes: true })) {
        const file = path.join(directory, entry.name);
        if (entry.isDirectory()) walk(file);
        else if (/\.ts$/.test(entry.name) && /from\s+["']node-ipc["']|require\(["']node-ipc["']\)/.test(readFileSync(file, "utf8"))) {
          importers.push(path.relative(root, file));
        }
      }
    };
    walk(path.join(root, "src"));
    expect(importers).to.deep.equal(["src/control/ipc-transport.ts"]);
  });
});
