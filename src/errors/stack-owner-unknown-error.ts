import { StackBusyError } from "./stack-busy-error.js";

/**
 * The stack is locked and nobody holds its lease. Redis may have lost the lease of a run that is still alive (a
 * flush, a restart without persistence, a failover), so the lock is not proven stale until the lease has stayed
 * vacant for a whole ttl: a live owner re-asserts it well within that time. Wait, never clear the lock.
 */
export class StackOwnerUnknownError extends StackBusyError {
  override name = "StackOwnerUnknownError";

  constructor(stackName: string, vacantForMs: number, ttlMs: number) {
    super(stackName, "nobody", Math.max(0, ttlMs - vacantForMs));
    this.message =
      `stack ${stackName} is locked and its lease has been vacant for ${vacantForMs} ms: its owner may still be ` +
      `running (Redis may have lost its lease); the lock counts as stale only once the lease stays vacant for ${ttlMs} ms`;
  }
}
