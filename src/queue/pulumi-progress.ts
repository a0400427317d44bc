import type { EngineEvent, OpType } from "@pulumi/pulumi/automation/index.js";

/** How far a Pulumi operation got: what a stack job reports as its BullMQ progress. */
export interface PulumiProgress {
  resourcesDone: number;
  /** At least the number the platform expects; grows when the engine shows more. */
  resourcesTotal: number;
  /** "creating local:ControlPlane dev-a-control-plane", "done", ... Never contains property values. */
  currentStep: string;
  /** 0-100; 100 only once the engine reported its summary. */
  percent: number;
}

const VERBS: Partial<Record<OpType, string>> = {
  same: "checking",
  create: "creating",
  update: "updating",
  delete: "deleting",
  replace: "replacing",
  "create-replacement": "creating replacement",
  "delete-replaced": "deleting replaced",
  read: "reading",
  refresh: "refreshing",
  import: "importing",
  discard: "discarding",
};

/**
 * Folds Pulumi engine events into progress. Every resource the engine steps through counts once towards the
 * total (resourcePreEvent) and once towards done when its step finishes (resOutputsEvent or resOpFailedEvent).
 * Pure apart from the callback, so it is unit-tested with recorded events.
 */
export class PulumiProgressTracker {
  private readonly seen = new Set<string>();
  private readonly finished = new Set<string>();
  private step = "starting";
  private complete = false;
  private last = "";

  constructor(
    private readonly expectedResources: number,
    private readonly onProgress?: (progress: PulumiProgress) => void,
  ) {}

  handle(event: EngineEvent): void {
    const pre = event.resourcePreEvent?.metadata;
    const outputs = event.resOutputsEvent?.metadata ?? event.resOpFailedEvent?.metadata;
    if (pre && !event.resourcePreEvent?.planning) {
      this.seen.add(pre.urn);
      if (pre.op !== "same" || this.step === "starting")
        this.step = `${VERBS[pre.op] ?? pre.op} ${describeUrn(pre.urn, pre.type)}`;
    } else if (outputs && !event.resOutputsEvent?.planning) {
      this.seen.add(outputs.urn);
      this.finished.add(outputs.urn);
    } else if (event.summaryEvent) {
      this.complete = true;
      this.step = "done";
    } else {
      // cancelEvent is the end-of-stream marker of every run, not a cancellation.
      return;
    }
    this.emit();
  }

  current(): PulumiProgress {
    const resourcesTotal = Math.max(this.expectedResources, this.seen.size);
    const resourcesDone = this.complete ? resourcesTotal : this.finished.size;
    const percent = this.complete
      ? 100
      : Math.min(99, Math.floor((resourcesDone / Math.max(1, resourcesTotal)) * 100));
    return { resourcesDone, resourcesTotal, currentStep: this.step, percent };
  }

  private emit(): void {
    const progress = this.current();
    const key = JSON.stringify(progress);
    if (key === this.last) return; // several events often change nothing a watcher can see
    this.last = key;
    this.onProgress?.(progress);
  }
}

/** "local:ControlPlane dev-a-control-plane" from urn:pulumi:stack::project::parent$pulumi-nodejs:dynamic/local:ControlPlane::dev-a-control-plane. */
export function describeUrn(urn: string, type: string): string {
  const name = urn.split("::").pop() ?? urn;
  return `${shortType(type)} ${name}`;
}

function shortType(type: string): string {
  if (type === "pulumi:pulumi:Stack") return "stack";
  if (type.startsWith("pulumi:providers:")) return `provider ${type.slice("pulumi:providers:".length)}`;
  const dynamic = /^pulumi-nodejs:dynamic\/([^:]+):(.+)$/.exec(type);
  if (dynamic) return `${dynamic[1]}:${dynamic[2]}`;
  return type;
}
