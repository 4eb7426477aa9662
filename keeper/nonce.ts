// A nonce manager that never reuses or skips a nonce. Sends are serialized: each takes the next nonce, and it is
// consumed only if the transaction reached the node (the send said so, or the node knows the hash, or its pending
// count moved past it). A send that definitely failed gives the nonce back to the next transaction.
import { Mutex } from "./util";

export interface NonceSource {
  /** eth_getTransactionCount(address, tag). */
  count(tag: "latest" | "pending"): Promise<number>;
}

export class NotSentError extends Error {
  constructor(
    message: string,
    readonly cause?: unknown,
  ) {
    super(message);
  }
}

export class NonceManager {
  private next?: number;
  private readonly mutex = new Mutex();
  /** Every nonce this manager handed out and saw used, in order (for tests and audits). */
  readonly used: number[] = [];

  constructor(private readonly source: NonceSource) {}

  /** The nonce the next send will use (undefined before the first sync). */
  peek(): number | undefined {
    return this.next;
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
   * the nonce was consumed.
   */
  use<T>(send: (nonce: number) => Promise<T>): Promise<T> {
    return this.mutex.run(async () => {
      if (this.next === undefined) this.next = await this.source.count("pending");
      const nonce = this.next;
      try {
        const r = await send(nonce);
        this.consume(nonce);
        return r;
      } catch (e) {
        if (!(e instanceof NotSentError)) {
          // Ambiguous (timeout, dropped connection after the write…): believe the node.
          let pending: number | undefined;
          try {
            pending = await this.source.count("pending");
          } catch {
            pending = undefined;
          }
          if (pending === undefined) {
            // Cannot tell: force a resync before the next send rather than guess.
            this.next = undefined;
          } else if (pending > nonce) this.consume(nonce);
        }
        throw e;
      }
    });
  }

  private consume(nonce: number): void {
    this.used.push(nonce);
    this.next = nonce + 1;
  }
}
