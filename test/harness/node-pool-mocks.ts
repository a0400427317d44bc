/**
 * Runs a cloud platform's NodePool program under Pulumi's mocks (test/harness/cloud-mocks.ts) for one sample pool
 * of a management-mode HostedCluster, with a bootstrap token in the run's credentials, and finds where a value
 * shows up in plain text (resource inputs outside secrets, plain outputs, logs).
 */
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc.js";
import type { PlatformDefinition } from "../../stacks/index.js";
import { JOIN_TOKEN_KEY } from "../../stacks/cloud/node-join.js";
import { runCloudProgram, type MockCall, type MockState, type ProgramRun } from "./cloud-mocks.js";

export const POOL_UID = "5f0e9a1c-3b2d-4e6f-8a7b-9c0d1e2f3a4b";
/** The hosted API the machines join, as the HostedCluster's admin kubeconfig names it. */
export const HOSTED_API = "https://api.tenant-a.example.com:6443";
export const HOSTED_CA = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t";

export interface PoolRunOptions {
  powerState?: "Running" | "Hibernating";
  /** The bootstrap token (a canary, say). */
  token?: string;
  state?: MockState;
}

/** The sample pool's program inputs (batch of HostedCluster tenant-a, 2 nodes at 1.33.1) on a platform block. */
export function sampleNodePoolInputs(platform: Record<string, unknown>): Record<string, unknown> {
  return {
    poolName: "batch",
    clusterName: "tenant-a",
    powerState: "Running",
    version: "1.33.1",
    replicas: 2,
    apiServer: HOSTED_API,
    caData: HOSTED_CA,
    joinTokenID: "abcdef",
    poolUID: POOL_UID,
    platform,
  };
}

/** A runner for one cloud's NodePool program: each run adds to the pool's inputs and platform block. */
export function nodePoolRunner(
  platform: PlatformDefinition,
  basePlatform: Record<string, unknown>,
  cloud: { state: MockState; call: MockCall; credentials: (secret: string) => Record<string, string> },
) {
  return (
    pool: { platform?: Record<string, unknown>; [key: string]: unknown } = {},
    opts: PoolRunOptions = {},
  ): Promise<ProgramRun> => {
    const { platform: extra, ...rest } = pool;
    return runCloudProgram(
      platform,
      {
        ...sampleNodePoolInputs({ ...basePlatform, ...extra }),
        powerState: opts.powerState ?? "Running",
        ...rest,
      },
      {
        kind: "NodePool",
        credentials: {
          ...cloud.credentials("not-a-canary"),
          [JOIN_TOKEN_KEY]: opts.token ?? "abcdef.0123456789abcdef",
        },
        call: cloud.call,
        state: (args) => ({ ...cloud.state(args), ...opts.state?.(args) }),
      },
    );
  };
}

/** A resource input Pulumi holds as a secret (encrypted in the state): its value, else undefined. */
export function secretValue(input: unknown): unknown {
  const wrapped = input as Record<string, unknown> | null | undefined;
  return wrapped && wrapped[specialSigKey] === specialSecretSig ? wrapped.value : undefined;
}

/** The value with every secret replaced by "[secret]": what the state and a preview show in plain text. */
function withoutSecrets(value: unknown): unknown {
  if (secretValue(value) !== undefined) return "[secret]";
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutSecrets(v)]));
  return value;
}

/** Where `token` shows in plain text: plain outputs, resource inputs outside secrets (providers' too), logs. */
export function plainSightings(run: ProgramRun, token: string): string[] {
  const seen: string[] = [];
  for (const [key, output] of Object.entries(run.outputs))
    if (!output.secret && JSON.stringify(output.value ?? null).includes(token)) seen.push(`output ${key}`);
  for (const r of run.resources)
    if (JSON.stringify(withoutSecrets(r.inputs)).includes(token)) seen.push(`inputs of ${r.type} ${r.name}`);
  for (const line of run.logs) if (line.includes(token)) seen.push(`log: ${line.slice(0, 80)}`);
  return seen;
}
