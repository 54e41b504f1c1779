import type { ChildProcess } from 'node:child_process';

/** How long a child gets to exit after SIGTERM before it is killed. */
const STOP_TIMEOUT_MS = 8000;

type Stopper = () => Promise<void>;

/**
 * The processes and services `npm start` owns, stopped in reverse order of start. A child
 * started with `detached: true` leads a process group of its own: the terminal's Ctrl-C does
 * not reach it, and stopping it signals the whole group, so the grandchildren (`next start`
 * runs its server in one) go too.
 */
export class ChildGroup {
  readonly #stoppers: Stopper[] = [];

  /** Tracks a child process; returns its stopper, for `remove` once it exited by itself. */
  add(child: ChildProcess): Stopper {
    return this.addStopper(() => stopProcess(child));
  }

  addStopper(stop: Stopper): Stopper {
    this.#stoppers.push(stop);
    return stop;
  }

  remove(stop: Stopper): void {
    const index = this.#stoppers.indexOf(stop);
    if (index !== -1) this.#stoppers.splice(index, 1);
  }

  /** Stops everything, last started first; keeps going when one fails. */
  async stopAll(): Promise<void> {
    while (this.#stoppers.length > 0) {
      const stop = this.#stoppers.pop() as Stopper;
      await stop().catch((error: Error) => console.error(`While stopping: ${error.message}`));
    }
  }
}

/** SIGTERM to the child (its group, when detached), SIGKILL after a grace period; resolves once it exited. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const pid = child.pid;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const signal = (name: NodeJS.Signals) => {
    try {
      // A negative pid signals the group; a child that is not a group leader gets it alone.
      process.kill(isGroupLeader(pid) ? -pid : pid, name);
    } catch {
      // Already gone.
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
  // The leader may exit before its group: make sure nothing of it lingers.
  if (isGroupLeader(pid)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // The group is empty.
    }
  }
}

function isGroupLeader(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}
