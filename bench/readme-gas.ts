// `npm run bench:gas:readme`: rewrites README.md's gas section (between <!-- gas:begin --> and <!-- gas:end -->) from
// the recorded bench/results/gas.json, without running anything. `npm run bench:gas -- --readme` does the same after
// a run.
import path from "path";
import { readResult, updateReadme } from "../lib/gas/report";

try {
  const root = path.join(__dirname, "..");
  const file = updateReadme(root, readResult(root));
  console.log(`Rewrote the gas section of ${path.relative(process.cwd(), file) || file} from bench/results/gas.json.`);
} catch (e) {
  console.error(`bench:gas:readme: ${(e as Error).message.split("\n")[0]}`);
  process.exitCode = 1;
}
