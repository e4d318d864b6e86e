import { readFileSync } from "node:fs";
import { VERSION } from "../daemon/status-report.js";
import { createProgram } from "./program.js";

/** Entry point of `bin/stickerbot`. */
export async function main(argv: string[]): Promise<void> {
  const packageJson = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  VERSION.current = packageJson.version;
  const program = createProgram(packageJson.version, (code) => {
    process.exitCode = code;
  });
  program.exitOverride((error) => {
    // commander: 0 for --help/--version, 1 for usage errors; we use 2 for usage errors.
    process.exit(error.exitCode === 0 ? 0 : 2);
  });
  await program.parseAsync(argv);
}
