// Draws LTV and LT against annualized volatility for the default profiles: docs/img/risk-curves.svg.
// Run: npx ts-node scripts/charts/risk-curves.ts
import fs from "fs";
import path from "path";
import { DEFAULT_PROFILES, targetsFor } from "../../config/profiles";

const W = 880,
  H = 420,
  M = { l: 60, r: 170, t: 40, b: 50 };
const maxVol = 2.5;
const x = (v: number) => M.l + (v / maxVol) * (W - M.l - M.r);
const y = (bps: number) => M.t + (1 - (bps - 4000) / 6000) * (H - M.t - M.b);
const colors: Record<string, string> = { WETH: "#3b6fd8", WBTC: "#e08a00", USDC: "#2a9d57" };

let svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">\n`;
svg += `<rect width="100%" height="100%" fill="white"/>\n<text x="${M.l}" y="22" font-size="15" font-weight="bold">Fulcra dynamic collateral: LTV (dashed) and liquidation threshold (solid) vs volatility</text>\n`;
for (let b = 4000; b <= 10000; b += 1000) {
  svg += `<line x1="${M.l}" x2="${W - M.r}" y1="${y(b)}" y2="${y(b)}" stroke="#ddd"/><text x="${M.l - 8}" y="${y(b) + 4}" text-anchor="end">${b / 100}%</text>\n`;
}
for (let v = 0; v <= maxVol + 1e-9; v += 0.25) {
  svg += `<line x1="${x(v)}" x2="${x(v)}" y1="${M.t}" y2="${H - M.b}" stroke="#f0f0f0"/><text x="${x(v)}" y="${H - M.b + 16}" text-anchor="middle">${Math.round(v * 100)}%</text>\n`;
}
svg += `<text x="${(M.l + W - M.r) / 2}" y="${H - 12}" text-anchor="middle">annualized realized volatility</text>\n`;
let legendY = M.t + 10;
for (const [sym, p] of Object.entries(DEFAULT_PROFILES)) {
  const pts = (key: "ltv" | "lt") =>
    Array.from({ length: 251 }, (_, i) => (i / 250) * maxVol)
      .map((v) => `${x(v).toFixed(1)},${y(targetsFor(p, v)[key]).toFixed(1)}`)
      .join(" ");
  svg += `<polyline fill="none" stroke="${colors[sym]}" stroke-width="2.5" points="${pts("lt")}"/>\n`;
  svg += `<polyline fill="none" stroke="${colors[sym]}" stroke-width="2" stroke-dasharray="6 4" points="${pts("ltv")}"/>\n`;
  svg += `<line x1="${x(p.breakerVol)}" x2="${x(p.breakerVol)}" y1="${M.t}" y2="${H - M.b}" stroke="${colors[sym]}" stroke-width="1" stroke-dasharray="2 3"/>\n`;
  svg += `<text x="${W - M.r + 12}" y="${legendY}" fill="${colors[sym]}" font-weight="bold">${sym}</text>`;
  svg += `<text x="${W - M.r + 12}" y="${legendY + 15}" fill="#444">ref ${p.refVol * 100}% · breaker ${p.breakerVol * 100}%</text>\n`;
  legendY += 42;
}
svg += `<text x="${W - M.r + 12}" y="${legendY + 4}" fill="#444">dotted vertical: breaker</text>\n</svg>\n`;
const out = path.join(__dirname, "..", "..", "docs", "img", "risk-curves.svg");
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, svg);
console.log(`written ${path.relative(process.cwd(), out)}`);
