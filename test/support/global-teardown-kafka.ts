import { rmSync } from 'node:fs';
import { readState, stopBroker } from '../infra/kafka/broker';

export default async function globalTeardown(): Promise<void> {
  const state = readState();
  await stopBroker(state);
  rmSync(state.dir, { recursive: true, force: true });
}
