// A nonce manager that never reuses or skips a nonce. Sends are serialized: each takes the next nonce, and it is
// consumed only if the transaction reached the node (the send said so, or the node knows the hash, or its pending
// count moved past it). A send that definitely failed gives the nonce back to the next transaction — unless the
// node said the nonce is already used ("nonce too low": another sender signed with the same key), in which case the
// manager re-reads the chain's count and the send is tried once more with the fresh nonce.
import { Mutex } from "./util";

export interface NonceSource {
  /** eth_getTransactionCount(address, tag). */
  count(tag: "latest" | "pending"): Promise<number>;
}

/** Why a send certainly did not reach the node. `nonce`: the nonce was already used (by another sender). */
export type NotSentReason = "nonce" | "other";

export class NotSentError extends Error {
  constructor(
    message: string,
    readonly cause?: unknown,
    readonly reason: NotSentReason = "other",
  ) {
    super(message);
  }
}

/** What the node answers when a nonce is already taken. */
export const NONCE_TAKEN = /nonce too low|nonce has already been used|nonce.*already.*used|oldnonce/i;

export class NonceManager {
  private next?: number;
  private readonly mutex = new Mutex();
  /** Every nonce this manager handed out and saw used, in order (for tests and audits). */
  readonly used: number[] = [];
  /** Times the node said our nonce was already used by someone else (each followed by a resync). */
  takenByOthers = 0;

  constructor(private readonly source: NonceSource) {}

  /** The nonce the next send will use (undefined before the first sync). */
  peek(): number | undefined {
    return this.next;
  }

  /** The chain's transaction count of the sender at `tag` (no caching). */
  chainCount(tag: "latest" | "pending"): Promise<number> {
    return this.source.count(tag);
  }

  /** Re-reads the next nonce from the node (its pending count). Safe at any time: it waits for a send in progress. */
  resync(): Promise<number> {
    return this.mutex.run(async () => {
      this.next = await this.source.count("pending");
      return this.next;
    });
  }

  /**
   * Runs `send(nonce)` with the next nonce, under the lock. `send` resolves when the node accepted the transaction
   * and throws NotSentError when it certainly did not; any other error is ambiguous, and the node is asked whether
   * the nonce was consumed. A nonce taken by another sender is detected (NotSentError reason "nonce"): the manager
   * resyncs from the chain and tries once more.
   */
  use<T>(send: (nonce: number) => Promise<T>): Promise<T> {
    return this.mutex.run(async () => {
      for (let attempt = 0; ; attempt++) {
        this.next ??= await this.source.count("pending");
        const nonce = this.next;
        try {
          const r = await send(nonce);
          this.consume(nonce);
          return r;
        } catch (e) {
          if (e instanceof NotSentError) {
            if (e.reason !== "nonce") throw e;
            this.takenByOthers++;
            this.next = await this.source.count("pending");
            if (this.next > nonce && attempt === 0) continue;
            throw e;
          }
          await this.settleAmbiguous(nonce);
          throw e;
        }
      }
    });
  }

  /** Ambiguous failure (timeout, dropped connection after the write…): believe the node. */
  private async settleAmbiguous(nonce: number): Promise<void> {
    let pending: number | undefined;
    try {
      pending = await this.source.count("pending");
    } catch {
      pending = undefined;
    }
    if (pending === undefined)
      this.next = undefined; // cannot tell: resync before the next send rather than guess
    else if (pending > nonce) this.consume(nonce);
  }

  private consume(nonce: number): void {
    this.used.push(nonce);
    this.next = nonce + 1;
  }
}
