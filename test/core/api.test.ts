// The pool's API is declared once, in contracts/interfaces/IFulcraPool.sol. These checks keep it from drifting from
// the three contracts behind the pool's address: IFulcraPool's functions, events and errors must be exactly those of
// Pool, PoolExt and PoolViews together (the ABI every consumer binds to), each part must be implemented by its
// contract, and every declaration carries NatSpec.
import { expect } from "chai";
import hre from "hardhat";
import { Interface, type Fragment } from "ethers";

type Kind = "function" | "event" | "error";
const KINDS: Kind[] = ["function", "event", "error"];

async function iface(name: string): Promise<Interface> {
  return new Interface((await hre.artifacts.readArtifact(name)).abi);
}

/** `kind` fragments of `i` as "minimal" human-readable signatures (types, mutability, outputs, indexed; no names). */
function signatures(i: Interface, kind: Kind): Set<string> {
  return new Set(i.fragments.filter((f: Fragment) => f.type === kind).map((f) => f.format("minimal")));
}

const minus = (a: Set<string>, b: Set<string>) => [...a].filter((x) => !b.has(x)).sort();

describe("Pool API (IFulcraPool)", () => {
  let pool: Interface, base: Interface, ext: Interface, viewsPart: Interface;
  let core: Interface, extension: Interface, views: Interface;

  before(async () => {
    [pool, base, ext, viewsPart, core, extension, views] = await Promise.all(
      ["IFulcraPool", "IFulcraPoolBase", "IFulcraPoolExt", "IFulcraPoolViews", "Pool", "PoolExt", "PoolViews"].map(
        iface,
      ),
    );
  });

  for (const kind of KINDS) {
    it(`IFulcraPool's ${kind}s are exactly those of Pool, PoolExt and PoolViews together`, () => {
      const merged = new Set([...signatures(core, kind), ...signatures(extension, kind), ...signatures(views, kind)]);
      const declared = signatures(pool, kind);
      expect(minus(merged, declared), `${kind}s of Pool/PoolExt missing from IFulcraPool`).to.deep.equal([]);
      expect(minus(declared, merged), `${kind}s of IFulcraPool that Pool/PoolExt do not have`).to.deep.equal([]);
      expect(declared.size).to.be.greaterThan(0);
    });
  }

  it("every selector of Pool, PoolExt and PoolViews is in IFulcraPool and vice versa", () => {
    const selectors = (i: Interface) => {
      const out = new Set<string>();
      i.forEachFunction((f) => out.add(f.selector));
      i.forEachEvent((e) => out.add(e.topicHash));
      i.forEachError((e) => out.add(e.selector));
      return out;
    };
    const merged = new Set([...selectors(core), ...selectors(extension), ...selectors(views)]);
    expect(minus(merged, selectors(pool))).to.deep.equal([]);
    expect(minus(selectors(pool), merged)).to.deep.equal([]);
  });

  it("Pool implements IFulcraPoolBase, PoolExt IFulcraPoolExt, PoolViews IFulcraPoolViews; the parts do not overlap", () => {
    const baseFns = signatures(base, "function");
    const extFns = signatures(ext, "function");
    const viewFns = signatures(viewsPart, "function");
    expect(minus(viewFns, signatures(views, "function")), "IFulcraPoolViews functions PoolViews lacks").to.deep.equal(
      [],
    );
    for (const [a, b] of [
      [baseFns, viewFns],
      [extFns, viewFns],
    ]) {
      expect(
        [...a].filter((f) => b.has(f)),
        "functions in two parts",
      ).to.deep.equal([]);
    }
    expect(minus(baseFns, signatures(core, "function")), "IFulcraPoolBase functions Pool lacks").to.deep.equal([]);
    expect(minus(extFns, signatures(extension, "function")), "IFulcraPoolExt functions PoolExt lacks").to.deep.equal(
      [],
    );
    expect(
      [...baseFns].filter((f) => extFns.has(f)),
      "functions in both halves",
    ).to.deep.equal([]);
    // The union adds only DEFAULT_ADMIN_ROLE (OpenZeppelin's AccessControl defines it as a public constant, which
    // cannot implement an interface function of another base).
    expect(minus(signatures(pool, "function"), new Set([...baseFns, ...extFns, ...viewFns]))).to.deep.equal([
      "function DEFAULT_ADMIN_ROLE() view returns (bytes32)",
    ]);
  });

  it("every part declares every error and event of IPoolErrors and IPoolEvents, so any one decodes them", async () => {
    const [errors, events] = await Promise.all(["IPoolErrors", "IPoolEvents"].map(iface));
    for (const half of [base, ext, viewsPart]) {
      expect(minus(signatures(errors, "error"), signatures(half, "error"))).to.deep.equal([]);
      expect(minus(signatures(events, "event"), signatures(half, "event"))).to.deep.equal([]);
    }
    // The access-control errors and events come with IAccessControl, in the Ext half.
    expect(minus(signatures(pool, "error"), signatures(ext, "error"))).to.deep.equal([]);
    expect(minus(signatures(pool, "event"), signatures(ext, "event"))).to.deep.equal([]);
  });

  it("every function, event and error of IFulcraPool is documented (NatSpec @notice, or @dev for OpenZeppelin's)", async () => {
    const fqn = "contracts/interfaces/IFulcraPool.sol:IFulcraPool";
    const buildInfo = await hre.artifacts.getBuildInfo(fqn);
    const out = buildInfo!.output.contracts["contracts/interfaces/IFulcraPool.sol"].IFulcraPool as unknown as {
      metadata: string;
    };
    type Docs = Record<string, Record<string, unknown>>;
    const { userdoc, devdoc } = JSON.parse(out.metadata).output as { userdoc: Docs; devdoc: Docs };
    const text = (doc: unknown, key: string): boolean => {
      const entries = (Array.isArray(doc) ? doc : [doc]) as (Record<string, string> | undefined)[];
      return entries.every((d) => !!d?.[key]?.trim());
    };
    const documented = (section: string, sig: string) =>
      text(userdoc[section]?.[sig], "notice") || text(devdoc[section]?.[sig], "details");
    const missing: string[] = [];
    pool.forEachFunction((f) => {
      if (!documented("methods", f.format("sighash"))) missing.push(`function ${f.format("sighash")}`);
    });
    pool.forEachEvent((e) => {
      if (!documented("events", e.format("sighash"))) missing.push(`event ${e.format("sighash")}`);
    });
    pool.forEachError((e) => {
      if (!documented("errors", e.format("sighash"))) missing.push(`error ${e.format("sighash")}`);
    });
    expect(missing).to.deep.equal([]);
  });
});
