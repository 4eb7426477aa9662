#!/usr/bin/env node
// `npm run lint`: fails when a TypeScript file imports from a folder that sits above it in the dependency order
// (docs/architecture.md, "Dependency rule"). Reads import specifiers as text (static `import … from`, `export … from`,
// `import("…")`, `require("…")`); only relative ones are checked, packages are free.
"use strict";
const fs = require("fs");
const path = require("path");

const ROOT = path.resolve(__dirname, "..");
// What each top-level folder may import, besides itself. typechain-types is generated code every layer may use.
const ALLOWED = {
  config: [],
  lib: ["config"],
  keeper: ["lib", "config"],
  tasks: ["lib", "config"],
  scripts: ["lib", "config"],
  sim: ["lib", "config", "keeper"],
  bench: ["lib", "config", "keeper"],
  test: ["lib", "config", "keeper", "tasks", "scripts", "sim", "bench"],
  "hardhat.config.ts": ["tasks", "config"],
};
const ALWAYS = ["typechain-types"];
const SKIP = new Set(["node_modules", "typechain-types", "artifacts", "cache", "coverage", "dist", "out"]);

function* walk(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(e.name) || e.name.startsWith(".")) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* walk(p);
    else if (e.name.endsWith(".ts") && !e.name.endsWith(".d.ts")) yield p;
  }
}

const topOf = (abs) => path.relative(ROOT, abs).split(path.sep)[0];
const SPEC = /(?:\bfrom\s+|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)["'](\.{1,2}\/[^"']*)["']/gm;

const problems = [];
for (const top of Object.keys(ALLOWED)) {
  const start = path.join(ROOT, top);
  if (!fs.existsSync(start)) continue;
  const files = fs.statSync(start).isDirectory() ? [...walk(start)] : [start];
  for (const file of files) {
    const text = fs.readFileSync(file, "utf8");
    for (const m of text.matchAll(SPEC)) {
      const target = topOf(path.resolve(path.dirname(file), m[1]));
      if (target === top || ALWAYS.includes(target) || ALLOWED[top].includes(target)) continue;
      const line = text.slice(0, m.index).split("\n").length;
      problems.push(
        `${path.relative(ROOT, file)}:${line}: imports "${m[1]}" (${target}/), which ${top}/ may not import ` +
          `(allowed: ${[...ALLOWED[top], ...ALWAYS].join(", ") || "nothing local"}); move the shared code down into lib/`,
      );
    }
  }
}
if (problems.length) {
  console.error(problems.join("\n"));
  console.error(`check-layers: ${problems.length} import(s) against the dependency order (docs/architecture.md)`);
  process.exit(1);
}
console.log("check-layers: every import follows the dependency order");
