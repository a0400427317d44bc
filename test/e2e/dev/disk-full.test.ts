import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { LocalControlPlane } from "../../../src/local/control-plane.js";
import { kubectl } from "../../../src/local/kubectl.js";
import { isAlive, type RecordedProcess } from "../../../src/local/processes.js";
import { PULUMI_QUEUE } from "../../../src/queue/job.js";
import { distDir, toolsBinDir } from "../../../src/runtime/paths.js";
import { simulatedClusterManifest } from "../../builders/cluster-deployment.js";
import { eventually } from "../../harness/eventually.js";
import { testRedisUrl } from "../../harness/hub.js";
import { mountSmallDisk, type SmallDisk } from "../../harness/small-disk.js";

const run = promisify(execFile);

/*
 * The state folder of `slipway dev up` on a real file system that fills up: the controller and worker keep
 * running (their log lines are dropped and counted, their Pulumi runs fail with ENOSPC and retry), and once
 * space is freed the waiting change goes through by itself and the next `dev up` brings back a local cluster
 * whose etcd died meanwhile.
 *
 * The dev hub's own etcd lives outside the small disk: etcd stops on a full disk by design, and this test is
 * about Slipway's processes. The queue is the test Redis for the same reason (Redis refuses writes on a full
 * disk, which would hide the worker's ENOSPC). So do the provider plugins the worker installs into its Pulumi home
 * at its start: the Kubernetes one, 300 MB where tools/build.sh built the management set, would not fit the small
 * disk before any run. The rest of the Pulumi home, the runs' state and their workspaces stay on it. The job
 * backoff is shortened (1 s doubling to 2 s; the defaults are 5 s doubling to 5 min), so the retry after the space
 * is freed comes within seconds.
 */
describe("a full state folder under slipway dev up", () => {
  let disk: SmallDisk | undefined;
  let hubDir: string | undefined;
  let env: NodeJS.ProcessEnv = {};
  let local: LocalControlPlane | undefined;

  /** The CLI's exit code and what it printed; stderr is what an assertion on the code shows when it fails. */
  const slipway = async (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
    try {
      const { stdout, stderr } = await run(
        process.execPath,
        [join(distDir, "src", "cli", "main.js"), ...args],
        {
          env,
          timeout: 120_000,
        },
      );
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code?: number; stdout?: string; stderr?: string; signal?: string };
      const stderr = `${e.stderr ?? ""}${e.signal ? ` (ended by ${e.signal})` : ""}`;
      return { code: typeof e.code === "number" ? e.code : 1, stdout: e.stdout ?? "", stderr };
    }
  };

  afterAll(async () => {
    await local?.destroy();
    if (disk) {
      await disk.free();
      await slipway("dev", "down");
      await disk.unmount();
    }
    if (hubDir) await rm(hubDir, { recursive: true, force: true });
  });

  it("keeps the controller and worker running, resumes by itself, and dev up restarts what died", async () => {
    disk = await mountSmallDisk(160);
    const stateDir = join(disk.dir, "state");
    hubDir = await mkdtemp(join(tmpdir(), "slipway-disk-full-hub-"));
    await mkdir(stateDir);
    await symlink(hubDir, join(stateDir, "hub"));
    await mkdir(join(hubDir, "pulumi-plugins"));
    await mkdir(join(stateDir, "pulumi", "home"), { recursive: true });
    await symlink(join(hubDir, "pulumi-plugins"), join(stateDir, "pulumi", "home", "plugins"));
    const prefix = `t-disk-full-${randomBytes(3).toString("hex")}`;
    env = {
      ...process.env,
      SLIPWAY_STATE_DIR: stateDir,
      REDIS_URL: testRedisUrl(),
      SLIPWAY_QUEUE_PREFIX: prefix,
      SLIPWAY_KUBECONFIG: "",
      KUBECONFIG: "",
      SLIPWAY_JOB_BACKOFF_MS: "1000",
      SLIPWAY_JOB_BACKOFF_CAP_MS: "2000",
    };
    const up = await slipway("dev", "up", "--detach");
    expect(up.code, up.stderr).toBe(0);
    const kubeconfig = join(stateDir, "kubeconfig");
    const components = JSON.parse(
      readFileSync(join(stateDir, "components.json"), "utf8"),
    ) as RecordedProcess[];
    const component = (name: string) => components.find((p) => p.name === name)!;

    const apply = (provisionSeconds: number) =>
      kubectl(
        toolsBinDir,
        kubeconfig,
        ["apply", "-n", "default", "-f", "-"],
        JSON.stringify(simulatedClusterManifest("full", { provisionSeconds })),
      );
    const readyGeneration = async () => {
      const r = await kubectl(toolsBinDir, kubeconfig, [
        "get",
        "clusterdeployment",
        "full",
        "-n",
        "default",
        "-o",
        'jsonpath={.metadata.generation} {.status.conditions[?(@.type=="Ready")].status} {.status.observedGeneration}',
      ]);
      const [generation, ready, observed] = r.stdout.split(" ");
      return ready === "True" && generation === observed ? Number(generation) : undefined;
    };
    expect((await apply(1)).code).toBe(0);
    expect(await eventually("the cluster Ready", readyGeneration, 90_000, 500)).toBe(1);

    // A local cluster of this machine, running, its data on the small disk.
    const cluster = new LocalControlPlane({
      name: "crashed",
      dataDir: join(stateDir, "clusters", "crashed"),
      binDir: toolsBinDir,
      controllerManager: false,
    });
    local = cluster;
    await cluster.start({ detached: true });

    const logs = join(stateDir, "logs");
    disk.fill([join(logs, "controller.log"), join(logs, "worker.log")]);
    // A change while the disk is full: the controller logs and queues it, the worker's Pulumi run hits ENOSPC.
    expect((await apply(2)).code).toBe(0);
    const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
    const queue = new Queue(PULUMI_QUEUE, { connection: redis, prefix });
    try {
      const failure = await eventually(
        "a run of generation 2 that failed for the full disk",
        async () => {
          const jobs = await queue.getJobs(["delayed", "wait", "active", "failed"]);
          const job = jobs.find((j) => j.data?.generation === 2 && j.attemptsMade > 0);
          return job?.failedReason;
        },
        60_000,
        500,
      );
      expect(failure).toMatch(/^DiskFull: .*(no space left on device|ENOSPC)/);
      // etcd stops on a full disk by itself, sooner or later; SIGKILL makes it now, so the test does not wait.
      const etcd = (await cluster.status()).processes.find((p) => p.name === "etcd")!;
      if (etcd.alive) process.kill(etcd.pid, "SIGKILL");
      await eventually("the local cluster's etcd gone", async () => !(await cluster.status()).running);

      const during = await slipway("dev", "status");
      expect(during.stdout).toMatch(/controller:running/);
      expect(during.stdout).toMatch(/worker: *running/);

      // Freeing space is all it takes for the worker: the retry goes through.
      await disk.free();
      expect(await eventually("generation 2 Ready", readyGeneration, 90_000, 500)).toBe(2);
    } finally {
      await queue.close();
      redis.disconnect();
    }
    const worker = readFileSync(join(logs, "worker.log"), "utf8");
    expect(worker).toMatch(/"msg":"dropped \d+ log lines while ENOSPC: no space left on device, write"/);
    expect(isAlive(component("controller")) && isAlive(component("worker"))).toBe(true);

    // A process that dies without last words is reported with its last log lines.
    process.kill(component("worker").pid, "SIGKILL");
    const dead = await eventually("the worker reported dead", async () => {
      const s = await slipway("dev", "status");
      return /worker: *exited \(without last words\)/.test(s.stdout) ? s.stdout : undefined;
    });
    expect(dead).toMatch(/last log lines:\n {4}\{/);

    // The next dev up restarts the worker and the local cluster whose etcd died; nothing else is needed.
    const again = await slipway("dev", "up", "--detach");
    expect(again.code, `dev up after the disk was freed: ${again.stderr}`).toBe(0);
    expect(again.stdout).toContain("Restarted the 1 local cluster(s) whose processes had died");
    expect((await cluster.status()).running).toBe(true);
    expect((await slipway("dev", "status")).stdout).toMatch(/worker: *running/);
    const spoke = await kubectl(toolsBinDir, cluster.kubeconfigPath, ["get", "ns", "default", "-o", "name"]);
    expect(spoke.stdout.trim()).toBe("namespace/default");
  }, 240_000);
});
