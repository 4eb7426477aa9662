// ESLint 9 flat config: typescript-eslint's type-aware rules over every TypeScript file (docs/architecture.md says
// why ESLint rather than Biome). Formatting is prettier's job (`npm run lint` checks both); nothing here formats.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import comments from "@eslint-community/eslint-plugin-eslint-comments/configs";

export default tseslint.config(
  {
    ignores: [
      "node_modules/**",
      "typechain-types/**",
      "artifacts/**",
      "cache/**",
      "coverage/**",
      "dist/**",
      "out/**",
      "reports/**",
      "bench/neutral-gas/**",
      "**/*.js",
      "**/*.mjs",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  comments.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      // A disable directive must say why the code is safe: `// eslint-disable-next-line rule -- reason`.
      "@eslint-community/eslint-comments/require-description": ["error", { ignore: [] }],
      "@eslint-community/eslint-comments/disable-enable-pair": ["error", { allowWholeFile: true }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "prefer-const": ["error", { destructuring: "all" }],
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      // Off-chain code that runs unattended: `as any` and a non-null `!` need a disable comment saying why they are
      // safe (the keeper, the tasks, the library, the simulation, the scripts and the bench).
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-non-null-assertion": "error",
    },
  },
  {
    // Outside the keeper and the tasks, ethers' untyped `Contract` (Uniswap's npm artifacts, `getContractAt`) and
    // chai's `expect` make every call `any`: the unsafe-any family would flag each use of them, not a bug. The keeper
    // and the tasks, which handle untrusted RPC data unattended, keep the whole family on.
    files: ["lib/**", "sim/**", "scripts/**", "bench/**", "config/**", "test/**", "hardhat.config.ts"],
    rules: {
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-return": "off",
    },
  },
  {
    // Tests: `!` on a value the test just created, chai's property assertions (`expect(x).to.be.true`) and mocha's
    // `this` are idiomatic there.
    files: ["test/**"],
    rules: {
      "@typescript-eslint/no-non-null-assertion": "off",
      // Tests pass deliberately ill-typed values to check reverts and reach into internals.
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unused-expressions": "off",
      // Mocha callbacks and fixture builders are async by convention, with or without an await.
      "@typescript-eslint/require-await": "off",
    },
  },
);
