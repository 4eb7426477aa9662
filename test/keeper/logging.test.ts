// Issue #18 item 10: the keeper's log is readable by a person by default and JSON with a flag. Before, it was always
// pino's JSON lines (`{"level":30,"time":…,"pid":…,"hostname":…,"msg":…}`).
import { expect } from "chai";
import { makeLogger, prettyLine } from "../../keeper/logging";
import { parseCli } from "../../keeper/config";

function capture() {
  const chunks: string[] = [];
  return { out: { write: (s: string) => chunks.push(s) }, text: () => chunks.join("") };
}

describe("keeper: log format (issue #18 item 10)", () => {
  it("a record prints as time, level, message, then its fields as key=value; pino's pid and hostname are left out", () => {
    const line = prettyLine({
      level: 40,
      time: Date.UTC(2026, 11, 4, 12, 0, 1, 250),
      pid: 4242,
      hostname: "box",
      msg: "liquidation lost the race",
      account: "0xabc:0",
      repaid: "1,000 USDC",
      attempt: 2,
      ok: false,
    });
    expect(line).to.equal(
      '12:00:01.250 WARN  liquidation lost the race account=0xabc:0 repaid="1,000 USDC" attempt=2 ok=false',
    );
  });

  it("by default the keeper's logger writes readable lines, not JSON", () => {
    const c = capture();
    makeLogger("info", false, c.out).info({ block: 12 }, "indexed to the head");
    const text = c.text();
    expect(text).to.match(/^\d\d:\d\d:\d\d\.\d{3} INFO {2}indexed to the head block=12\n$/);
    expect(() => JSON.parse(text) as unknown).to.throw();
  });

  it("with --json-logs it writes one pino JSON object per line", () => {
    const c = capture();
    makeLogger("info", true, c.out).info({ block: 12 }, "indexed to the head");
    const record = JSON.parse(c.text()) as Record<string, unknown>;
    expect(record).to.include({ level: 30, msg: "indexed to the head", block: 12 });
  });

  it("the level still filters in both formats", () => {
    for (const json of [false, true]) {
      const c = capture();
      const log = makeLogger("warn", json, c.out);
      log.info("hidden");
      log.warn("shown");
      expect(c.text()).to.include("shown").and.not.include("hidden");
    }
  });

  it("--json-logs (or KEEPER_JSON_LOGS=1) selects JSON; readable is the default", () => {
    expect(parseCli([], {}).config.jsonLogs).to.equal(false);
    expect(parseCli(["--json-logs"], {}).config.jsonLogs).to.equal(true);
    expect(parseCli([], { KEEPER_JSON_LOGS: "1" }).config.jsonLogs).to.equal(true);
  });
});
