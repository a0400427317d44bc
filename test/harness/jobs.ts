import { eventually } from "./eventually.js";

/** What a queue says of one job: JobQueue.lookup's view, whatever the job's data and result types. */
interface Lookup<V extends { state: string }> {
  lookup(id: string): Promise<V>;
}

/**
 * Waits until the job is in one of `states` and returns the queue's view of it, with the harness's default
 * timeout: how long a worker takes to pick a job up and run it depends on the machine's load, so tests wait for the
 * state itself, not for a fixed second (vitest's expect.poll gives up after 1 s).
 */
export function jobIn<V extends { state: string }>(
  queue: Lookup<V>,
  id: string,
  states: readonly string[],
): Promise<V> {
  return eventually(`job ${id} ${states.join(" or ")}`, async () => {
    const job = await queue.lookup(id);
    return states.includes(job.state) ? job : undefined;
  });
}

/** Waits until the job has ended, completed or failed, so the test asserts on which and with what. */
export const jobEnded = <V extends { state: string }>(queue: Lookup<V>, id: string): Promise<V> =>
  jobIn(queue, id, ["completed", "failed"]);
