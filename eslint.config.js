import js from "@eslint/js";
import tseslint from "typescript-eslint";

/**
 * Imports point down only (docs/contributing.md). Each layer names the layers it may import; an import of any
 * other layer fails the lint. Controllers (provisioners, pools, bootstrap, power) do not import each other: what
 * they share lives in src/api.
 */
const controllerMayImport = ["errors", "api", "local", "runtime", "stacks", "queue"];
/** Every layer below the commands: what the benchmarks and the CLI build on. */
const commandMayImport = [
  ...controllerMayImport,
  "provisioners",
  "pools",
  "bootstrap",
  "power",
  "failover",
  "dev",
];
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
  // The benchmarks start a private dev hub and drive the controllers: what the CLI reaches, but not the CLI
  // (save src/cli/hub-client.js, see benchHubClient below). The CLI registers the `bench` command.
  { layer: "bench", files: ["src/bench/**"], mayImport: commandMayImport },
  { layer: "cli", files: ["src/cli/**"], mayImport: [...commandMayImport, "bench"] },
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
 * `files` under the rule of the layer whose files are `layerFiles`, but for one import up: `upper`'s pattern is
 * replaced by `regex`, which spares that one import and still catches the rest of `upper`.
 */
function withOneImportUp(layerFiles, files, upper, regex) {
  const { patterns } = layerRules.find((r) => r.files.includes(layerFiles)).rules["no-restricted-imports"][1];
  const spared = patterns.map((p) => (p.regex === folderImport(upper) ? { ...p, regex } : p));
  return { files, rules: { "no-restricted-imports": ["error", { patterns: spared }] } };
}

/**
 * The benchmarks reach the hub they start through hubClient (src/cli/hub-client.js), as every command does. It
 * stays in src/cli rather than moving down: its error tells a person what to run (`slipway dev up`), and the rest
 * of that file is the CLI's table and progress-bar output. Anything else of src/cli (the program, the commands)
 * stays out of reach, so bench never imports what registers it.
 */
const benchHubClient = withOneImportUp(
  "src/bench/**",
  ["src/bench/**"],
  "cli",
  "^(\\.\\./)+(src/)?cli/(?!hub-client\\.js$)",
);

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
  benchHubClient,
);
