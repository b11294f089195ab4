// ESLint: Next's core-web-vitals and TypeScript rules, typescript-eslint's recommended set; formatting is Prettier's job.
import nextCoreWebVitals from "eslint-config-next/core-web-vitals";
import nextTypeScript from "eslint-config-next/typescript";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      ".next/**",
      "node_modules/**",
      ".data/**",
      ".e2e-run/**",
      ".e2e-providers/**",
      ".e2e-directories/**",
      ".stand-ins/**",
      "test-results/**",
      "playwright-report/**",
      "next-env.d.ts",
      ".bench/**",
    ],
  },
  ...nextCoreWebVitals,
  ...nextTypeScript,
  {
    // Playwright fixtures call their `use` argument, and Vitest helpers are not React: the hook rules do not apply.
    files: ["e2e/**", "**/*.test.ts", "**/*.test-helper.ts", "tests/**", "scripts/**", "bench/**"],
    rules: { "react-hooks/rules-of-hooks": "off" },
  },
  {
    rules: {
      // `_`-prefixed names are deliberately unused (destructuring a field away, a required parameter).
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" },
      ],
      // The portal links with plain anchors on purpose (lib/i18n/server-link.tsx, lib/i18n/local-href.ts): a page sends
      // no client navigation for a link, and every link works the same without JavaScript.
      "@next/next/no-html-link-for-pages": "off",
    },
  },
);
