// The keeper's log: pino underneath, printed for a person by default (one line per event: time, level, message,
// then the fields as key=value) and as pino's JSON lines with --json-logs (for a log collector). pino-pretty would
// do the first, but it is a development tool with a dozen dependencies; this is the one format the keeper needs.
import pino, { type Logger } from "pino";

const LEVELS: Record<number, string> = { 10: "TRACE", 20: "DEBUG", 30: "INFO", 40: "WARN", 50: "ERROR", 60: "FATAL" };
/** pino's own fields, shown in the line's head or not at all. */
const HIDDEN = new Set(["level", "time", "msg", "pid", "hostname"]);

function fieldValue(v: unknown): string {
  if (typeof v === "string") return /[\s"=]/.test(v) || v === "" ? JSON.stringify(v) : v;
  return JSON.stringify(v) ?? String(v);
}

/** One pino JSON record as a readable line: `12:00:01.250 INFO  liquidated account=0x…:0 repaid="1,000 USDC"`. */
export function prettyLine(record: Record<string, unknown>): string {
  const t = typeof record.time === "number" ? new Date(record.time).toISOString().slice(11, 23) : "";
  const level = (LEVELS[record.level as number] ?? String(record.level)).padEnd(5);
  const msg = typeof record.msg === "string" ? record.msg : "";
  const fields = Object.entries(record)
    .filter(([k]) => !HIDDEN.has(k))
    .map(([k, v]) => `${k}=${fieldValue(v)}`);
  return [t, level, msg, ...fields].filter((s) => s !== "").join(" ");
}

/** A pino destination that turns each JSON line into `prettyLine` on `out`. */
export function prettyDestination(out: { write(s: string): unknown } = process.stdout): { write(s: string): void } {
  return {
    write(chunk: string) {
      for (const line of chunk.split("\n")) {
        if (line === "") continue;
        let record: Record<string, unknown>;
        try {
          record = JSON.parse(line) as Record<string, unknown>;
        } catch {
          out.write(line + "\n"); // not pino's JSON: pass it through untouched
          continue;
        }
        out.write(prettyLine(record) + "\n");
      }
    },
  };
}

/** The keeper's logger: readable lines by default, pino's JSON lines when `json` (the --json-logs flag). */
export function makeLogger(level: string, json: boolean, out: { write(s: string): unknown } = process.stdout): Logger {
  return json ? pino({ level }, out) : pino({ level }, prettyDestination(out));
}
