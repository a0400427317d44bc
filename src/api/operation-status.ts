import { s, type Infer } from "./schema.js";

/**
 * Per-concern status records. Several controllers work on one cluster (stack, registration, bootstrap, power),
 * each through jobs of its own; each writes only its own record, so one job never overwrites another's.
 */

/** Pulumi operations on a cluster's stack. Provision, hibernate, resume and resize are all `up`. */
export const STACK_OPERATIONS = ["up", "destroy", "refresh"] as const;
export const OPERATION_RESULTS = ["InProgress", "Succeeded", "Failed"] as const;

export type StackOperationType = (typeof STACK_OPERATIONS)[number];
export type OperationResult = (typeof OPERATION_RESULTS)[number];

const retry = () =>
  s.object(
    {
      count: s.integer({ description: "Retry jobs queued so far for this operation.", minimum: 0 }),
      failedAttempts: s.integer({
        description: "Attempts of this operation that failed so far, over all its jobs.",
        minimum: 0,
      }),
      nextAt: s.dateTime({ description: "When the next retry is queued." }),
    },
    {
      description:
        "Set while the controller retries a failed operation itself (a destroy, or a job whose worker kept dying on it) with capped exponential backoff.",
    },
  );

/** What every job-backed record has: which job, for which generation, how it went. */
function jobFields(what: string) {
  return {
    jobId: s
      .string({
        description: `Id of the queued ${what} job (deterministic: one per object, operation and generation).`,
        maxLength: 512,
      })
      .required(),
    generation: s
      .integer({ description: "The .metadata.generation the job applies.", format: "int64", minimum: 0 })
      .required(),
    startedAt: s.dateTime({ description: "When the job was queued." }),
    finishedAt: s.dateTime({ description: "When the job finished; absent while it runs." }),
    result: s.enum(OPERATION_RESULTS, { description: "Outcome of the job." }).required(),
    message: s.string({
      description: "A short human summary, or the classified error of a failed job.",
      maxLength: 4096,
    }),
    retry: retry(),
  };
}

/** The cluster's stack operation (a Pulumi run), written by the ClusterDeployment controller. */
export const stackStatus = () =>
  s.object(
    {
      type: s
        .enum(STACK_OPERATIONS, {
          description:
            "The Pulumi operation. Provisioning, hibernating, resuming and resizing all run up with a different " +
            "desired configuration; powerState tells which.",
        })
        .required(),
      ...jobFields("stack"),
      cause: s.string({
        description:
          "Why a run the spec did not ask for runs: DriftDetected for an up that repairs drift; message says what drifted.",
        maxLength: 64,
      }),
      inputsHash: s.string({
        description:
          "Hash of the stack inputs a successful run applied. A later generation with the same inputs (the " +
          "resource was claimed or relabelled) is already applied and needs no run. Only this record says what " +
          "the stack holds: registration and bootstrap jobs never touch it.",
        maxLength: 128,
      }),
      progress: s.object(
        {
          resourcesDone: s.integer({
            description: "Stack resources created, updated or deleted so far.",
            minimum: 0,
          }),
          resourcesTotal: s.integer({
            description: "Stack resources the operation expects to touch.",
            minimum: 0,
          }),
          currentStep: s.string({ description: "What the job is doing now.", maxLength: 1024 }),
          percent: s.integer({ description: "Completion estimate.", minimum: 0, maximum: 100 }),
        },
        { description: "Progress reported by the worker while the job runs." },
      ),
    },
    { description: "The last operation on the cluster's Pulumi stack." },
  );

/** What a registration job does on the spoke: set it up and run the agent, stop the agent, or undo it all. */
export const REGISTRATION_OPERATIONS = ["register", "pause", "deregister"] as const;
export type RegistrationOperationType = (typeof REGISTRATION_OPERATIONS)[number];

/** Hub registration (OCM ManagedCluster import), written by the registration controller. */
export const registrationStatus = () =>
  s.object(
    {
      type: s
        .enum(REGISTRATION_OPERATIONS, {
          description:
            "The spoke job: register (agent namespace, ClusterClaim CRD, bootstrap-hub-kubeconfig, the agent), " +
            "pause (the agent stops while the cluster hibernates) or deregister.",
        })
        .required(),
      ...jobFields("registration"),
      managedClusterName: s.string({
        description: "The hub's ManagedCluster (and namespace) of this cluster.",
        maxLength: 63,
      }),
      registeredAt: s.dateTime({
        description:
          "When the first register job succeeded; kept across hibernation and resume (Registered stays True " +
          "while a resumed cluster's agent material is refreshed), cleared by deregistration.",
      }),
    },
    {
      description:
        "The last hub registration job of the cluster. Written by the registration controller only; the " +
        "bootstrap identity's token is never in it.",
    },
  );

/**
 * The cluster's bootstrap, written by the bootstrap controller (field manager slipway-cluster-bootstrap) from the
 * per-cluster entries of the BootstrapPolicies that select it; the evaluations themselves are jobs of each policy.
 */
export const bootstrapStatus = () =>
  s.object(
    {
      policies: s.integer({
        description: "BootstrapPolicies (not disabled) that select the cluster.",
        minimum: 0,
      }),
      compliantPolicies: s.integer({
        description:
          "Of those, the ones whose latest verdict is Compliant (kept while a new generation is evaluated).",
        minimum: 0,
      }),
      policiesHash: s.string({
        description: "Hash of the selecting policies' names and generations.",
        maxLength: 128,
      }),
      waitingFor: s.array(s.string({ description: "A BootstrapPolicy name.", maxLength: 253 }), {
        description: "Policies (up to 20) the cluster is not yet compliant with, or not yet evaluated by.",
        maxItems: 20,
      }),
      evaluatedAt: s.dateTime({
        description:
          "The oldest of the verdicts Bootstrapped is made of (set once every selecting policy has one): a " +
          "resumed cluster's Bootstrapped counts only when this is not before status.lastResumedAt.",
      }),
      message: s.string({ description: "A short human summary.", maxLength: 4096 }),
    },
    {
      description:
        "Bootstrap policy compliance of the cluster (condition Bootstrapped says the same in words).",
    },
  );

/** What decided a cluster's desired power state. */
export const POWER_SOURCES = ["Spec", "Schedule", "HibernateAfter", "Pool"] as const;
export const TRIGGER_OUTCOMES = ["Applied", "Unchanged", "Skipped", "Dropped"] as const;

const powerTrigger = () =>
  s.object(
    {
      at: s.dateTime({
        description: "When the trigger was due (the schedule's time or hibernateAfter's deadline).",
      }),
      source: s.enum(["Schedule", "HibernateAfter"] as const, { description: "What the trigger came from." }),
      powerState: s.enum(["Running", "Hibernating"] as const, { description: "What the trigger asked for." }),
      outcome: s.enum(TRIGGER_OUTCOMES, {
        description:
          "Applied: spec.powerState was changed; Unchanged: it already said so; Skipped: the cluster was being " +
          "deleted, Stalled or mid-failover; Dropped: found more than the deadline (2 h) late.",
      }),
      message: s.string({ description: "What happened, for people.", maxLength: 1024 }),
    },
    { description: "The last hibernation trigger handled (applied, skipped or dropped)." },
  );

const powerUsage = () =>
  s.object(
    {
      runningSeconds: s.integer({
        description:
          "Seconds the cluster ran (any state but Hibernating) since it was created, up to countedUntil.",
        format: "int64",
        minimum: 0,
      }),
      hibernatedSeconds: s.integer({
        description: "Seconds the cluster was hibernated since it was created, up to countedUntil.",
        format: "int64",
        minimum: 0,
      }),
      savedSeconds: s.integer({
        description:
          "Of hibernatedSeconds, those a schedule or hibernateAfter put it to sleep for: what they saved.",
        format: "int64",
        minimum: 0,
      }),
      countedUntil: s.dateTime({
        description: "The time the counters run to; the current state counts after it.",
      }),
      countedState: s.enum(["Running", "Hibernating"] as const, {
        description: "The state counted since countedUntil (to add when reading the counters later).",
      }),
      countedSource: s.enum(POWER_SOURCES, {
        description: "What decided the power state counted since countedUntil.",
      }),
    },
    {
      description:
        "Hours running and hibernated since creation, from the power transitions the power controller saw; " +
        "updated at each transition and at least hourly.",
    },
  );

/** The power controller's record (hibernation schedules, hibernateAfter, cost counters). */
export const powerStatus = () =>
  s.object(
    {
      source: s.enum(POWER_SOURCES, { description: "What decided the current desired power state." }),
      nextPowerState: s.enum(["Running", "Hibernating"] as const, {
        description: "The power state the next scheduled transition moves to.",
      }),
      nextTransitionAt: s.dateTime({ description: "When the next scheduled transition is due." }),
      nextHibernateAt: s.dateTime({
        description: "When a schedule or hibernateAfter next hibernates the cluster.",
      }),
      nextWakeAt: s.dateTime({ description: "When a schedule next wakes the cluster." }),
      lastTriggerAt: s.dateTime({
        description: "Schedule triggers at or before this time are handled; a later one is due (within 2 h).",
      }),
      lastTrigger: powerTrigger(),
      usage: powerUsage(),
      message: s.string({ description: "A short human summary of the power decision.", maxLength: 4096 }),
    },
    {
      description:
        "Power decisions from hibernation schedules and hibernateAfter, written by the power controller (field " +
        "manager slipway-power), which changes spec.powerState when a trigger fires.",
    },
  );

export type StackStatus = Infer<ReturnType<typeof stackStatus>>;
export type RegistrationStatus = Infer<ReturnType<typeof registrationStatus>>;
export type BootstrapStatus = Infer<ReturnType<typeof bootstrapStatus>>;
export type PowerStatus = Infer<ReturnType<typeof powerStatus>>;
