// Prometheus metrics (prom-client, one registry per keeper so several can run in one process) and the HTTP
// endpoint that serves /metrics and /health.
import http from "node:http";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export class KeeperMetrics {
  readonly registry: Registry;
  readonly accountsTracked: Gauge;
  readonly accountsLiquidatable: Gauge;
  readonly liquidationsSent: Counter;
  readonly liquidationsWon: Counter;
  readonly liquidationsLost: Counter;
  readonly liquidationsSkipped: Counter<"reason">;
  readonly liquidationsReplanned: Counter<"outcome">;
  readonly profitUsd: Counter;
  readonly rpcErrors: Counter<"method">;
  readonly lastBlock: Gauge;
  readonly lastIndexedBlock: Gauge;
  readonly reorgs: Counter;
  readonly scanDuration: Histogram;
  readonly tickErrors: Counter;
  readonly txReplaced: Counter;
  readonly volUpdates: Counter;
  readonly dryRunLiquidations: Counter;

  constructor(withDefaults = false) {
    const registry = (this.registry = new Registry());
    const r = [registry];
    this.accountsTracked = new Gauge({
      name: "keeper_accounts_tracked",
      help: "accounts known to the indexer (in this shard)",
      registers: r,
    });
    this.accountsLiquidatable = new Gauge({
      name: "keeper_accounts_liquidatable",
      help: "accounts liquidatable at the last scan",
      registers: r,
    });
    this.liquidationsSent = new Counter({
      name: "keeper_liquidations_sent_total",
      help: "liquidation transactions sent (replacements not counted)",
      registers: r,
    });
    this.liquidationsWon = new Counter({
      name: "keeper_liquidations_won_total",
      help: "liquidations mined successfully",
      registers: r,
    });
    this.liquidationsLost = new Counter({
      name: "keeper_liquidations_lost_total",
      help: "liquidations that lost the race (reverted or found gone)",
      registers: r,
    });
    this.liquidationsReplanned = new Counter({
      name: "keeper_liquidations_replanned_total",
      help: "liquidations re-quoted because earlier ones of the same block moved the state (outcome: replanned | dropped)",
      labelNames: ["outcome"],
      registers: r,
    });
    this.liquidationsSkipped = new Counter({
      name: "keeper_liquidations_skipped_total",
      help: "liquidatable accounts not attempted",
      labelNames: ["reason"],
      registers: r,
    });
    this.profitUsd = new Counter({
      name: "keeper_profit_usd_total",
      help: "realized profit after gas, USD",
      registers: r,
    });
    this.rpcErrors = new Counter({
      name: "keeper_rpc_errors_total",
      help: "failed RPC calls (before retries succeeded)",
      labelNames: ["method"],
      registers: r,
    });
    this.lastBlock = new Gauge({
      name: "keeper_last_block_seen",
      help: "head block number at the last tick",
      registers: r,
    });
    this.lastIndexedBlock = new Gauge({
      name: "keeper_last_indexed_block",
      help: "last block the indexer processed",
      registers: r,
    });
    this.reorgs = new Counter({ name: "keeper_reorgs_total", help: "chain reorganizations detected", registers: r });
    this.scanDuration = new Histogram({
      name: "keeper_scan_seconds",
      help: "duration of a Lens scan",
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5],
      registers: r,
    });
    this.tickErrors = new Counter({
      name: "keeper_tick_errors_total",
      help: "ticks that failed (the loop continues)",
      registers: r,
    });
    this.txReplaced = new Counter({
      name: "keeper_tx_replaced_total",
      help: "stuck transactions replaced with higher fees",
      registers: r,
    });
    this.volUpdates = new Counter({
      name: "keeper_volatility_updates_total",
      help: "RiskEngine.updateMany transactions sent",
      registers: r,
    });
    this.dryRunLiquidations = new Counter({
      name: "keeper_dry_run_liquidations_total",
      help: "liquidations a dry run planned and simulated successfully but did not send",
      registers: r,
    });
    if (withDefaults) collectDefaultMetrics({ register: registry });
  }
}

export interface HealthInfo {
  ok: boolean;
  [k: string]: unknown;
}

/** Serves GET /metrics (Prometheus text) and GET /health (JSON; 503 when not ok). */
export function startMetricsServer(
  metrics: KeeperMetrics,
  host: string,
  port: number,
  health: () => HealthInfo,
): Promise<http.Server> {
  const serve = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    try {
      if (req.url?.startsWith("/metrics")) {
        res.writeHead(200, { "content-type": metrics.registry.contentType });
        res.end(await metrics.registry.metrics());
      } else if (req.url?.startsWith("/health")) {
        const h = health();
        res.writeHead(h.ok ? 200 : 503, { "content-type": "application/json" });
        res.end(JSON.stringify(h));
      } else {
        res.writeHead(404);
        res.end();
      }
    } catch (e) {
      res.writeHead(500);
      res.end(String(e));
    }
  };
  // serve() never rejects (it answers 500 instead), so the promise it returns can be left alone.
  const server = http.createServer((req, res) => void serve(req, res));
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve(server));
  });
}
