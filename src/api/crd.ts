import { GROUP, VERSION } from "./common.js";
import type { AnySchema, JSONSchemaProps, ValidationRule } from "./schema.js";

export interface PrinterColumn {
  name: string;
  type: "string" | "integer" | "number" | "boolean" | "date";
  jsonPath: string;
  description?: string;
  /** 0 shows in `kubectl get`, 1 only in `kubectl get -o wide`. */
  priority?: number;
}

export interface ScaleSubresource {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

/** Everything the CRD and the API reference need to know about one kind. */
export interface KindDefinition {
  kind: string;
  plural: string;
  shortNames: string[];
  description: string;
  spec: AnySchema;
  status: AnySchema;
  printerColumns: PrinterColumn[];
  scale?: ScaleSubresource;
  /** CEL rules on the whole object (they may read metadata.name). */
  rules?: ValidationRule[];
  /** Condition types the controllers set, with what each means (for the API reference). */
  conditionTypes: Record<string, string>;
}

export interface CustomResourceDefinition {
  apiVersion: "apiextensions.k8s.io/v1";
  kind: "CustomResourceDefinition";
  metadata: { name: string; labels?: Record<string, string> };
  spec: {
    group: string;
    names: {
      kind: string;
      listKind: string;
      plural: string;
      singular: string;
      shortNames: string[];
      categories: string[];
    };
    scope: "Namespaced" | "Cluster";
    versions: {
      name: string;
      served: boolean;
      storage: boolean;
      schema: { openAPIV3Schema: JSONSchemaProps };
      subresources: { status: Record<string, never>; scale?: ScaleSubresource };
      additionalPrinterColumns: PrinterColumn[];
    }[];
  };
}

export const CATEGORY = "slipway";

export function rootSchema(def: KindDefinition): JSONSchemaProps {
  const root: JSONSchemaProps = {
    type: "object",
    description: def.description,
    properties: {
      apiVersion: {
        type: "string",
        description: `APIVersion defines the versioned schema of this representation of an object: ${GROUP}/${VERSION}.`,
      },
      kind: { type: "string", description: `Kind is the REST resource this object represents: ${def.kind}.` },
      metadata: { type: "object" },
      spec: def.spec.json,
      status: def.status.json,
    },
    required: ["spec"],
  };
  if (def.rules !== undefined && def.rules.length > 0) root["x-kubernetes-validations"] = def.rules;
  return root;
}

export function crdOf(def: KindDefinition): CustomResourceDefinition {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: {
      name: `${def.plural}.${GROUP}`,
      labels: { "app.kubernetes.io/part-of": "slipway" },
    },
    spec: {
      group: GROUP,
      names: {
        kind: def.kind,
        listKind: `${def.kind}List`,
        plural: def.plural,
        singular: def.kind.toLowerCase(),
        shortNames: def.shortNames,
        categories: [CATEGORY],
      },
      scope: "Namespaced",
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          schema: { openAPIV3Schema: rootSchema(def) },
          subresources: { status: {}, ...(def.scale ? { scale: def.scale } : {}) },
          additionalPrinterColumns: def.printerColumns,
        },
      ],
    },
  };
}

export const ageColumn: PrinterColumn = {
  name: "Age",
  type: "date",
  jsonPath: ".metadata.creationTimestamp",
};

export function conditionColumn(name: string, type: string, priority = 0): PrinterColumn {
  return {
    name,
    type: "string",
    jsonPath: `.status.conditions[?(@.type=="${type}")].status`,
    description: `Status of the ${type} condition.`,
    ...(priority ? { priority } : {}),
  };
}

export function messageColumn(type: string): PrinterColumn {
  return {
    name: "Message",
    type: "string",
    jsonPath: `.status.conditions[?(@.type=="${type}")].message`,
    priority: 1,
  };
}
