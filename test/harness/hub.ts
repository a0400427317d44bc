import { randomBytes } from "node:crypto";
import { KubeConfig } from "@kubernetes/client-node";
import { inject } from "vitest";
import { kubectl as runKubectl, type KubectlResult } from "../../src/local/kubectl.js";
import { toolsBinDir } from "../../src/runtime/paths.js";

/** A value the hub project's global setup provides; a clear failure for a hub test listed as a unit test. */
function provided(key: "hubKubeconfig" | "redisUrl" | "stateDir"): string {
  const value = inject(key);
  if (!value)
    throw new Error(
      `no test hub (${key} not provided): this file uses the hub, so it belongs in test/integration or test/e2e, not test/unit`,
    );
  return value;
}

/** The shared test hub's admin kubeconfig path. */
export function hubKubeconfigPath(): string {
  return provided("hubKubeconfig");
}

export function hubKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(hubKubeconfigPath());
  return kc;
}

export function testRedisUrl(): string {
  return provided("redisUrl");
}

export function testStateDir(): string {
  return provided("stateDir");
}

/** The real kubectl (tools/bin) against the shared test hub. */
export function kubectl(args: string[], opts: { input?: string } = {}): Promise<KubectlResult> {
  return runKubectl(toolsBinDir, hubKubeconfigPath(), args, opts.input);
}

export async function kubectlOk(args: string[], opts: { input?: string } = {}): Promise<string> {
  const r = await kubectl(args, opts);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")}: ${r.stderr || r.stdout}`);
  return r.stdout;
}

/** `kubectl apply` of one manifest into a namespace. */
export async function applyIn(namespace: string, manifest: object): Promise<void> {
  await kubectlOk(["apply", "-n", namespace, "-f", "-"], { input: JSON.stringify(manifest) });
}

/**
 * Fresh namespaces for a file's tests, made before its in-process controllers start so that they watch only
 * these (Manager `namespaces`) and never reconcile what other files, running beside it, have on the hub.
 */
export async function newNamespaces<P extends string>(prefixes: readonly P[]): Promise<Record<P, string>> {
  const made = {} as Record<P, string>;
  for (const prefix of prefixes) made[prefix] = await newNamespace(prefix);
  return made;
}

/** A fresh namespace for one test, so tests never see each other's objects. */
export async function newNamespace(prefix: string): Promise<string> {
  const name = `${prefix}-${randomBytes(3).toString("hex")}`.toLowerCase().slice(0, 63);
  await kubectlOk(["create", "namespace", name]);
  return name;
}
