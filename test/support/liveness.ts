import { setTimeout as sleep } from 'node:timers/promises';

export interface Watched<T> {
  result: T;
  /** The slowest `/health/live` answer while `action` ran. */
  slowestMs: number;
  probes: number;
}

/**
 * Runs `action` while asking `/health/live` every `everyMs`. The app runs in the test's
 * process, so the prober waits on the same event loop: an answer is timed from when the
 * question was due, as an outside poller would see it, not from when it could be sent.
 */
export async function watchingLiveness<T>(
  baseUrl: string,
  action: () => Promise<T>,
  everyMs = 20,
): Promise<Watched<T>> {
  let done = false;
  let slowestMs = 0;
  let probes = 0;
  const probe = async () => {
    let due = performance.now();
    while (!done) {
      const response = await fetch(`${baseUrl}/health/live`);
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`/health/live answered ${response.status}`);
      slowestMs = Math.max(slowestMs, performance.now() - due);
      probes += 1;
      due = performance.now() + everyMs;
      await sleep(everyMs);
    }
  };
  const probing = probe();
  let result: T;
  try {
    result = await action();
  } finally {
    done = true;
    await probing;
  }
  return { result, slowestMs, probes };
}

/**
 * The slowest `/health/live` over an idle stretch of `ms`: what the machine alone costs
 * (CI runs test files side by side on two cores), to set a hostile upload's probes beside.
 */
export async function idleLiveness(baseUrl: string, ms = 500): Promise<number> {
  return (await watchingLiveness(baseUrl, () => sleep(ms))).slowestMs;
}
