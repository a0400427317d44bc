import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClusterDeployment } from "../../../src/api/index.js";
import { clusterDeploymentResource } from "../../../src/api/resources.js";
import { LocalControlPlane } from "../../../src/local/control-plane.js";
import { classifyPulumiError } from "../../../src/queue/pulumi-errors.js";
import { endOrphans, markedProcesses } from "../../../src/queue/process-tree.js";
import {
  PulumiRunner,
  type PulumiRunRequest,
  type PulumiRunResult,
} from "../../../src/queue/pulumi-runner.js";
import { StackBusyError } from "../../../src/errors/index.js";
import { StackLeases } from "../../../src/queue/stack-lease.js";
import { getCondition } from "../../../src/runtime/conditions.js";
import { KubeClient } from "../../../src/runtime/kube-client.js";
import { toolsBinDir } from "../../../src/runtime/paths.js";
import { simulatedClusterManifest } from "../../builders/cluster-deployment.js";
import { deleteClustersThenStop, slipwayUnderTest } from "../../harness/components.js";
import { eventually } from "../../harness/eventually.js";
import { hubKubeConfig, kubectlOk, testRedisUrl } from "../../harness/hub.js";
import { startUpOnOtherHost } from "../../harness/other-host.js";
import {
  backendHasPendingCreate,
  createKmsKey,
  startAzureBlob,
  startGcs,
  startS3,
  type BackendName,
  type StateBackend,
} from "../../harness/state-backends.js";

/*
 * The object stores a production hub keeps Pulumi state in, each on its emulator on 127.0.0.1: a worker given only
 * the backend URL and its environment (as docs/operations.md configures one) runs the ClusterDeployment lifecycle
 * through the real PulumiRunner and the real Pulumi CLI. The three backends run at once.
 *
 * Slow: three emulators (2-6 s to start), nine cases of Pulumi runs through the real CLI at once (a lifecycle per
 * backend, a queue-driven one, a local control plane, a lease that must expire, an emulator outage of 10 s): about
 * 65 s alone, up to 130 s beside the rest of the e2e tier.
 */
describe.concurrent("Pulumi state backends on their emulators", () => {
  let root: string;
  let redis: Redis;
  const backends = {} as Record<BackendName, StateBackend>;
  const passphrase = "state-backends-test-passphrase";
  const figures: Record<string, number> = {};
  const spawned: ChildProcess[] = [];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "slipway-backends-"));
    redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
    const started = Date.now();
    const [s3, gcs, azblob] = await Promise.all([
      startS3(),
      startGcs(join(root, "gcs-data")),
      startAzureBlob(join(root, "azurite-data")),
    ]);
    Object.assign(backends, { s3, gcs, azblob });
    figures["emulators started"] = Date.now() - started;
    // The worker's process environment: credentials and emulator addresses, never in a job or an input.
    for (const b of [s3, gcs, azblob]) Object.assign(process.env, b.env);
  });

  afterAll(async () => {
    for (const child of spawned)
      if (child.pid && child.exitCode === null && child.signalCode === null)
        process.kill(-child.pid, "SIGKILL");
    redis?.disconnect();
    await Promise.all(Object.values(backends).map((b) => b.stop()));
    // Whatever a runner of this file left (each worker has its own state folder), then nothing marked is left.
    const workerDirs = (await readdir(root).catch(() => [] as string[]))
      .filter((d) => d.startsWith("worker-"))
      .map((d) => resolve(root, d));
    for (const dir of workerDirs) await endOrphans(dir);
    const left = workerDirs.flatMap((dir) => markedProcesses({ stateDir: dir }));
    await rm(root, { recursive: true, force: true });
    console.log(`state backends: ${JSON.stringify(figures)}`);
    expect(left, "processes of this file's Pulumi runs still running").toEqual([]);
  });

  /** A runner that only reads the backend (lists its stacks). */
  const runnerFor = (backend: StateBackend) => workerRunner(backend, `${backend.name}-reader`);

  /** A worker of this backend: its own state folder (workspaces, PULUMI_HOME), the stack leases in Redis. */
  function workerRunner(backend: StateBackend, name: string = backend.name, ttlMs = 15_000): PulumiRunner {
    const leases = new StackLeases({ redis, prefix: `backends-${Date.now()}-${name}`, ttlMs });
    return new PulumiRunner({
      toolsBinDir,
      stateDir: join(root, `worker-${name}`),
      backendUrl: backend.backendUrl,
      passphrase,
      leases,
    });
  }

  const simulated = (clusterName: string, powerState: "Running" | "Hibernating") => ({
    clusterName,
    powerState,
    platform: {
      provisionSeconds: 1,
      hibernateSeconds: 0.5,
      resumeSeconds: 0.5,
      destroySeconds: 0,
      jitterPercent: 0,
    },
  });

  describe.concurrent("the simulated lifecycle", () => {
    it.for(["s3", "gcs", "azblob"] as const)(
      "%s: create, hibernate, resume and destroy, with the state only in the bucket",
      { timeout: 180_000 },
      async (name) => {
        const backend = backends[name];
        const runner = workerRunner(backend);
        const stackName = `team-a-${name}-1-0a1b2c3d`;
        const run = (operation: PulumiRunRequest["operation"], powerState: "Running" | "Hibernating") =>
          runner.run({
            platform: "simulated",
            stackName,
            operation,
            jobId: `job-${name}`,
            inputs: simulated(`${name}-1`, powerState),
          });
        const started = Date.now();

        const created = await run("up", "Running");
        expect(created.outputs).toMatchObject({ powerState: "Running" });
        expect(created.changes).toEqual({ create: 3 });
        const state = await backend.readObject(`.pulumi/stacks/slipway/${stackName}.json`);
        expect(state, "the stack's state is in the bucket").toContain(String(created.outputs.infraID));
        expect(state).not.toContain(passphrase);

        const hibernated = await run("up", "Hibernating");
        expect(hibernated.outputs).toMatchObject({
          powerState: "Hibernating",
          infraID: created.outputs.infraID,
        });
        expect(hibernated.changes).toEqual({ same: 2, update: 1 });

        const resumed = await run("up", "Running");
        expect(resumed.outputs).toMatchObject({ powerState: "Running", infraID: created.outputs.infraID });

        // Another worker (another state folder, nothing shared but the bucket) sees the stack and destroys it.
        const other = workerRunner(backend, `${name}-other`);
        expect(await other.stackExists(stackName)).toBe(true);
        const destroyed = await other.run({
          platform: "simulated",
          stackName,
          operation: "destroy",
          jobId: `job-${name}-destroy`,
          inputs: simulated(`${name}-1`, "Running"),
        });
        expect(destroyed.changes).toEqual({ delete: 3 });
        expect(await runner.listStacks()).not.toContain(stackName);
        expect(await backend.readObject(`.pulumi/stacks/slipway/${stackName}.json`)).toBeUndefined();
        figures[`${name} lifecycle`] = Date.now() - started;
      },
    );
  });

  it(
    "s3: a ClusterDeployment through the controller, the worker and the queue, its state only in the bucket",
    { timeout: 240_000 },
    async () => {
      const backend = backends.s3;
      // Only the URL and the passphrase are configured; the credentials are the worker's environment.
      const sut = await slipwayUnderTest("backend-s3", {
        SLIPWAY_LEADER_ELECTION: "false",
        SLIPWAY_PULUMI_BACKEND_URL: backend.backendUrl,
        SLIPWAY_PULUMI_PASSPHRASE: passphrase,
      });
      const ns = sut.namespace;
      const kube = new KubeClient(hubKubeConfig());
      const get = () => kube.get<ClusterDeployment>(clusterDeploymentResource, ns, "queued");
      const reached = (powerState: string) =>
        eventually(
          `queued ${powerState}`,
          async () => {
            const cd = await get();
            const ready = getCondition(cd.status?.conditions as never, "Ready")?.status === "True";
            return cd.status?.powerState === powerState && ready ? cd : undefined;
          },
          120_000,
          250,
        );
      const started = Date.now();
      try {
        sut.controller();
        sut.worker();
        await kubectlOk(["apply", "-n", ns, "-f", "-"], {
          input: JSON.stringify(simulatedClusterManifest("queued", { provisionSeconds: 1 })),
        });
        const ready = await reached("Running");
        const stackName = (await runnerFor(backend).listStacks()).find((n) => n.includes("queued"));
        expect(stackName, "the worker's stack is in the bucket").toBeDefined();
        expect(existsSync(join(sut.stateDir, "pulumi", ".pulumi")), "nothing in a file backend").toBe(false);
        for (const powerState of ["Hibernating", "Running"]) {
          await kube.patch(
            clusterDeploymentResource,
            ns,
            "queued",
            { spec: { powerState } },
            { type: "merge" },
          );
          await reached(powerState);
        }
        await kubectlOk(["delete", "clusterdeployment", "queued", "-n", ns, "--timeout=120s"]);
        expect(await runnerFor(backend).listStacks()).not.toContain(stackName);
        expect(ready.status?.stack).toMatchObject({ type: "up", result: "Succeeded" });
        figures["s3 lifecycle through the queue"] = Date.now() - started;
      } finally {
        await deleteClustersThenStop(sut, ns);
      }
    },
  );

  it(
    "gcs: the local platform's lifecycle, a real control plane whose state is in the bucket",
    { timeout: 240_000 },
    async () => {
      const backend = backends.gcs;
      const stackName = "team-a-gcs-local-1-7b8c9d0e";
      const dataDir = join(root, "local-clusters", "gcs-local-1");
      const runner = workerRunner(backend, "gcs-local");
      const run = (operation: PulumiRunRequest["operation"], powerState: "Running" | "Hibernating") =>
        runner.run({
          platform: "local",
          stackName,
          operation,
          jobId: "job-l",
          inputs: { clusterName: "gcs-local-1", dataDir, binDir: toolsBinDir, powerState, platform: {} },
        });
      const started = Date.now();
      try {
        const created = await run("up", "Running");
        expect(created.outputs.apiURL).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
        const state = (await backend.readObject(`.pulumi/stacks/slipway/${stackName}.json`)) ?? "";
        expect(state).toContain(String(created.outputs.infraID));
        expect(state).not.toContain("client-key-data");
        const hibernated = await run("up", "Hibernating");
        expect(hibernated.outputs.powerState).toBe("Hibernating");
        const resumed = await run("up", "Running");
        expect(resumed.outputs).toMatchObject({ powerState: "Running", caData: created.outputs.caData });
        const destroyed = await run("destroy", "Running");
        expect(destroyed.changes).toMatchObject({ delete: 3 });
        expect(await backend.readObject(`.pulumi/stacks/slipway/${stackName}.json`)).toBeUndefined();
        figures["gcs local lifecycle"] = Date.now() - started;
      } finally {
        if (existsSync(dataDir))
          await new LocalControlPlane({ name: "gcs-local-1", dataDir, binDir: toolsBinDir }).destroy();
      }
    },
  );

  /** The lock objects of a stack in the bucket (the runner cannot list them on an object store). */
  const locksIn = (backend: StateBackend, stackName: string) =>
    backend.listKeys(`.pulumi/locks/organization/slipway/${stackName}/`);

  /** Runs like the worker retries a job: again while the failure is transient, each cause kept. */
  async function untilDone(run: () => Promise<PulumiRunResult>, causes: string[], timeoutMs: number) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        return await run();
      } catch (error) {
        const classified = classifyPulumiError(error, { secrets: [passphrase] });
        if (!classified.retry || Date.now() > deadline) throw error;
        causes.push(`${classified.reason}: ${classified.message}`);
        await new Promise((r) => setTimeout(r, 1_000));
      }
    }
  }

  it(
    "s3: a worker SIGKILLed mid-up leaves its lock, cleared only once its lease has expired",
    { timeout: 180_000 },
    async () => {
      const backend = backends.s3;
      const stackName = "team-a-s3-killed-5e6f7a8b";
      const inputs = simulated("s3-killed", "Running");
      const leaseTtlMs = 15_000;
      const prefix = `backends-kill-${Date.now()}`;
      const stateDir = join(root, "worker-s3-killed");
      const elsewhere = join(root, "worker-elsewhere");
      const doomed = await startUpOnOtherHost({
        script: join(root, `${stackName}.mjs`),
        redisUrl: testRedisUrl(),
        leases: { prefix, ttlMs: leaseTtlMs },
        runner: {
          toolsBinDir,
          stateDir: elsewhere,
          passphrase,
          backendUrl: backend.backendUrl,
        },
        stackName,
        inputs: { ...inputs, platform: { ...inputs.platform, provisionSeconds: 120 } },
        pendingCreate: () => backendHasPendingCreate(backend, stackName),
        onSpawn: (child) => spawned.push(child),
      });
      process.kill(-doomed.child.pid!, "SIGKILL");
      await doomed.exited;
      const killedAt = Date.now();
      expect(await locksIn(backend, stackName), "the dead worker's lock stays in the bucket").toHaveLength(1);

      const leases = new StackLeases({ redis, prefix, ttlMs: leaseTtlMs });
      const runner = new PulumiRunner({
        toolsBinDir,
        stateDir,
        backendUrl: backend.backendUrl,
        passphrase,
        leases,
      });
      const run = () =>
        runner.run({ platform: "simulated", stackName, operation: "up", inputs, jobId: "job-b" });
      const busy = await run().catch((e: unknown) => e);
      expect(busy, "its lease still looks live: wait, do not clear").toBeInstanceOf(StackBusyError);
      expect(await locksIn(backend, stackName)).toHaveLength(1);
      // The dead worker's Pulumi run outlives it (its dynamic provider leads a process group of its own), as on a
      // real host until a worker starts there again and ends it: end what it left, and nothing of it is left.
      // Only now: ending them takes up to a grace period, which must not eat into the lease checked above.
      const orphans = await endOrphans(elsewhere);
      expect(orphans.length, "the killed run left processes behind").toBeGreaterThan(0);
      expect(markedProcesses({ stateDir: resolve(elsewhere) })).toEqual([]);

      // The lease expires; the lock cannot be listed, so the first run that holds the stack meets it, yields, and
      // only once the lease stayed vacant for a whole ttl is the lock the dead worker's.
      const causes: string[] = [];
      const cleared = await untilDone(run, causes, leaseTtlMs * 5);
      expect(cleared.clearedStaleLock).toBe(true);
      expect(cleared.outputs.powerState).toBe("Running");
      expect(Date.now() - killedAt).toBeGreaterThanOrEqual(leaseTtlMs * 2);
      expect(causes.some((c) => c.startsWith("StackBusy:"))).toBe(true);
      expect(causes.some((c) => c.startsWith("StackOwnerUnknown:"))).toBe(true);
      expect(causes.join("\n")).not.toContain(passphrase);
      expect(await locksIn(backend, stackName)).toEqual([]);
      await runner.run({ platform: "simulated", stackName, operation: "destroy", inputs, jobId: "job-b" });
      figures["s3 kill to cleared"] = Date.now() - killedAt;
    },
  );

  it(
    "azblob: the emulator restarted mid-up (down 10 s, past the client's own retries) is waited out, any failure transient",
    { timeout: 180_000 },
    async () => {
      // Its own Azurite (the account is in the environment, the address in the URL), so the lifecycle above keeps
      // its backend; data on disk, so the restart keeps the state.
      const backend = await startAzureBlob(join(root, "azurite-restart-data"));
      const stackName = "team-a-az-restart-9a8b7c6d";
      const inputs = simulated("az-restart", "Running");
      // A shorter lease: a lock a failed run could leave is proven stale after one vacant ttl.
      const runner = workerRunner(backend, "azblob-restart", 8_000);
      const slow = { ...inputs, platform: { ...inputs.platform, provisionSeconds: 2 } };
      try {
        const first = runner
          .run({ platform: "simulated", stackName, operation: "up", inputs: slow, jobId: "job-r" })
          .then(
            () => undefined,
            (error: unknown) => error,
          );
        // eventually, not the global expect.poll: that fails in a concurrent case once another case has ended.
        await eventually(
          "the create pending in the bucket",
          () => backendHasPendingCreate(backend, stackName),
          60_000,
        );
        const stoppedAt = Date.now();
        await backend.stop();
        // The create ends while the backend is down: the CLI cannot save it and keeps trying (the Azure client's
        // 3 retries take about 6 s; the CLI waited more than 90 s without giving up when it never came back).
        await new Promise((r) => setTimeout(r, 10_000));
        await backend.start();
        figures["azblob down"] = Date.now() - stoppedAt;
        const failure = await first;
        const causes: string[] = [];
        if (failure) {
          const classified = classifyPulumiError(failure, { secrets: [passphrase] });
          expect(classified, classified.message).toMatchObject({ retry: true });
          causes.push(`${classified.reason}: ${classified.message}`);
        }
        const retried = await untilDone(
          () => runner.run({ platform: "simulated", stackName, operation: "up", inputs, jobId: "job-r" }),
          causes,
          120_000,
        );
        expect(retried.outputs.powerState).toBe("Running");
        const text = causes.join("\n");
        expect(text).not.toContain(passphrase);
        expect(text).not.toContain(backend.env.AZURE_STORAGE_KEY);
        console.log(
          `azblob restart: first run ${failure ? "failed" : "finished once the backend was back"}; causes ${JSON.stringify(causes)}`,
        );
        await runner.run({ platform: "simulated", stackName, operation: "destroy", inputs, jobId: "job-r" });
        expect(await locksIn(backend, stackName)).toEqual([]);
      } finally {
        await backend.stop();
      }
    },
  );

  it(
    "s3 with awskms://: secrets encrypted by moto's KMS, no passphrase anywhere",
    { timeout: 120_000 },
    async () => {
      const backend = backends.s3;
      const secretsProvider = await createKmsKey(backend);
      const stackName = "team-a-kms-1-3c4d5e6f";
      const inputs = simulated("kms-1", "Running");
      const kmsRunner = (name: string) =>
        new PulumiRunner({
          toolsBinDir,
          stateDir: join(root, name),
          backendUrl: backend.backendUrl,
          secretsProvider,
          leases: new StackLeases({ redis, prefix: `backends-${name}`, ttlMs: 15_000 }),
        });
      const canary = `kms-canary-${Date.now()}`;
      const up = await kmsRunner("worker-kms").run({
        platform: "simulated",
        stackName,
        operation: "up",
        inputs,
        jobId: "job-k",
        credentials: { token: canary },
      });
      expect(up.outputs.kubeconfig).toContain("SIMULATED");
      const state = (await backend.readObject(`.pulumi/stacks/slipway/${stackName}.json`)) ?? "";
      const providers = (
        JSON.parse(state) as {
          checkpoint: { latest: { secrets_providers: { type: string; state: { url: string } } } };
        }
      ).checkpoint.latest.secrets_providers;
      expect(providers.type).toBe("cloud");
      expect(providers.state.url).toBe(secretsProvider);
      expect(state.includes(canary), "the credentials are encrypted in the state").toBe(false);
      expect(state.includes(String(up.outputs.kubeconfig)), "so is the kubeconfig").toBe(false);
      // Another worker, with nothing but the bucket and the key, decrypts the state and destroys.
      const destroyed = await kmsRunner("worker-kms-other").run({
        platform: "simulated",
        stackName,
        operation: "destroy",
        inputs,
        jobId: "job-k2",
      });
      expect(destroyed.changes).toEqual({ delete: 3 });
    },
  );

  it("a failure to reach the backend is classified without a secret", async () => {
    const unreachable = new PulumiRunner({
      toolsBinDir,
      stateDir: join(root, "worker-unreachable"),
      backendUrl: "s3://nowhere?endpoint=127.0.0.1:1&disableSSL=true&s3ForcePathStyle=true",
      passphrase,
    });
    const error = await unreachable
      .run({
        platform: "simulated",
        stackName: "team-a-x-1-00000000",
        operation: "up",
        inputs: simulated("x-1", "Running"),
      })
      .catch((e: unknown) => e);
    const classified = classifyPulumiError(error, { secrets: [passphrase] });
    expect(classified, classified.message).toMatchObject({ retry: true });
    // The cause names the backend it could not reach.
    expect(classified.message).toMatch(/request send failed, Get "http:\/\/127\.0\.0\.1:1\/nowhere\//);
    expect(classified.message).not.toContain(backends.s3.env.AWS_SECRET_ACCESS_KEY);
  });
});
