// One keeper per state: a lock file next to each state file (`<file>.lock`, holding the owner's pid), taken with an
// exclusive create. A lock whose process is gone (a crash, kill -9) is taken over; a live one stops the second
// keeper with a one-line message instead of letting both write the same checkpoint and nonce state.
import fs from "node:fs";
import path from "node:path";
import { KeeperFatal } from "./errors";

export interface StateLock {
  files: string[];
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM"; // exists, owned by someone else
  }
}

function lockOne(file: string): string {
  const lock = `${file}.lock`;
  fs.mkdirSync(path.dirname(path.resolve(lock)), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: "wx" });
      return lock;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const pid = Number(fs.readFileSync(lock, "utf8").trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw new KeeperFatal(
          `another keeper (pid ${pid}) is using ${file}: stop it, or give this one its own state with --state and --checkpoint (or a different --shard / --network)`,
        );
      }
      fs.rmSync(lock, { force: true }); // stale: its process is gone
    }
  }
  throw new KeeperFatal(`could not take the lock ${lock}: remove it if no keeper is running`);
}

/** Locks every state file given (undefined ones are skipped); throws KeeperFatal when another live keeper holds one. */
export function lockState(files: (string | undefined)[]): StateLock {
  const taken: string[] = [];
  try {
    for (const f of files) if (f) taken.push(lockOne(f));
  } catch (e) {
    for (const l of taken) fs.rmSync(l, { force: true });
    throw e;
  }
  return {
    files: taken,
    release: () => {
      for (const l of taken) {
        try {
          if (fs.readFileSync(l, "utf8").trim() === String(process.pid)) fs.rmSync(l, { force: true });
        } catch {
          // already gone
        }
      }
    },
  };
}
