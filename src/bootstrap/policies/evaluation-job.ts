import { setTimeout as sleep } from "node:timers/promises";
import {
  clusterResources,
  type BootstrapPolicy,
  type ClusterObject,
  type ClusterPlatform,
  type ObjectTemplate,
} from "../../api/index.js";
import { PolicyEvaluationReason as Reason } from "../../api/reasons.js";
import { bootstrapPolicyResource } from "../../api/resources.js";
import { TerminalJobError } from "../../errors/index.js";
import type { JobContext, JobHandler } from "../../queue/job-worker.js";
import { conditionTime } from "../../runtime/conditions.js";
import type { KubeClient } from "../../runtime/kube-client.js";
import { logger } from "../../runtime/logging.js";
import { safeMessage } from "../../runtime/redaction.js";
import type { KubeObject } from "../../runtime/resource.js";
import type { SimulatedEvaluation } from "../../../stacks/index.js";
import { policyAccessOf } from "../platform.js";
import { evaluate } from "./evaluate.js";
import { notConverged } from "./enforce-backoff.js";
import { dryRunWrite, writeObject } from "./object-write.js";
import { type ObjectVerdict, type PolicyEvaluationJobData, type PolicyEvaluationResult } from "./job.js";
import { BUILT_IN_PROTECTED_SET, enforceRefusal, type ProtectedSet } from "./protected.js";
import { refusedByApi, spokeClient, SpokeDiscovery } from "./spoke.js";
import { objectName, templateProblem } from "./templates.js";

const log = logger("bootstrap-policy-evaluate");

export interface PolicyEvaluationJobDeps {
  kube: KubeClient;
  /** Waits a simulated evaluation; tests pass a fake clock. */
  sleep?: (ms: number) => Promise<void>;
  /** What enforce may not delete or rewrite (src/bootstrap/policies/protected.ts); the built-in set when absent. */
  protectedObjects?: ProtectedSet;
}

/**
 * Evaluates one BootstrapPolicy on one cluster: reads both from the hub (the payload holds references only),
 * then each template on the cluster's API, and with enforce creates, updates or deletes what differs. A simulated
 * cluster has no API: its evaluation is simulated. Status is the controller's to write from the result.
 */
export function policyEvaluationJob(
  deps: PolicyEvaluationJobDeps,
): JobHandler<PolicyEvaluationJobData, PolicyEvaluationResult> {
  const policies = new PolicyCache(deps.kube);
  return (job) => runEvaluation(deps, policies, job);
}

/**
 * A policy read once for the evaluations of many clusters: its status holds one entry per cluster, so 1,000
 * evaluations reading it each would move hundreds of megabytes from the hub. A copy is used for at most
 * POLICY_CACHE_MS, and only when it is at least the generation the job was queued for.
 */
const POLICY_CACHE_MS = 2_000;

class PolicyCache {
  private readonly entries = new Map<string, { at: number; read: Promise<BootstrapPolicy | undefined> }>();

  constructor(private readonly kube: KubeClient) {}

  async get(data: PolicyEvaluationJobData): Promise<BootstrapPolicy | undefined> {
    const key = `${data.namespace}/${data.name}`;
    const cached = this.entries.get(key);
    if (cached && Date.now() - cached.at < POLICY_CACHE_MS) {
      const policy = await cached.read.catch(() => undefined);
      if (policy && policy.metadata.uid === data.uid && (policy.metadata.generation ?? 0) >= data.generation)
        return policy;
    }
    const read = this.kube.getIfExists<BootstrapPolicy>(bootstrapPolicyResource, data.namespace, data.name);
    this.entries.set(key, { at: Date.now(), read });
    if (this.entries.size > 1_000) this.entries.delete(this.entries.keys().next().value!);
    return read;
  }
}

async function runEvaluation(
  deps: PolicyEvaluationJobDeps,
  policies: PolicyCache,
  job: JobContext<PolicyEvaluationJobData>,
): Promise<PolicyEvaluationResult> {
  const data = job.data;
  const [policy, cd] = await Promise.all([
    policies.get(data),
    deps.kube.getIfExists<ClusterObject>(
      clusterResources[data.clusterKind ?? "ClusterDeployment"],
      data.namespace,
      data.clusterName,
    ),
  ]);
  const generation = policy?.metadata.generation ?? data.generation;
  const skip = (why: string) => result(data, generation, [], 0, why);
  if (!policy || policy.metadata.uid !== data.uid) return skip("the BootstrapPolicy no longer exists");
  if (policy.spec.disabled) return skip("the BootstrapPolicy is disabled");
  const kind = data.clusterKind ?? "ClusterDeployment";
  if (!cd || cd.metadata.uid !== data.clusterUid) return skip(`the ${kind} no longer exists`);
  if (cd.metadata.deletionTimestamp) return skip(`the ${kind} is being deleted`);
  if (cd.status?.powerState !== "Running") return skip("the cluster does not run");
  const problem = templateProblem(policy.spec.objectTemplates);
  if (problem) throw new TerminalJobError(problem.reason, problem.message);

  const access = policyAccessOf(cd);
  if (access.via === "simulation")
    return simulated(deps, job, policy, access.evaluation(cd.spec.platform as ClusterPlatform));

  const spoke = await spokeClient(deps.kube, cd);
  try {
    const enforce = policy.spec.remediationAction === "enforce";
    const discovery = new SpokeDiscovery(spoke);
    const verdicts: ObjectVerdict[] = [];
    let changed = 0;
    for (const template of policy.spec.objectTemplates) {
      const verdict = await evaluateOnSpoke(spoke, discovery, template, enforce, deps.protectedObjects);
      if (verdict.changed) changed += 1;
      verdicts.push(verdict);
    }
    log.info(
      {
        BootstrapPolicy: `${data.namespace}/${data.name}`,
        [kind]: `${data.namespace}/${data.clusterName}`,
        jobId: job.id,
        changed,
      },
      `Evaluated ${verdicts.length} objects`,
    );
    return result(data, generation, verdicts, changed);
  } finally {
    spoke.close();
  }
}

export async function evaluateOnSpoke(
  spoke: KubeClient,
  discovery: SpokeDiscovery,
  template: ObjectTemplate,
  enforce: boolean,
  protectedObjects: ProtectedSet = BUILT_IN_PROTECTED_SET,
): Promise<ObjectVerdict & { changed?: boolean }> {
  const desired = template.objectDefinition as KubeObject & { apiVersion: string; kind: string };
  const object = objectName(template.objectDefinition);
  const resource = await discovery.resourceFor(desired.apiVersion, desired.kind);
  if (!resource)
    return {
      object,
      compliant: false,
      message: `${Reason.UnknownKind}: ${object}: the cluster's API serves no kind ${desired.kind} in ${desired.apiVersion} (is its CRD installed? is the apiVersion right?)`,
    };
  const name = desired.metadata!.name!;
  // A namespaced object without a namespace goes where kubectl would put it.
  const namespace = resource.namespaced ? (desired.metadata?.namespace ?? "default") : undefined;
  const body = resource.namespaced ? { ...desired, metadata: { ...desired.metadata, namespace } } : desired;
  const target = { resource, namespace, name, body };
  // Compared as the server would store the template (dry run of enforce's write), not as written.
  const judge = async (observed: KubeObject | undefined) =>
    evaluate(
      template,
      observed,
      observed && template.complianceType !== "mustnothave"
        ? await dryRunWrite(spoke, target, observed, template)
        : undefined,
    );
  try {
    const observed = await spoke.getIfExists<KubeObject>(resource, namespace, name);
    const verdict = await judge(observed);
    // A protected object is only ever added to: anything else is left as it is, and said so.
    const ref = { apiVersion: desired.apiVersion, kind: desired.kind, name, namespace };
    const refusal =
      enforce && !verdict.compliant
        ? enforceRefusal(template, ref, observed, verdict.action, protectedObjects)
        : undefined;
    if (refusal) return { object, compliant: false, message: safeMessage(refusal, 1024) };
    if (verdict.compliant || !enforce || verdict.action === "none")
      return { object, compliant: verdict.compliant, message: verdict.message };
    if (verdict.action === "delete") {
      await spoke.delete(resource, namespace, name);
      return { object, compliant: true, message: `${object} deleted`, changed: true };
    }
    const after = await judge(await writeObject(spoke, target, observed, template));
    const done = verdict.action === "create" ? "created" : "updated";
    return after.compliant
      ? { object, compliant: true, message: `${object} ${done}`, changed: true }
      : { object, compliant: false, message: notConverged(after.message, done), changed: true };
  } catch (error) {
    const refused = refusedByApi(error);
    if (refused === undefined) throw error;
    return {
      object,
      compliant: false,
      message: safeMessage(`${Reason.ObjectRefused}: ${object}: ${refused}`, 1024),
    };
  }
}

/**
 * A cluster without an API: the evaluation takes what its platform says (stacks/simulated: bootstrapSeconds with
 * its jitter) and finds every object compliant, unless the platform injects a failure (Transient: the job retries;
 * Terminal: the cluster is NonCompliant with the injected message).
 */
async function simulated(
  deps: PolicyEvaluationJobDeps,
  job: JobContext<PolicyEvaluationJobData>,
  policy: BootstrapPolicy,
  evaluation: SimulatedEvaluation,
): Promise<PolicyEvaluationResult> {
  await (deps.sleep ?? sleep)(evaluation.delayMs);
  const generation = policy.metadata.generation ?? job.data.generation;
  const failure = evaluation.failure;
  const fails = failure && (failure.attempts === 0 || job.attempt <= (failure.attempts ?? 1));
  const message = failure?.message ?? "simulated bootstrap failure";
  if (fails && failure.mode !== "Terminal") throw new Error(`SimulatedTransientFailure: ${message}`);
  const verdicts = policy.spec.objectTemplates.map((template) => {
    const object = objectName(template.objectDefinition);
    return fails
      ? { object, compliant: false, message: `${object}: ${message}` }
      : { object, compliant: true, message: `${Reason.SimulatedEvaluation}: ${object} assumed as required` };
  });
  return result(job.data, generation, verdicts, 0);
}

function result(
  data: PolicyEvaluationJobData,
  policyGeneration: number,
  objects: ObjectVerdict[],
  changed: number,
  skipped?: string,
): PolicyEvaluationResult {
  const failing = objects.filter((o) => !o.compliant);
  const message = skipped
    ? `not evaluated: ${skipped}`
    : failing.length
      ? failing.map((o) => o.message).join("; ")
      : `${objects.length} object${objects.length === 1 ? "" : "s"} as required${changed ? ` (${changed} changed by enforce)` : ""}`;
  return {
    clusterName: data.clusterName,
    clusterUid: data.clusterUid,
    policyGeneration,
    compliant: failing.length ? "NonCompliant" : "Compliant",
    message: safeMessage(message, 4000),
    evaluatedAt: conditionTime(new Date()),
    changed,
    objects: objects.map(({ object, compliant, message: m }) => ({ object, compliant, message: m })),
    skipped,
  };
}
