import type { ControllerRegistration, SecondaryWatch } from "./controller.js";
import { ownedBy } from "./controller.js";
import { EventRecorder } from "./events.js";
import { HealthServer } from "./health-server.js";
import { Informer } from "./informer.js";
import { NamespacedInformers, type SharedInformer } from "./namespaced-informers.js";
import type { KubeClient } from "./kube-client.js";
import { LeaderElector, type LeaderElectionOptions } from "./leader-election.js";
import { logger as namedLogger, type Logger } from "./logging.js";
import { Metrics } from "./metrics.js";
import { controllerFieldManager, ReconcileRunner } from "./reconcile-runner.js";
import { objectKey, type KubeObject, type ResourceRef } from "./resource.js";
import { WorkQueue } from "./work-queue.js";

/** The lease and its timings; the manager gives the elector its client and what to do on gaining or losing it. */
export type ManagerLeaderElectionOptions = Pick<
  LeaderElectionOptions,
  "namespace" | "name" | "identity" | "leaseDurationMs" | "renewDeadlineMs" | "retryPeriodMs"
>;

export interface ManagerOptions {
  client: KubeClient;
  /** Watch Slipway's namespaced resources in these namespaces only; all namespaces when omitted. */
  namespaces?: readonly string[];
  /** Created (with process metrics) when omitted. */
  metrics?: Metrics;
  /** Serve /metrics, /healthz and /readyz here; no server when omitted. */
  health?: { host: string; port: number };
  /** Without it this replica reconciles as soon as caches sync (single replica, tests, `slipway dev`). */
  leaderElection?: ManagerLeaderElectionOptions;
  /** Every primary object is reconciled again this often without events (drift detection). */
  resyncIntervalMs?: number;
  /** `source.component` of Events; "slipway-controller" by default. */
  eventComponent?: string;
  logger?: Logger;
}

/**
 * Something a controller runs beside its reconciler on every replica (controller-runtime's Runnable): a job
 * worker, a job-event subscription. Started once caches sync, stopped before the informers.
 */
export interface Runnable {
  name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Adds what it knows to the process's /metrics (a job queue's depth, say). */
  observe?(metrics: Metrics): void;
}

interface RunningController {
  registration: ControllerRegistration<KubeObject, unknown>;
  primary: SharedInformer;
  queue?: WorkQueue;
}

/**
 * Runs controllers: shared informers (one per kind, started on every replica so a standby's caches are warm),
 * a work queue and reconcile harness per controller (only on the leader), leader election, Events, metrics and
 * the health server (on every replica). Register controllers and ask for informers before `start()`.
 */
export class Manager {
  readonly client: KubeClient;
  readonly metrics: Metrics;
  readonly events: EventRecorder;
  private readonly informers = new Map<string, SharedInformer>();
  private readonly controllers = new Map<string, RunningController>();
  private readonly runnables: Runnable[] = [];
  private readonly elector?: LeaderElector;
  private readonly health?: HealthServer;
  private readonly log: Logger;
  private leading = false;
  private resyncTimer?: NodeJS.Timeout;
  private started = false;
  private healthUrl?: string;

  constructor(private readonly options: ManagerOptions) {
    this.client = options.client;
    this.metrics = options.metrics ?? new Metrics();
    this.log = options.logger ?? namedLogger("runtime.manager");
    // The fleet gauges count each kind once, from the cache of the controllers that own it.
    this.metrics.watchConditions(() => {
      const byKind = new Map(
        [...this.controllers.values()].map((c) => [c.registration.watches.primary.kind, c.primary]),
      );
      return [...byKind].map(([kind, cache]) => ({ kind, objects: () => cache.list() }));
    });
    const identity = options.leaderElection?.identity;
    this.events = new EventRecorder({
      client: options.client,
      component: options.eventComponent ?? "slipway-controller",
      instance: identity,
    });
    if (options.leaderElection) {
      const le = options.leaderElection;
      this.elector = new LeaderElector({
        client: options.client,
        ...le,
        onStartedLeading: () => this.startLeading(),
        onStoppedLeading: () => this.stopLeading(),
        onNewLeader: (holder) => this.log.info({ leader: holder }, "Observed a new leader"),
      });
    }
    if (options.health) {
      this.health = new HealthServer({
        ...options.health,
        metrics: this.metrics,
        liveness: { ping: () => true },
        readiness: {
          informers: () =>
            this.cachesSynced() || `waiting for caches: ${this.unsyncedInformers().join(", ")}`,
          ...(this.elector
            ? { "leader-election": () => this.elector!.isHealthy() || "cannot read the lease" }
            : {}),
        },
      });
    }
  }

  /** A shared informer for `resource` (in the manager's namespace); reconcilers read secondary objects from it. */
  informer<T extends KubeObject = KubeObject>(
    resource: ResourceRef,
    options: { labelSelector?: string } = {},
  ): SharedInformer<T> {
    const id = `${resource.group}/${resource.version}/${resource.plural}?${options.labelSelector ?? ""}`;
    let informer = this.informers.get(id);
    if (!informer) {
      const make = (namespace?: string) =>
        new Informer({ client: this.client, resource, namespace, labelSelector: options.labelSelector });
      const namespaces = resource.namespaced ? this.options.namespaces : undefined;
      informer = namespaces?.length
        ? new NamespacedInformers(new Map(namespaces.map((ns) => [ns, make(ns)])))
        : make();
      this.informers.set(id, informer);
      if (this.started) informer.start();
    }
    return informer as unknown as SharedInformer<T>;
  }

  register<T extends KubeObject, S>(registration: ControllerRegistration<T, S>): void {
    if (this.started) throw new Error(`register ${registration.name} before the manager starts`);
    if (this.controllers.has(registration.name))
      throw new Error(`controller ${registration.name} is already registered`);
    const { watches } = registration;
    const primary = this.informer(watches.primary);
    const running: RunningController = {
      registration: registration as unknown as ControllerRegistration<KubeObject, unknown>,
      primary,
    };
    this.controllers.set(registration.name, running);

    const enqueue = (key: string) => running.queue?.add(key);
    primary.addEventHandler({
      onAdd: (o) => enqueue(objectKey(o)),
      onUpdate: (_old, o) => enqueue(objectKey(o)),
      onDelete: (o) => enqueue(objectKey(o)),
    });
    const secondary: SecondaryWatch[] = [
      ...(watches.owns ?? []).map((resource) => ({
        resource,
        mapToPrimary: ownedBy(watches.primary.kind, watches.primary.group),
      })),
      ...(watches.secondary ?? []),
    ];
    for (const watch of secondary) {
      const informer = this.informer(watch.resource, { labelSelector: watch.labelSelector });
      const enqueueMapped = (o: KubeObject) => {
        for (const key of watch.mapToPrimary(o)) {
          if (watch.delayMs) running.queue?.addAfter(key, watch.delayMs);
          else enqueue(key);
        }
      };
      informer.addEventHandler({
        onAdd: enqueueMapped,
        // Both sides: an object that moved between owners (a label change) must reconcile the old one too.
        onUpdate: (old, o) => {
          enqueueMapped(old);
          enqueueMapped(o);
        },
        onDelete: enqueueMapped,
      });
    }
  }

  /** Runs `runnable` with the manager, on every replica: started in `start()`, stopped in `stop()`. */
  add(runnable: Runnable): void {
    if (this.started) throw new Error(`add ${runnable.name} before the manager starts`);
    this.runnables.push(runnable);
    runnable.observe?.(this.metrics);
  }

  /**
   * Reconciles `key` soon, e.g. when a job finished (level-triggered: only the key, never a payload). With
   * `delayMs`, once that long after the first of a stream of calls.
   */
  enqueue(controller: string, key: string, delayMs?: number): void {
    const running = this.controllers.get(controller);
    if (!running) throw new Error(`no controller named ${controller}`);
    if (delayMs) running.queue?.addAfter(key, delayMs);
    else running.queue?.add(key);
  }

  /** Starts health, informers and (on the leader) controllers; resolves once caches are synced. */
  /**
   * True while the controller has a pass of `key` to come or under way, a retry's backoff included; false also
   * when this replica is not leading. Lets a caller tell "settled" from "a retry is still scheduled".
   */
  pending(controller: string, key: string): boolean {
    const running = this.controllers.get(controller);
    if (!running) throw new Error(`no controller named ${controller}`);
    return running.queue?.pending(key) ?? false;
  }

  async start(options: { cacheSyncTimeoutMs?: number } = {}): Promise<void> {
    if (this.started) return;
    this.started = true;
    if (this.health) this.healthUrl = (await this.health.start()).url;
    for (const informer of this.informers.values()) informer.start();
    await Promise.all(
      [...this.informers.values()].map((i) => i.waitForSync({ timeoutMs: options.cacheSyncTimeoutMs })),
    );
    this.log.info(
      { informers: this.informers.size, controllers: [...this.controllers.keys()] },
      "Caches synced",
    );
    if (this.elector) this.elector.start();
    else await this.startLeading();
    for (const runnable of this.runnables) await runnable.start();
  }

  /** Stops controllers (waiting for passes in flight), releases the lease, then stops informers and health. */
  async stop(): Promise<void> {
    if (!this.started) return;
    if (this.elector) await this.elector.stop();
    else await this.stopLeading();
    for (const runnable of [...this.runnables].reverse()) await runnable.stop();
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
    await this.health?.stop();
    this.started = false;
  }

  isLeader(): boolean {
    return this.leading;
  }

  cachesSynced(): boolean {
    return [...this.informers.values()].every((i) => i.hasSynced());
  }

  /** Where /metrics, /healthz and /readyz are served, once started. */
  get healthEndpoint(): string | undefined {
    return this.healthUrl;
  }

  private unsyncedInformers(): string[] {
    return [...this.informers.values()].filter((i) => !i.hasSynced()).map((i) => i.resource.plural);
  }

  private async startLeading(): Promise<void> {
    // Leadership can arrive while caches still sync after a restart; reconciling from a partial cache would
    // take decisions on missing objects.
    await Promise.all([...this.informers.values()].map((i) => i.waitForSync()));
    this.leading = true;
    this.metrics.leaderStatus.set({ name: this.options.leaderElection?.name ?? "none" }, 1);
    for (const [name, running] of this.controllers) {
      const { registration } = running;
      const runner = new ReconcileRunner({
        controller: name,
        resource: registration.watches.primary,
        reconciler: registration.reconciler,
        cache: running.primary,
        client: this.client,
        events: this.events,
        metrics: this.metrics,
        fieldManager: registration.fieldManager ?? controllerFieldManager(name),
      });
      const queue = new WorkQueue({
        name,
        concurrency: registration.concurrency ?? 1,
        backoff: registration.backoff,
        process: (key) => runner.reconcile(key),
        onDepthChange: (depth) => this.metrics.workQueueDepth.set({ name }, depth),
        onRetry: () => this.metrics.workQueueRetries.inc({ name }),
      });
      running.queue = queue;
      // Level-triggered start: everything that exists is reconciled once, whatever happened while we were away.
      for (const key of running.primary.keys()) queue.add(key);
    }
    if (this.options.resyncIntervalMs) {
      // A timer here rather than informer resync: informers are shared, so a kind first asked for as some
      // controller's secondary watch would otherwise never resync for the controller that owns it.
      this.resyncTimer = setInterval(() => this.resyncAll(), this.options.resyncIntervalMs);
      this.resyncTimer.unref();
    }
    this.log.info({ controllers: [...this.controllers.keys()] }, "Leading: controllers started");
  }

  private resyncAll(): void {
    for (const running of this.controllers.values()) {
      for (const key of running.primary.keys()) running.queue?.add(key);
    }
  }

  private async stopLeading(): Promise<void> {
    if (!this.leading) return;
    this.leading = false;
    clearInterval(this.resyncTimer);
    this.metrics.leaderStatus.set({ name: this.options.leaderElection?.name ?? "none" }, 0);
    const queues = [...this.controllers.values()].map((running) => {
      const queue = running.queue;
      running.queue = undefined;
      return queue?.shutdown();
    });
    await Promise.all(queues);
    this.log.info("Stopped leading: controllers stopped");
  }
}
