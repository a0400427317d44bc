/**
 * Runs a cloud platform's ClusterDeployment program under Pulumi's mocks (no cloud, no plugin) and records what
 * it declares: every resource with its inputs, the stack outputs with their secret flags, and every line written
 * to the console while it ran, so tests can look for a credential where none may be.
 */
import * as pulumi from "@pulumi/pulumi";
import { expect, vi } from "vitest";
import { CREDENTIALS_CONFIG_KEY, type PlatformDefinition, type StackKind } from "../../stacks/index.js";

export interface DeclaredResource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

export interface ProgramRun {
  resources: DeclaredResource[];
  outputs: Record<string, { value: unknown; secret: boolean }>;
  logs: string[];
}

export type MockState = (args: pulumi.runtime.MockResourceArgs) => Record<string, unknown>;
export type MockCall = (args: pulumi.runtime.MockCallArgs) => Record<string, unknown>;

/** Runs one program; `state` adds what the cloud would compute (endpoints, ARNs), `call` answers invokes. */
export async function runCloudProgram(
  platform: PlatformDefinition,
  rawInputs: Record<string, unknown>,
  opts: { credentials: Record<string, string>; state?: MockState; call?: MockCall; kind?: StackKind },
): Promise<ProgramRun> {
  const program = platform.programs[opts.kind ?? "ClusterDeployment"]!;
  const resources: DeclaredResource[] = [];
  const logs: string[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        resources.push({ type: args.type, name: args.name, inputs: args.inputs as Record<string, unknown> });
        return { id: `${args.name}-id`, state: { ...args.inputs, ...opts.state?.(args) } };
      },
      call: (args) => opts.call?.(args) ?? {},
    },
    "slipway",
    `${platform.name}-mocks`,
    false,
  );
  pulumi.runtime.setAllConfig({ [`slipway:${CREDENTIALS_CONFIG_KEY}`]: JSON.stringify(opts.credentials) }, [
    `slipway:${CREDENTIALS_CONFIG_KEY}`,
  ]);
  const record = (...args: unknown[]) => void logs.push(args.map(String).join(" "));
  const spies = [
    vi.spyOn(console, "log").mockImplementation(record),
    vi.spyOn(console, "info").mockImplementation(record),
    vi.spyOn(console, "warn").mockImplementation(record),
    vi.spyOn(console, "error").mockImplementation(record),
    vi.spyOn(process.stdout, "write").mockImplementation((chunk) => (record(chunk), true)),
    vi.spyOn(process.stderr, "write").mockImplementation((chunk) => (record(chunk), true)),
  ];
  try {
    const inputs = program.validate(rawInputs);
    const declared = (await program.program(inputs)()) as Record<string, pulumi.Output<unknown>>;
    const outputs: ProgramRun["outputs"] = {};
    for (const [key, output] of Object.entries(declared)) {
      const out = pulumi.output(output) as pulumi.Output<unknown>;
      const value = await new Promise((resolve) => out.apply(resolve));
      outputs[key] = { value, secret: await pulumi.isSecret(out) };
    }
    // Waits until every registration reached the mocks.
    await pulumi.runtime.disconnect();
    return { resources, outputs, logs };
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}

/** Resource inputs by `type name`, for comparing two runs. */
export function byResource(run: ProgramRun): Map<string, Record<string, unknown>> {
  return new Map(run.resources.map((r) => [`${r.type} ${r.name}`, r.inputs]));
}

/** The paths (a.b[0].c) where two values differ. */
export function differences(a: unknown, b: unknown, path = ""): string[] {
  if (a === b) return [];
  const objects = typeof a === "object" && a !== null && typeof b === "object" && b !== null;
  if (!objects || Array.isArray(a) !== Array.isArray(b)) return [path || "."];
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].flatMap((key) =>
    differences(
      (a as Record<string, unknown>)[key],
      (b as Record<string, unknown>)[key],
      Array.isArray(a) ? `${path}[${key}]` : path ? `${path}.${key}` : key,
    ),
  );
}

/**
 * What changes between a Running and a Hibernating run, resource by resource: `{"type name": [paths]}`. A
 * resource declared in one run only shows as "added" or "removed".
 */
export function hibernationDiff(running: ProgramRun, hibernating: ProgramRun): Record<string, string[]> {
  const before = byResource(running);
  const after = byResource(hibernating);
  const diff: Record<string, string[]> = {};
  for (const key of new Set([...before.keys(), ...after.keys()])) {
    if (!before.has(key)) diff[key] = ["added"];
    else if (!after.has(key)) diff[key] = ["removed"];
    else {
      const paths = differences(before.get(key), after.get(key)).sort();
      if (paths.length > 0) diff[key] = paths;
    }
  }
  return diff;
}

/** A credential no test output could contain by chance. */
export function canary(): string {
  return `CANARY${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
}

/** Where the canary shows up: plain outputs, resource inputs other than the provider's, logs. */
export function canarySightings(run: ProgramRun, token: string): string[] {
  const seen: string[] = [];
  for (const [key, output] of Object.entries(run.outputs))
    if (!output.secret && JSON.stringify(output.value ?? null).includes(token)) seen.push(`output ${key}`);
  for (const r of run.resources)
    if (!r.type.startsWith("pulumi:providers:") && JSON.stringify(r.inputs).includes(token))
      seen.push(`inputs of ${r.type} ${r.name}`);
  for (const line of run.logs) if (line.includes(token)) seen.push(`log: ${line.slice(0, 80)}`);
  return seen;
}

export interface SampleRunOptions {
  powerState?: "Running" | "Hibernating";
  /** The secret credential value (a canary, say). */
  secret?: string;
  /** What the cloud reports instead, for a resource (a refresh after a change outside Slipway). */
  state?: MockState;
}

/**
 * A runner for one cloud's tests: the cluster's name, uid and base platform block fixed, each run adding to the
 * platform block and choosing the power state, the secret and what the cloud reports.
 */
export function sampleRunner(
  platform: PlatformDefinition,
  base: { clusterName: string; clusterUID: string; platform: Record<string, unknown> },
  cloud: { state: MockState; call: MockCall; credentials: (secret: string) => Record<string, string> },
) {
  return (spec: Record<string, unknown> = {}, opts: SampleRunOptions = {}) =>
    runCloudProgram(
      platform,
      {
        clusterName: base.clusterName,
        powerState: opts.powerState ?? "Running",
        platform: { ...base.platform, ...spec },
        clusterUID: base.clusterUID,
      },
      {
        credentials: cloud.credentials(opts.secret ?? "not-a-canary"),
        call: cloud.call,
        state: (args) => ({ ...cloud.state(args), ...opts.state?.(args) }),
      },
    );
}

/** The outputs every ClusterDeployment program returns (the platform contract's). */
const CLUSTER_OUTPUTS = ["apiURL", "caData", "drift", "infraID", "kubeconfig", "powerState"];

/**
 * What every cloud program's run must show: each cluster output, the kubeconfig secret, and the credentials (the
 * canary `secret`) in the provider `providerType`'s inputs and nowhere else (outputs, other inputs, logs).
 */
export function expectClusterOutputsAndCredentials(
  run: ProgramRun,
  secret: string,
  providerType: string,
): void {
  expect(Object.keys(run.outputs).sort()).toEqual(CLUSTER_OUTPUTS);
  expect(run.outputs.kubeconfig!.secret).toBe(true);
  expect(canarySightings(run, secret)).toEqual([]);
  expect(JSON.stringify(ofType(run, providerType)[0]!.inputs)).toContain(secret);
}

/** The resources of one type, in the order of their names (registration order depends on when inputs resolve). */
export const ofType = (run: ProgramRun, type: string) =>
  run.resources.filter((r) => r.type === type).sort((a, b) => a.name.localeCompare(b.name));
