import js from "@eslint/js";
import tseslint from "typescript-eslint";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";

// What may import what (STYLE.md, "one domain, many doors"), as no-restricted-imports patterns.
const NO_API = {
  regex: "^(@/lib/api|(\\.\\./)+api)(/|$)",
  message:
    "The domain does not import the HTTP layer: move what you need out of lib/api/ (lib/runs/, lib/authz/ …).",
};
const NO_NEXT = {
  regex: "^next(-auth)?(/|$)",
  message:
    "Only the console's plumbing (lib/auth, lib/pages, lib/hooks, actions.ts) imports Next; the domain runs under every door.",
};
const NO_SESSION = {
  regex: "^@/lib/(auth/(session|options)|request-context)$",
  message: "The domain takes a Principal (lib/core/principal.ts), not the console's session.",
};
const NO_ACTIONS = {
  // lib/audit/actions.ts is the list of audited actions, not server actions.
  regex: "^@/lib/(?!audit/)[^/]+/actions$",
  message: "Server actions are a door: the domain never calls them; they call the domain.",
};
const CORE_ONLY = {
  regex: "^(@/lib/(?!core/)|\\.\\./)",
  message: "lib/core is the bottom layer: it imports nothing else from lib/.",
};
/** The HTTP API's files. */
const DOOR_FILES = ["lib/api/**"];
/** The console's request plumbing: session code, page guards, client hooks and server actions. */
const CONSOLE_PLUMBING = [
  "lib/auth/**",
  "lib/pages/**",
  "lib/hooks/**",
  "lib/**/actions.ts",
  // The console's request headers (next/headers), read by the session and the actions only.
  "lib/request-context.ts",
];
const BOUNDARY_EXEMPT = ["lib/generated/**", "lib/**/*.test.ts"];

export default tseslint.config(
  {
    ignores: [
      ".next/**",
      "node_modules/**",
      "data/**",
      "lib/generated/**",
      "test-results/**",
      "playwright-report/**",
      "cli/dist/**",
      "next-env.d.ts",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { "react-hooks": reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: { attributes: false } }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/ban-ts-comment": "error",
      // Async signatures that match an interface are fine without an await.
      "@typescript-eslint/require-await": "off",
      "no-console": ["error", { allow: ["error", "warn"] }],
    },
  },
  // Import boundaries: one domain, many doors (STYLE.md). Each lib/ file falls in exactly one of
  // the groups below (flat config replaces a rule rather than merging it, so they must not overlap).
  {
    files: ["lib/**/*.ts", "lib/**/*.tsx"],
    ignores: [...BOUNDARY_EXEMPT, ...DOOR_FILES, ...CONSOLE_PLUMBING, "lib/core/**"],
    rules: { "no-restricted-imports": ["error", { patterns: [NO_API, NO_NEXT, NO_SESSION, NO_ACTIONS] }] },
  },
  {
    // The HTTP API door: it calls the domain, never the console's session or actions.
    files: DOOR_FILES,
    ignores: BOUNDARY_EXEMPT,
    rules: { "no-restricted-imports": ["error", { patterns: [NO_NEXT, NO_SESSION, NO_ACTIONS] }] },
  },
  {
    // The console's own plumbing may use Next and the session, and still not the API.
    files: CONSOLE_PLUMBING,
    ignores: BOUNDARY_EXEMPT,
    rules: { "no-restricted-imports": ["error", { patterns: [NO_API] }] },
  },
  {
    files: ["lib/core/**"],
    ignores: BOUNDARY_EXEMPT,
    rules: { "no-restricted-imports": ["error", { patterns: [CORE_ONLY, NO_NEXT] }] },
  },
  {
    files: ["scripts/**", "bench/**", "e2e/**", "tests/**", "**/*.test.ts", "*.config.*"],
    rules: { "no-console": "off" },
  },
  {
    files: ["**/*.mjs", "**/*.js"],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: globals.node,
    },
  },
);
