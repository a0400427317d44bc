/**
 * The objects a BootstrapPolicy may never delete or rewrite on a cluster: what Kubernetes itself, OCM's agent
 * (the cluster's hold on the hub) and Slipway's registration need there. One table, read by the CRD's admission
 * rules (what CEL can see: apiVersion, kind, metadata.name and metadata.namespace of a template) and by the
 * controller and worker (src/bootstrap/policies/protected.ts), which also take the administrator's additions
 * (SLIPWAY_PROTECTED_OBJECTS). The built-in set is always in force: additions can only extend it.
 *
 * Names and namespaces are patterns: exact (`kube-system`), a prefix (`system:*`), a suffix
 * (`*.open-cluster-management.io`) or `*` alone.
 */
import { ConfigError } from "../errors/index.js";
import type { ValidationRule } from "./schema.js";

export interface ProtectedObjectClass {
  /** Kinds, as a template writes them (Namespace, ClusterRole); `*`: every kind. */
  kinds: readonly string[];
  /** API group: "" the core group, `*` any group. */
  group: string;
  /**
   * For objects inside namespaces: the namespaces they are protected in (patterns; a template without a
   * namespace means `default`, as kubectl does). Absent: protected whatever the template's namespace says
   * (cluster-scoped objects).
   */
  namespaces?: readonly string[];
  /** Name patterns. */
  names: readonly string[];
  /** Completes "X is protected: ...". */
  why: string;
  /** "built-in", or the administrator's entry as written in SLIPWAY_PROTECTED_OBJECTS. */
  source: string;
}

/** Where OCM's registration and work agents, their add-ons and the klusterlet operator run on a cluster. */
export const OCM_AGENT_NAMESPACES = [
  "open-cluster-management-agent",
  "open-cluster-management-agent-addon",
  "open-cluster-management",
] as const;
/** Kubernetes' own namespaces, whose every object is protected. */
export const SYSTEM_NAMESPACES = ["kube-system", "kube-public", "kube-node-lease"] as const;

const builtIn = (entry: Omit<ProtectedObjectClass, "source">): ProtectedObjectClass => ({
  ...entry,
  source: "built-in",
});

export const BUILT_IN_PROTECTED_OBJECTS: readonly ProtectedObjectClass[] = [
  builtIn({
    kinds: ["Namespace"],
    group: "",
    names: [...SYSTEM_NAMESPACES, "default"],
    why:
      "Kubernetes needs it (the control plane's add-ons, the nodes' heartbeats, the cluster-info clients start " +
      "from, the API server's own Service); deleting a namespace deletes everything in it",
  }),
  builtIn({
    kinds: ["Namespace"],
    group: "",
    names: OCM_AGENT_NAMESPACES,
    why:
      "OCM's agents run there with the hub's credentials (Slipway's registration writes bootstrap-hub-kubeconfig " +
      "into open-cluster-management-agent): without it the cluster leaves the hub",
  }),
  builtIn({
    kinds: ["*"],
    group: "*",
    namespaces: [...SYSTEM_NAMESPACES, ...OCM_AGENT_NAMESPACES],
    names: ["*"],
    why:
      "objects there belong to Kubernetes' own components or to OCM's agents and the hub registration Slipway " +
      "made; their owners manage them",
  }),
  builtIn({
    kinds: ["Service", "Endpoints", "EndpointSlice"],
    group: "*",
    namespaces: ["default"],
    names: ["kubernetes"],
    why: "in-cluster clients reach the API server through it",
  }),
  builtIn({
    kinds: ["ConfigMap"],
    group: "",
    namespaces: ["*"],
    names: ["kube-root-ca.crt"],
    why: "pods verify the API server with it (kube-controller-manager publishes it in every namespace)",
  }),
  builtIn({
    kinds: ["CustomResourceDefinition"],
    group: "apiextensions.k8s.io",
    names: ["*.open-cluster-management.io"],
    why:
      "OCM's agent uses it (ClusterClaims, AppliedManifestWorks, the Klusterlet); deleting a CRD deletes every " +
      "object of its kind",
  }),
  builtIn({
    kinds: ["Klusterlet"],
    group: "operator.open-cluster-management.io",
    names: ["*"],
    why: "it makes the klusterlet operator run OCM's registration and work agents",
  }),
  builtIn({
    kinds: ["AppliedManifestWork"],
    group: "work.open-cluster-management.io",
    names: ["*"],
    why: "OCM's work agent records in it what it applied; deleting it deletes those objects",
  }),
  builtIn({
    kinds: ["ClusterClaim"],
    group: "cluster.open-cluster-management.io",
    names: ["id.k8s.io", "*.open-cluster-management.io"],
    why: "OCM's agent reports it to the hub, which identifies and places the cluster by it",
  }),
  builtIn({
    kinds: ["ClusterRole", "ClusterRoleBinding"],
    group: "rbac.authorization.k8s.io",
    names: ["system:*"],
    why: "Kubernetes' own components (the scheduler, controllers, kubelets) are authorized by it",
  }),
  builtIn({
    kinds: ["ClusterRole", "ClusterRoleBinding"],
    group: "rbac.authorization.k8s.io",
    names: ["cluster-admin", "admin", "edit", "view"],
    why: "Kubernetes' default roles, which administrators and tools rely on",
  }),
  builtIn({
    kinds: ["ClusterRole", "ClusterRoleBinding"],
    group: "rbac.authorization.k8s.io",
    names: ["open-cluster-management:*", "klusterlet"],
    why: "OCM's agents and the klusterlet operator are authorized by it",
  }),
  builtIn({
    kinds: ["PriorityClass"],
    group: "scheduling.k8s.io",
    names: ["system-*"],
    why: "the cluster's critical pods are scheduled with it",
  }),
];

/** What a template names: the object on the cluster. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  /** As the template says; absent: `default` for a namespaced kind, nothing for a cluster-scoped one. */
  namespace?: string;
}

const PATTERN = /^(\*|\*?[^*]+|[^*]+\*)$/;

/** Whether `value` matches a pattern: exact, `prefix*`, `*suffix` or `*`. */
export function matchesPattern(pattern: string, value: string): boolean {
  if (pattern === "*") return true;
  if (pattern.startsWith("*")) return value.endsWith(pattern.slice(1));
  if (pattern.endsWith("*")) return value.startsWith(pattern.slice(0, -1));
  return value === pattern;
}

/** The API group of an apiVersion: "" for `v1`, `apps` for `apps/v1`. */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? "" : apiVersion.slice(0, slash);
}

/** The first class that protects the object, if any. */
export function protectingClass(
  classes: readonly ProtectedObjectClass[],
  ref: ObjectRef,
): ProtectedObjectClass | undefined {
  const group = groupOf(ref.apiVersion);
  return classes.find(
    (c) =>
      (c.kinds.includes("*") || c.kinds.includes(ref.kind)) &&
      (c.group === "*" || c.group === group) &&
      (!c.namespaces || c.namespaces.some((n) => matchesPattern(n, ref.namespace ?? "default"))) &&
      c.names.some((n) => matchesPattern(n, ref.name)),
  );
}

function orList(items: readonly string[]): string {
  return items.length <= 1
    ? (items[0] ?? "")
    : `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`;
}

/** The class in words: "Namespace kube-system or default", "any object in namespace kube-system". */
export function describeClass(c: ProtectedObjectClass): string {
  const anyName = c.names.length === 1 && c.names[0] === "*";
  const kinds = c.kinds.includes("*") ? "object" : orList(c.kinds);
  const what = anyName ? `any ${kinds}` : `${kinds} ${orList(c.names)}`;
  if (!c.namespaces) return what;
  if (c.namespaces.length === 1 && c.namespaces[0] === "*") return `${what} in any namespace`;
  return `${what} in namespace ${orList(c.namespaces)}`;
}

function celString(value: string): string {
  if (/['\\]/.test(value)) throw new Error(`protected object pattern ${value} cannot be a CEL string`);
  return `'${value}'`;
}

function celPattern(pattern: string, value: string): string {
  if (pattern === "*") return "true";
  if (pattern.startsWith("*")) return `${value}.endsWith(${celString(pattern.slice(1))})`;
  if (pattern.endsWith("*")) return `${value}.startsWith(${celString(pattern.slice(0, -1))})`;
  return `${value} == ${celString(pattern)}`;
}

function celAny(patterns: readonly string[], value: string): string {
  if (patterns.includes("*")) return "true";
  const exact = patterns.filter((p) => !p.includes("*"));
  const parts = patterns.filter((p) => p.includes("*")).map((p) => celPattern(p, value));
  if (exact.length) parts.unshift(`${value} in [${exact.map(celString).join(", ")}]`);
  return parts.length === 1 ? parts[0]! : `(${parts.join(" || ")})`;
}

/** The CEL condition "template t names an object of class c" (t.objectDefinition has metadata.name). */
function celMatches(c: ProtectedObjectClass): string {
  const o = "t.objectDefinition";
  const parts: string[] = [];
  if (!c.kinds.includes("*")) parts.push(celAny(c.kinds, `${o}.kind`));
  if (c.group === "") parts.push(`!${o}.apiVersion.contains('/')`);
  else if (c.group !== "*") parts.push(`${o}.apiVersion.startsWith(${celString(`${c.group}/`)})`);
  if (c.namespaces)
    parts.push(celAny(c.namespaces, `(has(${o}.metadata.namespace) ? ${o}.metadata.namespace : 'default')`));
  parts.push(celAny(c.names, `${o}.metadata.name`));
  return parts.filter((p) => p !== "true").join(" && ");
}

/**
 * Admission rules of a BootstrapPolicy's spec, one per built-in class: enforce with mustnothave or mustonlyhave
 * may not name a protected object. CEL sees a template's apiVersion, kind, metadata.name and metadata.namespace
 * (declared in src/api/schema.ts), so every built-in class is refused here; the administrator's additions, and
 * policies stored before these rules, are the controller's (condition Stalled, reason ProtectedObject).
 */
export function protectedObjectRules(): ValidationRule[] {
  return BUILT_IN_PROTECTED_OBJECTS.map((c) => ({
    rule:
      "self.remediationAction != 'enforce' || !self.objectTemplates.exists(t, t.complianceType != 'musthave' && " +
      `has(t.objectDefinition.metadata) && has(t.objectDefinition.metadata.name) && ${celMatches(c)})`,
    message:
      `enforce may not delete (mustnothave) or rewrite (mustonlyhave) ${describeClass(c)}: it is protected, ` +
      `${c.why}. A policy may add to it (musthave) or report on it (inform); see docs/bootstrap-policies.md`,
    fieldPath: ".objectTemplates",
  }));
}

export const PROTECTED_OBJECTS_ENV = "SLIPWAY_PROTECTED_OBJECTS";
const ENTRY_SYNTAX =
  "Kind[.group]/name or Kind[.group]/namespace/name, names and namespaces exact or with one * at the start or " +
  "the end (for example Namespace/payments, */payments/*, ClusterRole.rbac.authorization.k8s.io/platform:*)";

/**
 * The administrator's additions to the protected set, from SLIPWAY_PROTECTED_OBJECTS: comma-separated entries
 * `Kind[.group]/name` (a cluster-scoped object, or a namespaced one of that name in every namespace) or
 * `Kind[.group]/namespace/name`. Kind `*` is every kind; without a group, any group. They only add: the built-in
 * set cannot be shrunk.
 */
export function parseProtectedObjects(text: string | undefined): ProtectedObjectClass[] {
  const entries = (text ?? "")
    .split(",")
    .map((e) => e.trim())
    .filter(Boolean);
  return entries.map((entry) => {
    const parts = entry.split("/");
    const bad = (why: string) =>
      new ConfigError(`${PROTECTED_OBJECTS_ENV}: entry "${entry}" ${why}; each entry is ${ENTRY_SYNTAX}`);
    if (parts.length < 2 || parts.length > 3 || parts.some((p) => p === ""))
      throw bad("has not two or three parts");
    const [kindGroup, ...rest] = parts as [string, ...string[]];
    const dot = kindGroup.indexOf(".");
    const kind = dot < 0 ? kindGroup : kindGroup.slice(0, dot);
    const group = dot < 0 ? "*" : kindGroup.slice(dot + 1);
    if (!/^(\*|[A-Za-z][A-Za-z0-9]*)$/.test(kind)) throw bad(`names no kind (${kind})`);
    if (dot >= 0 && !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(group))
      throw bad(`names no API group (${group})`);
    const patterns = rest.map((p) => {
      if (!PATTERN.test(p)) throw bad(`has a pattern with a * inside (${p})`);
      if (/[\s'"\\]/.test(p)) throw bad(`has a space, quote or backslash (${p})`);
      return p;
    });
    const name = patterns[patterns.length - 1]!;
    return {
      kinds: [kind],
      group,
      ...(patterns.length === 2 ? { namespaces: [patterns[0]!] } : {}),
      names: [name],
      why: `the administrator protects it (${PROTECTED_OBJECTS_ENV} entry ${entry})`,
      source: entry,
    };
  });
}
