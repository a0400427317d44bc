import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  endOrphans,
  markedProcesses,
  ownerAlive,
  processIdentity,
  RUN_OWNER_ENV,
  RUN_STATE_DIR_ENV,
} from "../../../src/queue/process-tree.js";
import { temporaryFolders } from "../../harness/temporary-folders.js";

/*
 * Real processes standing in for a Pulumi run's plugins: what carries a dead owner's marker for a state folder is
 * ended, and nothing else is touched, least of all what was detached on purpose (a local cluster's etcd).
 */
describe("orphans of a dead worker", () => {
  const tempFolder = temporaryFolders("slipway-orphans-");
  let stateDir: string;
  let deadOwner: string;
  const started: ChildProcess[] = [];

  beforeAll(async () => {
    stateDir = tempFolder();
    // A worker that was killed: its identity is that of a process that no longer runs.
    const worker = spawn("sleep", ["60"]);
    deadOwner = processIdentity(worker.pid)!;
    worker.kill("SIGKILL");
    await once(worker, "exit");
  });

  afterEach(() => {
    for (const child of started.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
  });

  /** A process of a run of `owner` in `dir`; `shell` replaces the plain `sleep`. */
  function runProcess(owner: string, dir: string, opts: { detached?: boolean; shell?: string } = {}) {
    const env = { ...process.env, [RUN_OWNER_ENV]: owner, [RUN_STATE_DIR_ENV]: dir };
    const child = opts.shell
      ? spawn("sh", ["-c", opts.shell], { env, detached: opts.detached })
      : spawn("sleep", ["60"], { env, detached: opts.detached });
    started.push(child);
    return child;
  }

  const running = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

  /** Pids whose parent is `pid`. */
  function childrenOf(pid: number): number[] {
    return readdirSync("/proc")
      .filter((d) => /^\d+$/.test(d))
      .filter((d) => {
        try {
          const stat = readFileSync(`/proc/${d}/stat`, "utf8");
          return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid;
        } catch {
          return false;
        }
      })
      .map(Number);
  }

  it("tells a live owner from a dead one, even when the dead one's pid is taken again", () => {
    expect(ownerAlive(processIdentity()!)).toBe(true);
    expect(ownerAlive(deadOwner)).toBe(false);
    const [host, pidNamespace, , startTime] = processIdentity()!.split("/");
    // Our pid with another start time: a process that held this pid before us.
    expect(ownerAlive(`${host}/${pidNamespace}/${process.pid}/${Number(startTime) - 1}`)).toBe(false);
    // Another pid namespace: its owner cannot be seen from here, so it is never taken for dead.
    expect(ownerAlive(`${host}/1/${process.pid + 100_000}/1`)).toBe(true);
  });

  it("ends what a dead owner left in this state folder and nothing else", async () => {
    const orphan = runProcess(deadOwner, stateDir);
    const live = runProcess(processIdentity()!, stateDir);
    const otherFolder = runProcess(deadOwner, join(stateDir, "elsewhere"));
    const detached = runProcess(deadOwner, stateDir, { detached: true });
    await expect.poll(() => markedProcesses({ stateDir }).map((p) => p.pid)).toContain(orphan.pid);

    const ended = await endOrphans(stateDir, 2_000);

    expect(ended.map((p) => p.pid)).toEqual([orphan.pid]);
    expect(ended[0]).toMatchObject({ owner: deadOwner, stateDir, command: "sleep 60" });
    await expect.poll(() => running(orphan)).toBe(false);
    expect(orphan.signalCode).toBe("SIGTERM");
    expect([live, otherFolder, detached].map(running)).toEqual([true, true, true]);
  });

  it("leaves the processes a detached process started, as a local cluster's own", async () => {
    const detachedShell = runProcess(deadOwner, stateDir, { detached: true, shell: "sleep 60 & wait" });
    await expect.poll(() => childrenOf(detachedShell.pid!)).toHaveLength(1);
    const [sleeper] = childrenOf(detachedShell.pid!);
    expect(markedProcesses({ stateDir }).map((p) => p.pid)).not.toContain(sleeper);
    expect(await endOrphans(stateDir, 2_000)).toEqual([]);
    expect(running(detachedShell)).toBe(true);
    expect(childrenOf(detachedShell.pid!)).toEqual([sleeper]);
  });

  it("kills an orphan that ignores SIGTERM once the grace period is over", async () => {
    const stubborn = runProcess(deadOwner, stateDir, { shell: `trap "" TERM; exec sleep 60` });
    // Once the shell has become sleep its trap is set (an ignored signal stays ignored across exec); before that a
    // SIGTERM would still end it, and the test would race the shell instead of testing the grace period.
    await expect
      .poll(() => markedProcesses({ stateDir }).find((p) => p.pid === stubborn.pid)?.command)
      .toMatch(/sleep/);

    await endOrphans(stateDir, 300);

    await expect.poll(() => stubborn.signalCode).toBe("SIGKILL");
  });
});
