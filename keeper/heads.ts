// The heads the keeper ticked on (number and hash, the last `depth`): a head whose hash changed means a reorg, and
// the newest one still on the chain is the fork point.
import type { Rpc } from "./rpc";

export class HeadTracker {
  private heads: { n: number; h: string }[] = [];

  constructor(
    private readonly rpc: Rpc,
    private readonly depth: number,
  ) {}

  /** Checks the heads seen for a reorg; returns the fork point if one happened (and forgets the heads above it). */
  async reorg(): Promise<number | undefined> {
    if (this.heads.length === 0) return undefined;
    const last = this.heads[this.heads.length - 1];
    const b = await this.rpc.block(last.n).catch(() => undefined);
    if (b && b.hash === last.h) return undefined;
    for (let i = this.heads.length - 2; i >= 0; i--) {
      const x = await this.rpc.block(this.heads[i].n).catch(() => undefined);
      if (x && x.hash === this.heads[i].h) {
        this.heads = this.heads.slice(0, i + 1);
        return this.heads[i].n;
      }
    }
    const fork = this.heads[0].n - 1;
    this.heads = [];
    return fork;
  }

  push(n: number, hash: string): void {
    this.heads.push({ n, h: hash });
    if (this.heads.length > this.depth) this.heads.shift();
  }
}
