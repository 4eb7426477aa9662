// Every RPC call of the keeper goes through here: a per-call timeout, retries with exponential backoff on transient
// errors, and a count of failures per method for the metrics.
import type { Provider, TransactionRequest, Filter, Log, Block } from "ethers";
import { retry, withTimeout, errText } from "./util";

export interface RpcOptions {
  retries: number;
  timeoutMs: number;
  baseMs?: number;
  maxMs?: number;
}

/** Errors that retrying cannot fix: a revert, a bad argument. Everything else (timeouts, 5xx, resets) is retried. */
export function isPermanent(e: unknown): boolean {
  const x = e as { code?: string; data?: unknown };
  const t = errText(e).toLowerCase();
  if (t.includes("timeout") || t.includes("timed out")) return false;
  if (x?.code === "INVALID_ARGUMENT" || x?.code === "NUMERIC_FAULT") return true;
  // A revert carries return data (possibly "0x"); a CALL_EXCEPTION with none is a transport failure in disguise.
  if (x?.code === "CALL_EXCEPTION") return typeof x.data === "string";
  return t.includes("revert");
}

export class Rpc {
  constructor(
    readonly provider: Provider,
    readonly opts: RpcOptions,
    private readonly onError: (method: string, e: unknown) => void = () => {},
  ) {}

  /** Runs `fn` with the timeout and the retry policy. `retryable` narrows what is retried. */
  async run<T>(
    method: string,
    fn: () => Promise<T>,
    retryable: (e: unknown) => boolean = (e) => !isPermanent(e),
  ): Promise<T> {
    return retry(() => withTimeout(fn(), this.opts.timeoutMs, method), {
      retries: this.opts.retries,
      baseMs: this.opts.baseMs ?? 50,
      maxMs: this.opts.maxMs ?? 2_000,
      retryable,
      onError: (e) => this.onError(method, e),
    });
  }

  blockNumber(): Promise<number> {
    return this.run("eth_blockNumber", () => this.provider.getBlockNumber());
  }

  async block(tag: number | string): Promise<Block> {
    const b = await this.run("eth_getBlockByNumber", () => this.provider.getBlock(tag));
    if (!b) throw new Error(`block ${tag} not found`);
    return b;
  }

  /** One eth_getLogs, with only a timeout (the indexer decides about retries: a range error must not be retried). */
  getLogsOnce(filter: Filter): Promise<Log[]> {
    return withTimeout(this.provider.getLogs(filter), this.opts.timeoutMs, "eth_getLogs").catch((e) => {
      this.onError("eth_getLogs", e);
      throw e;
    });
  }

  /** eth_call; reverts are not retried and come back as thrown errors with their data. */
  call(tx: TransactionRequest, blockTag?: number | string): Promise<string> {
    return this.run("eth_call", () => this.provider.call({ ...tx, blockTag }));
  }
}
