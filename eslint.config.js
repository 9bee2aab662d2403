// ESLint: typescript-eslint's recommended rules, with the type-aware ones that catch promises
// nobody awaits or handles, and unused code. `npm run lint`; `npm test` runs it.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "**/node_modules/", "dist/", "generated/", "**/__generated__/", "coverage/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: false }],
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none", destructuredArrayIgnorePattern: "^_" },
      ],
      "@typescript-eslint/no-explicit-any": "off",
      // A variable a closure reads before its one assignment (a counter made after the client that calls it) stays `let`.
      "prefer-const": ["error", { ignoreReadBeforeAssign: true }],
      // TypeScript itself checks names; ESLint's own check does not know Node's globals.
      "no-undef": "off",
    },
  },
  { files: ["**/*.js", "**/*.mjs"], ...tseslint.configs.disableTypeChecked },
  { files: ["**/*.js", "**/*.mjs"], rules: { "no-undef": "off" } },
);
