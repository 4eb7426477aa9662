// The pool fixture lives in lib/fixtures/pool.ts (the bench uses it too); tests import it from here.
export * from "../../lib/fixtures/pool";
