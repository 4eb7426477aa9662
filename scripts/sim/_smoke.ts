import { runSimulation } from "./run";
async function main() {
  const t0 = Date.now();
  const r = await runSimulation({ scenario: process.env.SC ?? "crash", seed: Number(process.env.SEED ?? 1), accounts: Number(process.env.N ?? 20), steps: Number(process.env.ST ?? 40), modes: (process.env.MODES ?? "static,dynamic").split(",") as any,
    onProgress: (p, d, t) => { if (d % 10 === 0) console.log(p, d, t, ((Date.now()-t0)/1000).toFixed(1)); } });
  for (const [m, x] of Object.entries(r.results)) {
    const { series, liquidations, badDebts, ...rest } = x as any;
    console.log(m, JSON.stringify(rest, (k, v) => typeof v === "bigint" ? v.toString() : v));
    console.log(series.filter((_: any, i: number) => i % 5 === 0).map((s: any) => `${s.step} ${s.phase} ${s.price.WETH.toFixed(0)} vol=${s.vol.toFixed(2)} lt=${s.lt} ltv=${s.ltv} bd=${s.badDebtUsd.toFixed(0)} liq=${s.liquidations} use=${s.borrowPowerUsed.toFixed(3)} br=${s.breaker}`).join("\n"));
  }
  console.log("secs", (Date.now() - t0) / 1000);
}
main().catch((e) => { console.error(e); process.exit(1); });
