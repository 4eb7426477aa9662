// Signing and broadcasting one transaction: the same signed bytes are rebroadcast on transient errors (idempotent),
// a send that reached the node anyway (timeout after the write, "already known") counts as sent, and a send that
// certainly did not is a NotSentError ("nonce": the node says the nonce is already used).
import { Transaction } from "ethers";
import type { Call, Fees, TxSigner } from "./executor";
import { NONCE_TAKEN, NotSentError } from "./nonce";
import type { Rpc } from "./rpc";
import { errText, sleep } from "./util";

export class Broadcaster {
  constructor(
    private readonly rpc: Rpc,
    private readonly signer: TxSigner,
    private readonly chainId: bigint,
    private readonly retries: number,
  ) {}

  /** Signs and broadcasts at `nonce`; rebroadcasts the same bytes on transient errors. */
  async signAndSend(req: Call & { gasLimit: bigint } & Fees, nonce: number): Promise<{ hash: string; raw: string }> {
    const raw = await this.signer.signTransaction({
      type: 2,
      chainId: this.chainId,
      nonce,
      to: req.to,
      data: req.data,
      value: 0n,
      gasLimit: req.gasLimit,
      maxFeePerGas: req.maxFee,
      maxPriorityFeePerGas: req.prio,
    });
    // A signed transaction always has a hash (it is computed from the signature).
    const hash = Transaction.from(raw).hash as string;
    await this.broadcast(raw, hash);
    return { hash, raw };
  }

  /** Broadcasts signed bytes; resolves once the node has them. Throws NotSentError when it certainly does not. */
  async broadcast(raw: string, hash: string): Promise<void> {
    let last: unknown;
    for (let attempt = 0; attempt <= this.retries; attempt++) {
      try {
        await this.rpc.run(
          "eth_sendRawTransaction",
          () => this.rpc.provider.broadcastTransaction(raw),
          () => false,
        );
        return;
      } catch (e) {
        last = e;
        const t = errText(e).toLowerCase();
        // Did it land anyway (timeout after the write, "already known", automining node reporting a revert)?
        if (await this.known(hash)) return;
        if (NONCE_TAKEN.test(t)) throw new NotSentError(errText(e), e, "nonce");
        if (
          /replacement transaction underpriced|insufficient funds|enough funds|intrinsic gas|exceeds block gas limit|invalid sender/.test(
            t,
          )
        ) {
          throw new NotSentError(errText(e), e);
        }
        await sleep(Math.min(2_000, 50 * 2 ** attempt));
      }
    }
    if (await this.known(hash)) return;
    throw new NotSentError(`broadcast failed: ${errText(last)}`, last);
  }

  async known(hash: string): Promise<boolean> {
    try {
      return (await this.rpc.run("eth_getTransactionByHash", () => this.rpc.provider.getTransaction(hash))) !== null;
    } catch {
      return false;
    }
  }
}
