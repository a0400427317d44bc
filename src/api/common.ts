import { s, type Infer, type NamedPattern, type ValidationRule } from "./schema.js";

export const GROUP = "slipway.dev";
export const VERSION = "v1alpha1";
export const API_VERSION = `${GROUP}/${VERSION}`;

/** RFC 1123 label: lower-case alphanumerics and '-', starting and ending with an alphanumeric. */
export const DNS1123_LABEL = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";
/** RFC 1123 subdomain: labels joined with '.' (object names). */
export const DNS1123_SUBDOMAIN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
/** A Go duration with units, as CEL's duration() parses it: 30m, 8h, 1h30m, 720h. No days: 30 days is 720h. */
export const DURATION = "^([0-9]+(\\.[0-9]+)?(ns|us|ms|s|m|h))+$";
/**
 * A Kubernetes version without a leading v: 1.31, 1.36.3, 1.31.1-gke.1678000. Major and minor have at most 4
 * digits, so the upgrade rules' int() of them never overflows (a CEL evaluation error instead of a message).
 */
export const KUBERNETES_VERSION = "^[0-9]{1,4}\\.[0-9]{1,4}(\\.[0-9]{1,9})?(-[0-9A-Za-z.]+)?$";
/**
 * One cron field: `*` or a value or range a-b, either with an optional step /n, in a comma list. `value` is the
 * field's own range (minutes 0-59, hours 0-23 ...), so "61 * * * *" and "a b c d e" are refused at admission.
 */
function cronField(value: string): string {
  const element = `(\\*|(${value})(-(${value}))?)(/[0-9]{1,2})?`;
  return `${element}(,${element})*`;
}

const MONTH_NAMES = "JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC";
const DAY_NAMES = "SUN|MON|TUE|WED|THU|FRI|SAT";
const eitherCase = (names: string) => `${names}|${names.toLowerCase()}`;

/** A five-field cron expression (minute hour day-of-month month day-of-week), as Gardener's schedules use. */
export const CRON =
  "^" +
  [
    cronField("[0-5]?[0-9]"),
    cronField("[01]?[0-9]|2[0-3]"),
    cronField("0?[1-9]|[12][0-9]|3[01]"),
    cronField(`0?[1-9]|1[0-2]|${eitherCase(MONTH_NAMES)}`),
    cronField(`[0-7]|${eitherCase(DAY_NAMES)}`),
  ].join(" +") +
  "$";
/** An IANA time zone name: UTC, Europe/Berlin, America/Argentina/Buenos_Aires. */
export const TIME_ZONE = "^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$";
/** A label value: empty, or 63 characters at most of alphanumerics, '-', '_' and '.', starting and ending alphanumeric. */
export const LABEL_VALUE = "^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$";
/** metav1.Condition's reason. */
export const CONDITION_REASON = "^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$";
/** metav1.Condition's type: an optional DNS subdomain prefix and a name. */
export const CONDITION_TYPE =
  "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$";

/** What each pattern allows, in words and with an example: the message a person sees at admission. */
export const names = {
  dnsLabel: {
    regex: DNS1123_LABEL,
    words:
      "lower-case letters, digits and '-', starting and ending with a letter or digit (for example dev-a)",
  },
  dnsSubdomain: {
    regex: DNS1123_SUBDOMAIN,
    words:
      "lower-case letters, digits, '-' and '.', starting and ending with a letter or digit (for example my-secret)",
  },
  // At most 5 digits a number and 4 numbers: never more than CEL's duration() can hold (about 292 years).
  duration: {
    regex: "^([0-9]{1,5}(\\.[0-9]{1,9})?(ns|us|ms|s|m|h)){1,4}$",
    words:
      "a duration such as 30m, 8h or 1h30m: numbers of at most 5 digits, each with a unit (ns, us, ms, s, m, h); " +
      "there are no days, write 720h for 30 days",
  },
  kubernetesVersion: {
    regex: KUBERNETES_VERSION,
    words:
      "a Kubernetes version major.minor or major.minor.patch without a leading v (for example 1.36 or 1.36.3), " +
      "major and minor of at most 4 digits and patch of at most 9",
  },
  cron: {
    regex: CRON,
    words:
      "a five-field cron expression: minute (0-59) hour (0-23) day-of-month (1-31) month (1-12 or JAN-DEC) " +
      "day-of-week (0-7 or SUN-SAT), each *, a number, a range, a step or a list (for example '0 19 * * MON-FRI' " +
      "for 19:00 on weekdays)",
  },
  timeZone: {
    regex: TIME_ZONE,
    words: "an IANA time zone name (for example UTC, Europe/Berlin or America/New_York)",
  },
  labelKey: {
    regex:
      "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$",
    words:
      "a label key: a name of at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or " +
      "digit, optionally after a DNS prefix and '/' (for example tier or example.com/tier)",
  },
  labelValue: {
    regex: LABEL_VALUE,
    words:
      "a label value: empty, or letters, digits, '-', '_' and '.', starting and ending with a letter or digit (for example team-a)",
  },
} as const satisfies Record<string, NamedPattern>;

/** A label key: an optional DNS subdomain prefix and '/', then a name of at most 63 characters. */
export const LABEL_KEY =
  "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$";

/** CEL over a map: every key is a label key. */
export const labelKeysRule: ValidationRule = {
  rule: `self.all(k, k.matches(r'${LABEL_KEY}'))`,
  message:
    "label keys must be a name of at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter " +
    "or digit, optionally after a DNS prefix and '/' (for example team or example.com/team)",
};

/** `self == oldSelf`: the field cannot change once set. */
export function immutable(what: string, hint: string): ValidationRule {
  return { rule: "self == oldSelf", message: `${what} is immutable${hint ? `: ${hint}` : ""}` };
}

/** A duration string bounded by CEL: `duration(self)` between min and max (both Go durations). */
export function durationBetween(field: string, min: string, max?: string): ValidationRule[] {
  const rules: ValidationRule[] = [
    { rule: `duration(self) >= duration('${min}')`, message: `${field} must be at least ${min}` },
  ];
  if (max !== undefined) {
    rules.push({
      rule: `duration(self) <= duration('${max}')`,
      message: `${field} must be at most ${max}${max === "720h" ? " (30 days)" : ""}`,
    });
  }
  return rules;
}

export function duration(description: string, field: string, min: string, max?: string) {
  return s.string({
    description: `${description} A Go duration such as 30m, 8h or 1h30m (no days: write 720h for 30 days).`,
    pattern: names.duration,
    maxLength: 32,
    rules: durationBetween(field, min, max),
  });
}

/**
 * Transition rules on a Kubernetes version: the minor version may only move forward, one step at a time,
 * which is what EKS, AKS, GKE and kubeadm allow.
 */
export const versionUpgradeRules: ValidationRule[] = [
  {
    rule:
      "self.split('.')[0] == oldSelf.split('.')[0] && " +
      "int(self.split('.')[1]) >= int(oldSelf.split('.')[1])",
    message: "version cannot be downgraded: the Kubernetes minor version can only move forward",
  },
  {
    rule: "int(self.split('.')[1]) <= int(oldSelf.split('.')[1]) + 1",
    message: "upgrade one minor version at a time (for example 1.35 -> 1.36)",
  },
].map((r) => ({
  // self is guarded by the pattern's own rule (s.string wraps the rule); an old value stored before the pattern
  // bounded its digits may not be a number int() can hold: no step to check from it then.
  ...r,
  rule: `!oldSelf.matches(r'${KUBERNETES_VERSION}') || (${r.rule})`,
}));

export function kubernetesVersion(description: string, opts: { upgradeRules: boolean }) {
  return s.string({
    description: `${description} Major.minor or major.minor.patch, without a leading v (1.36, 1.36.3).`,
    pattern: names.kubernetesVersion,
    maxLength: 64,
    rules: opts.upgradeRules ? versionUpgradeRules : [],
  });
}

export function dnsLabel(description: string, maxLength = 63) {
  return s.string({ description, pattern: names.dnsLabel, minLength: 1, maxLength });
}

export function objectName(description: string) {
  return s.string({ description, pattern: names.dnsSubdomain, minLength: 1, maxLength: 253 });
}

/** A reference to an object (usually a Secret) in the same namespace. */
export const localObjectReference = (description: string) =>
  s.object({ name: objectName("Name of the object, in the same namespace.").required() }, { description });

export type LocalObjectReference = Infer<ReturnType<typeof localObjectReference>>;

export function labels(description: string) {
  return s.map(s.string({ pattern: names.labelValue, maxLength: 63, description: "A label value." }), {
    description,
    maxProperties: 64,
    rules: [labelKeysRule],
  });
}

/** metav1.Condition. */
export const condition = s.object(
  {
    type: s
      .string({
        description: "Type of condition in CamelCase: Ready, Reconciling, Stalled, Provisioned ...",
        pattern: CONDITION_TYPE,
        maxLength: 316,
      })
      .required(),
    status: s.enum(["True", "False", "Unknown"], { description: "Status of the condition." }).required(),
    observedGeneration: s.integer({
      description: "The .metadata.generation the condition was set from.",
      format: "int64",
      minimum: 0,
    }),
    lastTransitionTime: s.dateTime({ description: "When the condition last changed status." }).required(),
    reason: s
      .string({
        description: "A CamelCase, programmatic reason for the last transition.",
        pattern: CONDITION_REASON,
        minLength: 1,
        maxLength: 1024,
      })
      .required(),
    message: s
      .string({
        description: "A human-readable message saying what happened and what to do.",
        maxLength: 32768,
      })
      .required(),
  },
  { description: "A condition in the standard metav1.Condition shape." },
);

export type Condition = Infer<typeof condition>;
export type ConditionStatus = Condition["status"];

export const conditions = (description = "Current state, one entry per condition type.") =>
  s.array(condition, { description, listType: "map", listMapKeys: ["type"], maxItems: 32 });

export const observedGeneration = () =>
  s.integer({
    description: "The .metadata.generation the controller last reconciled successfully.",
    format: "int64",
    minimum: 0,
  });

/** The label selector of metav1.LabelSelector. */
export const labelSelector = (description: string) =>
  s.object(
    {
      matchLabels: labels("Labels a cluster must have, all of them."),
      matchExpressions: s.array(
        s.object(
          {
            key: s.string({ description: "The label key.", minLength: 1, maxLength: 317 }).required(),
            operator: s
              .enum(["In", "NotIn", "Exists", "DoesNotExist"], {
                description: "How the key relates to values.",
              })
              .required(),
            values: s.array(s.string({ maxLength: 63 }), {
              description: "Values for In and NotIn; empty for Exists and DoesNotExist.",
              maxItems: 64,
              listType: "atomic",
            }),
          },
          {
            rules: [
              {
                rule:
                  "self.operator in ['In', 'NotIn'] ? (has(self.values) && size(self.values) > 0) : " +
                  "(!has(self.values) || size(self.values) == 0)",
                message: "operators In and NotIn need values; Exists and DoesNotExist must have no values",
              },
            ],
          },
        ),
        { description: "Label requirements, all of which must hold.", maxItems: 32 },
      ),
    },
    { description },
  );

export type LabelSelector = Infer<ReturnType<typeof labelSelector>>;

/** The rbacv1.Subject shape. */
export const subject = s.object(
  {
    kind: s.enum(["User", "Group", "ServiceAccount"], { description: "Kind of subject." }).required(),
    apiGroup: s.string({
      description:
        'rbac.authorization.k8s.io for User and Group, "" for ServiceAccount (filled in when absent).',
      maxLength: 253,
    }),
    name: s
      .string({ description: "Name of the user, group or service account.", minLength: 1, maxLength: 253 })
      .required(),
    namespace: s.string({
      description: "Namespace of a ServiceAccount subject.",
      pattern: names.dnsLabel,
      maxLength: 63,
    }),
  },
  {
    description: "A user, group or service account (rbacv1.Subject).",
    rules: [
      {
        rule: "self.kind != 'ServiceAccount' || has(self.namespace)",
        message: "a ServiceAccount subject needs a namespace",
        fieldPath: ".namespace",
      },
    ],
  },
);

export type Subject = Infer<typeof subject>;
