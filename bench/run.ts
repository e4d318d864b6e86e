/**
 * `npm run bench`: runs every `bench/*.bench.ts` in turn and prints its
 * figures. Benchmarks measure; they do not fail on a slow machine. Run one:
 * `node --import tsx bench/run.ts stickers`.
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** What a benchmark module exports. */
export interface BenchmarkModule {
  /** Runs the benchmark and prints its figures (one `name: value unit (target ...)` line each). */
  run(): Promise<void>;
}

const directory = path.dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(directory)
  .filter((file) => file.endsWith(".bench.ts"))
  .filter((file) => only.length === 0 || only.some((name) => file.startsWith(name)))
  .sort();
for (const file of files) {
  console.log(`\n== ${file.replace(/\.bench\.ts$/, "")} ==`);
  const module = (await import(pathToFileURL(path.join(directory, file)).href)) as BenchmarkModule;
  await module.run();
}
process.exit(0);
