import js from "@eslint/js";
import tseslint from "typescript-eslint";

/**
 * Imports point down only (STYLE.md). Each layer names the layers it may import; an import of any other layer
 * fails the lint. Controllers (provisioners, pools, bootstrap, power) do not import each other: what they
 * share lives in src/api.
 */
const controllerMayImport = ["errors", "api", "local", "runtime", "stacks", "queue"];
const layers = [
  { layer: "errors", files: ["src/errors/**"], mayImport: [] },
  { layer: "api", files: ["src/api/**"], mayImport: ["errors"] },
  { layer: "local", files: ["src/local/**"], mayImport: ["errors", "api"] },
  { layer: "runtime", files: ["src/runtime/**"], mayImport: ["errors", "api"] },
  { layer: "stacks", files: ["stacks/**"], mayImport: ["errors", "api", "local"] },
  // The Pulumi runner (src/queue) runs the stack programs: stacks sit below the job layer.
  { layer: "queue", files: ["src/queue/**"], mayImport: ["errors", "api", "runtime", "local", "stacks"] },
  { layer: "provisioners", files: ["src/provisioners/**"], mayImport: controllerMayImport },
  { layer: "pools", files: ["src/pools/**"], mayImport: controllerMayImport },
  { layer: "bootstrap", files: ["src/bootstrap/**"], mayImport: controllerMayImport },
  { layer: "power", files: ["src/power/**"], mayImport: controllerMayImport },
  { layer: "failover", files: ["src/failover/**"], mayImport: controllerMayImport },
  {
    layer: "dev",
    files: ["src/dev/**"],
    mayImport: [...controllerMayImport, "provisioners", "pools", "bootstrap", "power", "failover"],
  },
  {
    layer: "cli",
    files: ["src/cli/**"],
    mayImport: [...controllerMayImport, "provisioners", "pools", "bootstrap", "power", "failover", "dev"],
  },
];

/** The folder of a layer as a relative import reaches it: `../queue/x.js`, `../../src/queue/x.js`, `../../stacks/x.js`. */
const folderImport = (layer) => (layer === "stacks" ? "^(\\.\\./)+stacks/" : `^(\\.\\./)+(src/)?${layer}/`);
const folderName = (layer) => (layer === "stacks" ? "stacks" : `src/${layer}`);

const layerRules = layers.map(({ layer, files, mayImport }) => {
  const allowed = mayImport.length ? mayImport.map(folderName).join(", ") : "nothing above it";
  const forbidden = layers.map((l) => l.layer).filter((l) => l !== layer && !mayImport.includes(l));
  return {
    files,
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: forbidden.map((upper) => ({
            regex: folderImport(upper),
            message: `${folderName(layer)} may import only ${allowed}, not ${folderName(upper)}: imports point down (see the layers in eslint.config.js).`,
          })),
        },
      ],
    },
  };
});

/**
 * The one import up: src/api/platform.ts composes the platforms' schema fragments, which live with their platform
 * in stacks/<platform>/schema.ts (and import only src/api). Anything else of stacks stays out of reach.
 */
const apiRule = layerRules.find((r) => r.files.includes("src/api/**"));
const platformSchemas = {
  files: ["src/api/platform.ts"],
  rules: {
    "no-restricted-imports": [
      "error",
      {
        patterns: apiRule.rules["no-restricted-imports"][1].patterns.map((p) =>
          p.regex === folderImport("stacks")
            ? { ...p, regex: "^(\\.\\./)+stacks/(?![a-z-]+/schema\\.js$)" }
            : p,
        ),
      },
    ],
  },
};

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "tools/", "charts/", ".slipway/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  ...layerRules,
  platformSchemas,
);
