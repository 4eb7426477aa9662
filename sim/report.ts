// Reports of a simulation run: JSON (machine-readable, USD in 18-decimal strings), Markdown, and an SVG chart.
import fs from "fs";
import path from "path";
import type { SimResult, ModeResult, Mode } from "./run";
import { SCENARIOS } from "./scenarios";

const usd = (v: bigint) => "$" + (Number(v) / 1e18).toLocaleString("en-US", { maximumFractionDigits: 0 });

export interface ModeSummary {
  liquidations: number;
  collateralLiquidated: string; // USD, 18 decimals
  collateralLiquidatedUnits: Record<string, string>;
  usersLiquidated: number;
  accountsLiquidated: number;
  badDebt: string; // realized + unrealized shortfall, USD 18 decimals
  badDebtRealized: string;
  badDebtUnrealized: string;
  lendersLoss: string;
  borrowPowerUsedCalm: number;
  /** Mean blocks from the step in which the keeper first went for the account to its liquidation. */
  keeperLatencyBlocks: number;
  keeperLatencyMaxBlocks: number;
  /** Mean blocks from the first snapshot showing the account liquidatable to its liquidation (unprofitable waits in). */
  liquidatableToLiquidationBlocks: number;
  keeperGas: number;
  /** Account·steps skipped as unprofitable. */
  failedLiquidationAttempts: number;
  accountsSkippedUnprofitable: number;
  keeperReverts: number;
  userActions: { repays: number; borrows: number; addMargins: number };
}

export function summarize(r: ModeResult): ModeSummary {
  return {
    liquidations: r.liquidations.length,
    collateralLiquidated: r.collateralLiquidatedUsd.toString(),
    collateralLiquidatedUnits: Object.fromEntries(
      Object.entries(r.collateralLiquidated).map(([k, v]) => [k, v.toString()]),
    ),
    usersLiquidated: r.usersLiquidated,
    accountsLiquidated: r.accountsLiquidated,
    badDebt: (r.badDebtRealizedUsd + r.badDebtUnrealizedUsd).toString(),
    badDebtRealized: r.badDebtRealizedUsd.toString(),
    badDebtUnrealized: r.badDebtUnrealizedUsd.toString(),
    lendersLoss: r.lendersLossUsd.toString(),
    borrowPowerUsedCalm: Number(r.borrowPowerUsedCalm.toFixed(6)),
    keeperLatencyBlocks: Number(r.keeperLatencyBlocks.toFixed(3)),
    keeperLatencyMaxBlocks: r.keeperLatencyMaxBlocks,
    liquidatableToLiquidationBlocks: Number(r.liquidatableToLiquidationBlocks.toFixed(3)),
    keeperGas: Number(r.keeperGas),
    failedLiquidationAttempts: r.failedLiquidationAttempts,
    accountsSkippedUnprofitable: r.accountsSkippedUnprofitable,
    keeperReverts: r.keeperReverts,
    userActions: r.userActions,
  };
}

export interface Claim {
  badDebtReduction: number | null; // 1 − dynamic/static (null if static had none)
  fewerUsersLiquidated: boolean;
  calmUsageDiff: number; // |dyn − static| / static
  holds: boolean;
}

export function evaluateClaim(s: ModeSummary, d: ModeSummary): Claim {
  const bs = Number(BigInt(s.badDebt)) / 1e18;
  const bd = Number(BigInt(d.badDebt)) / 1e18;
  const badDebtReduction = bs > 0 ? 1 - bd / bs : null;
  const calmUsageDiff =
    s.borrowPowerUsedCalm > 0 ? Math.abs(d.borrowPowerUsedCalm - s.borrowPowerUsedCalm) / s.borrowPowerUsedCalm : 0;
  const fewerUsersLiquidated = d.usersLiquidated < s.usersLiquidated;
  const holds = badDebtReduction !== null && badDebtReduction >= 0.5 && fewerUsersLiquidated && calmUsageDiff <= 0.1;
  return { badDebtReduction, fewerUsersLiquidated, calmUsageDiff, holds };
}

export function buildJson(r: SimResult) {
  const out: Record<string, unknown> = {
    scenario: r.options.scenario,
    description: SCENARIOS[r.options.scenario].description,
    seed: r.options.seed,
    accounts: r.options.accounts,
    steps: r.options.steps,
    stepSeconds: r.path.stepSeconds,
    volatilityOracle: r.oracle,
    keeper: r.keeperImpl,
    units: "USD values are 18-decimal integers as strings; borrowPowerUsedCalm is a fraction; latency in blocks (12 s)",
    population: {
      lenders: r.actors.filter((a) => a.spec.kind === "lender").length,
      borrowers: r.actors.filter((a) => a.spec.kind === "borrower").length,
      marginTraders: r.actors.filter((a) => a.spec.kind === "trader").length,
      // Positions opened through MarginRouter (the rest, if any, were built by looping on the pool).
      marginTradersViaRouter: r.actors.filter((a) => a.spec.kind === "trader" && a.positionId !== 0n).length,
    },
  };
  for (const m of ["static", "dynamic"] as Mode[]) {
    const res = r.results[m];
    if (!res) continue;
    const kindOf = (owner: string) =>
      r.actors.find((a) => a.address.toLowerCase() === owner.toLowerCase())?.spec.kind ?? "?";
    const sym = (addr: string) => Object.values(r.world.assets).find((a) => a.address === addr)?.symbol ?? addr;
    // Every liquidation: who (borrower / trader), what was repaid and seized (token units), and the keeper latency
    // bookkeeping behind keeperLatencyBlocks.
    const liquidationLog = res.liquidations.map((l, i) => ({
      ...res.latencyLog[i],
      owner: l.owner,
      subId: l.subId.toString(),
      kind: kindOf(l.owner),
      collateral: sym(l.collateralAsset),
      repaid: l.repaid.toString(),
      seized: l.seized.toString(),
    }));
    out[m] = { ...summarize(res), liquidationLog, series: res.series };
  }
  if (r.results.static && r.results.dynamic)
    out.claim = evaluateClaim(summarize(r.results.static), summarize(r.results.dynamic));
  return out;
}

export function tableRows(r: SimResult): Record<string, Record<string, string>> {
  const rows: Record<string, Record<string, string>> = {};
  const add = (label: string, f: (s: ModeSummary, m: ModeResult) => string) => {
    rows[label] = {};
    for (const m of ["static", "dynamic"] as Mode[]) {
      const res = r.results[m];
      if (res) rows[label][m] = f(summarize(res), res);
    }
  };
  add("liquidations", (s) => String(s.liquidations));
  add("collateral liquidated", (_, m) => usd(m.collateralLiquidatedUsd));
  add("users liquidated", (s) => String(s.usersLiquidated));
  add("bad debt (realized + shortfall)", (_, m) => usd(m.badDebtRealizedUsd + m.badDebtUnrealizedUsd));
  add("  realized (BadDebt events)", (_, m) => usd(m.badDebtRealizedUsd));
  add("  unrealized shortfall at end", (_, m) => usd(m.badDebtUnrealizedUsd));
  add("lenders' loss (socialized)", (_, m) => usd(m.lendersLossUsd));
  add("borrowing power used, calm", (s) => (s.borrowPowerUsedCalm * 100).toFixed(2) + "%");
  add("keeper latency (blocks, mean/max)", (s) => `${s.keeperLatencyBlocks.toFixed(1)} / ${s.keeperLatencyMaxBlocks}`);
  add("liquidatable → liquidated (blocks, mean)", (s) => s.liquidatableToLiquidationBlocks.toFixed(1));
  add("keeper gas", (s) => s.keeperGas.toLocaleString("en-US"));
  add(
    "skipped as unprofitable (account·steps / accounts)",
    (s) => `${s.failedLiquidationAttempts} / ${s.accountsSkippedUnprofitable}`,
  );
  add("keeper transactions reverted", (s) => String(s.keeperReverts));
  add(
    "user repays / borrows / margin adds",
    (s) => `${s.userActions.repays} / ${s.userActions.borrows} / ${s.userActions.addMargins}`,
  );
  return rows;
}

export function buildMarkdown(r: SimResult, chartFile: string): string {
  const rows = tableRows(r);
  const lines: string[] = [];
  const o = r.options;
  lines.push(`# Fulcra market simulation — ${o.scenario}, seed ${o.seed}`, "");
  lines.push(SCENARIOS[o.scenario].description, "");
  lines.push(
    `${o.accounts} accounts, ${o.steps} steps of ${r.path.stepSeconds / 60} minutes (${((o.steps * r.path.stepSeconds) / 3600).toFixed(1)} h), ` +
      `volatility oracle: ${r.oracle}, keeper: ${r.keeperImpl}. The same price path and population run twice from the same chain state: ` +
      "risk engine in static mode (fixed LTV/LT, as lending markets work today) and in dynamic mode.",
    "",
  );
  lines.push("| metric | static | dynamic |", "|---|---:|---:|");
  for (const [k, v] of Object.entries(rows)) lines.push(`| ${k.trim()} | ${v.static ?? "–"} | ${v.dynamic ?? "–"} |`);
  lines.push("");
  if (r.results.static && r.results.dynamic) {
    const c = evaluateClaim(summarize(r.results.static), summarize(r.results.dynamic));
    lines.push("## The claim", "");
    lines.push(
      `- bad debt: dynamic ${c.badDebtReduction === null ? "n/a (static had none)" : `${(c.badDebtReduction * 100).toFixed(1)} % lower than static`} (claim: ≥ 50 %)`,
    );
    lines.push(
      `- users liquidated: ${r.results.dynamic.usersLiquidated} dynamic vs ${r.results.static.usersLiquidated} static (claim: fewer)`,
    );
    lines.push(`- calm-phase borrowing power used: ${(c.calmUsageDiff * 100).toFixed(2)} % apart (claim: within 10 %)`);
    lines.push(`- **${c.holds ? "the claim holds in this run" : "the claim does NOT hold in this run"}**`, "");
  }
  lines.push(`![chart](${path.basename(chartFile)})`, "");
  lines.push(
    "Chart: price of WETH (top), WETH volatility as the risk engine sees it and the realized volatility of the path, " +
      "WETH's effective liquidation threshold and LTV in each mode, and cumulative realized bad debt in each mode. " +
      "Shaded: phases after the calm one.",
    "",
  );
  return lines.join("\n");
}

// ---------------------------------------------------------------- SVG chart

const COLORS = { static: "#d62728", dynamic: "#1f77b4", price: "#333", vol: "#9467bd", realized: "#bbb" };

export function buildSvg(r: SimResult): string {
  const W = 900;
  const panelH = 170;
  const gap = 40;
  const left = 70;
  const right = 20;
  const top = 40;
  const panels = 4;
  const H = top + panels * (panelH + gap);
  const n = r.path.steps;
  const x = (step: number) => left + ((W - left - right) * step) / n;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
  );
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">Fulcra simulation: ${r.options.scenario}, seed ${r.options.seed} — static (red) vs dynamic (blue)</text>`,
  );
  const s = r.results.static?.series ?? [];
  const d = r.results.dynamic?.series ?? [];
  const any = s.length ? s : d;

  const panel = (
    i: number,
    title: string,
    series: { data: number[]; color: string; label: string; dash?: string }[],
    fmt: (v: number) => string,
    yMin0 = false,
  ) => {
    const y0 = top + i * (panelH + gap);
    const all = series.flatMap((q) => q.data).filter((v) => Number.isFinite(v));
    let lo = Math.min(...all);
    let hi = Math.max(...all);
    if (yMin0) lo = Math.min(0, lo);
    if (!(hi > lo)) hi = lo + 1;
    const pad = (hi - lo) * 0.05;
    lo -= yMin0 && lo === 0 ? 0 : pad;
    hi += pad;
    const y = (v: number) => y0 + panelH - ((v - lo) / (hi - lo)) * panelH;
    // Phase shading.
    let start = -1;
    for (let k = 1; k <= n + 1; k++) {
      const ph = k <= n ? r.path.phase[k] : "end";
      const shaded = ph !== "calm" && ph !== "end";
      if (shaded && start < 0) start = k - 1;
      if ((!shaded || k === n + 1) && start >= 0) {
        out.push(`<rect x="${x(start)}" y="${y0}" width="${x(k - 1) - x(start)}" height="${panelH}" fill="#f3ecd9"/>`);
        start = -1;
      }
    }
    out.push(`<rect x="${left}" y="${y0}" width="${W - left - right}" height="${panelH}" fill="none" stroke="#999"/>`);
    out.push(`<text x="${left}" y="${y0 - 6}" font-weight="bold">${title}</text>`);
    for (let t = 0; t <= 4; t++) {
      const v = lo + ((hi - lo) * t) / 4;
      out.push(`<line x1="${left - 4}" x2="${left}" y1="${y(v)}" y2="${y(v)}" stroke="#999"/>`);
      out.push(`<text x="${left - 6}" y="${y(v) + 4}" text-anchor="end">${fmt(v)}</text>`);
    }
    let lx = W - right - 10;
    for (const q of [...series].reverse()) {
      const pts = q.data.map((v, k) => `${x(k + 1).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
      out.push(
        `<polyline points="${pts}" fill="none" stroke="${q.color}" stroke-width="1.6"${q.dash ? ` stroke-dasharray="${q.dash}"` : ""}/>`,
      );
      out.push(`<text x="${lx}" y="${y0 + 14}" text-anchor="end" fill="${q.color}">${q.label}</text>`);
      lx -= q.label.length * 6 + 16;
    }
  };
  panel(
    0,
    "WETH price (USD)",
    [{ data: any.map((p) => p.price.WETH), color: COLORS.price, label: "WETH/USD feed" }],
    (v) => v.toFixed(0),
  );
  const volSeries: { data: number[]; color: string; label: string; dash?: string }[] = [
    { data: any.map((p) => p.realizedVol * 100), color: COLORS.realized, label: "realized (4 h window)" },
  ];
  if (d.length) {
    volSeries.push({ data: d.map((p) => p.vol * 100), color: COLORS.vol, label: "long estimate (1-day half-life)" });
    if (d.every((p) => typeof p.fastVol === "number")) {
      volSeries.push({
        data: d.map((p) => p.fastVol * 100),
        color: COLORS.vol,
        label: "short estimate (2 h)",
        dash: "4 3",
      });
    }
  }
  panel(1, "WETH volatility (annualized %)", volSeries, (v) => v.toFixed(0) + "%", true);
  const ltSeries: { data: number[]; color: string; label: string; dash?: string }[] = [];
  if (s.length) ltSeries.push({ data: s.map((p) => p.lt / 100), color: COLORS.static, label: "LT static" });
  if (d.length) {
    ltSeries.push({ data: d.map((p) => p.lt / 100), color: COLORS.dynamic, label: "LT dynamic" });
    ltSeries.push({ data: d.map((p) => p.ltv / 100), color: COLORS.dynamic, label: "LTV dynamic", dash: "4 3" });
  }
  panel(2, "WETH effective liquidation threshold / LTV (%)", ltSeries, (v) => v.toFixed(1) + "%");
  const bdSeries = [];
  if (s.length) bdSeries.push({ data: s.map((p) => p.badDebtUsd), color: COLORS.static, label: "static" });
  if (d.length) bdSeries.push({ data: d.map((p) => p.badDebtUsd), color: COLORS.dynamic, label: "dynamic" });
  panel(3, "cumulative realized bad debt (USD)", bdSeries, (v) => "$" + Math.round(v).toLocaleString("en-US"), true);
  const yAxis = top + panels * (panelH + gap) - gap + 16;
  for (let t = 0; t <= 8; t++) {
    const step = Math.round((n * t) / 8);
    out.push(
      `<text x="${x(step)}" y="${yAxis}" text-anchor="middle">${((step * r.path.stepSeconds) / 3600).toFixed(0)} h</text>`,
    );
  }
  out.push("</svg>");
  return out.join("\n");
}

/** Writes reports/<scenario>-<seed>.{json,md,svg}; returns the paths. */
export function writeReports(r: SimResult, dir = "reports"): { json: string; md: string; svg: string } {
  fs.mkdirSync(dir, { recursive: true });
  const base = path.join(dir, `${r.options.scenario}-${r.options.seed}`);
  const files = { json: base + ".json", md: base + ".md", svg: base + ".svg" };
  fs.writeFileSync(
    files.json,
    JSON.stringify(buildJson(r), (_, v) => (typeof v === "bigint" ? v.toString() : v), 2),
  );
  fs.writeFileSync(files.svg, buildSvg(r));
  fs.writeFileSync(files.md, buildMarkdown(r, files.svg));
  return files;
}
