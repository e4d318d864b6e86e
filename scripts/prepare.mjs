// `npm ci` runs this: it compiles src/ to dist/ so `npx stickerbot start` works
// right after install. In a production install (`npm ci --omit=dev`) TypeScript
// is absent and dist/ was built beforehand, so there is nothing to do.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
let tsc;
try {
  tsc = require.resolve("typescript/bin/tsc");
} catch {
  console.log("prepare: typescript is not installed (production install); using the existing dist/");
  process.exit(0);
}
const result = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { stdio: "inherit" });
process.exit(result.status ?? 1);
