import postgresSetup from './global-setup';
import { startBroker, STATE_FILE } from '../infra/kafka/broker';

/** Integration tests: the real PostgreSQL, and a real Kafka broker started for this run. */
export default async function globalSetup(): Promise<void> {
  await postgresSetup();
  const broker = await startBroker();
  process.env.KAFKA_TEST_BROKERS = `127.0.0.1:${broker.port}`;
  process.env.KAFKA_TEST_STATE = STATE_FILE;
}
