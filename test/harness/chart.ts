import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { repoRoot, toolsBinDir } from "../../src/runtime/paths.js";
import type { KubeObject } from "../../src/runtime/resource.js";

export const chartDir = join(repoRoot, "charts", "slipway");
export const helmBinary = join(toolsBinDir, "helm");

/** The real Helm (tools/build.sh, test set), with its caches kept out of $HOME. */
export function helm(args: string[]): string {
  return execFileSync(helmBinary, args, {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, HELM_CACHE_HOME: join(repoRoot, ".slipway", "helm") },
  });
}

export interface RenderOptions {
  release: string;
  namespace: string;
  valuesFiles?: string[];
  /** --set-json pairs: path -> value. */
  values?: Record<string, unknown>;
  showOnly?: string[];
}

/** `helm template` of charts/slipway, as objects. */
export function renderChart(options: RenderOptions): KubeObject[] {
  const args = ["template", options.release, chartDir, "--namespace", options.namespace];
  for (const file of options.valuesFiles ?? []) args.push("--values", file);
  for (const [path, value] of Object.entries(options.values ?? {}))
    args.push("--set-json", `${path}=${JSON.stringify(value)}`);
  for (const template of options.showOnly ?? []) args.push("--show-only", template);
  return parseAllDocuments(helm(args))
    .map((d) => d.toJS() as KubeObject | null)
    .filter((o): o is KubeObject => !!o);
}
