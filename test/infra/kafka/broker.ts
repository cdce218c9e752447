import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * A real Apache Kafka broker for the integration tests: the kafka_2.13 artifact and its
 * dependencies from Maven Central, run on the installed JVM as one combined KRaft broker
 * and controller with a small heap. Test infrastructure only.
 */
/** The repository root, from test/infra/kafka or its compiled copy under dist/. */
function findRoot(from: string): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'test/infra/kafka/pom.xml'))) return dir;
  }
  throw new Error(`test/infra/kafka/pom.xml not found above ${from}`);
}

const ROOT = findRoot(__dirname);
const POM = join(ROOT, 'test/infra/kafka/pom.xml');
const LIBS = join(ROOT, '.cache/kafka-libs');
export const STATE_FILE = join(tmpdir(), `mdn-kafka-${process.pid}.json`);

export interface BrokerState {
  pid: number;
  port: number;
  dir: string;
  properties: string;
  log: string;
}

/** Downloads the broker's jars once (Maven keeps them in ~/.m2 too). */
export function fetchKafka(): string {
  if (!existsSync(join(LIBS, '.complete'))) {
    rmSync(LIBS, { recursive: true, force: true });
    execFileSync(
      'mvn',
      [
        '-q',
        '-B',
        '-f',
        POM,
        'dependency:copy-dependencies',
        `-DoutputDirectory=${LIBS}`,
        '-DincludeScope=runtime',
      ],
      {
        stdio: 'inherit',
      },
    );
    writeFileSync(join(LIBS, '.complete'), new Date().toISOString());
  }
  return `${LIBS}/*`;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export async function startBroker(): Promise<BrokerState> {
  const classpath = fetchKafka();
  const [port, controllerPort] = [await freePort(), await freePort()];
  const dir = join(tmpdir(), `mdn-kafka-${randomUUID()}`);
  mkdirSync(dir, { recursive: true });
  const properties = join(dir, 'server.properties');
  writeFileSync(
    properties,
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
      `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
      'controller.listener.names=CONTROLLER',
      'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      'inter.broker.listener.name=PLAINTEXT',
      `log.dirs=${join(dir, 'data')}`,
      'num.partitions=3',
      'offsets.topic.replication.factor=1',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'group.initial.rebalance.delay.ms=0',
      'auto.create.topics.enable=false',
    ].join('\n'),
  );
  const clusterId = execFileSync('java', ['-cp', classpath, 'kafka.tools.StorageTool', 'random-uuid'], {
    encoding: 'utf8',
  })
    .trim()
    .split('\n')
    .at(-1)!;
  execFileSync(
    'java',
    ['-cp', classpath, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', properties],
    {
      stdio: 'ignore',
    },
  );
  const state = { pid: 0, port, dir, properties, log: join(dir, 'broker.log') };
  return launch(state);
}

/** Starts (again) the broker process for `state`; its data and port stay the same. */
export async function launch(state: BrokerState): Promise<BrokerState> {
  const classpath = fetchKafka();
  const child = spawn(
    'java',
    ['-Xms128m', '-Xmx384m', '-XX:+UseSerialGC', '-cp', classpath, 'kafka.Kafka', state.properties],
    {
      detached: true,
      stdio: ['ignore', 'ignore', 'ignore'],
    },
  );
  child.unref();
  const started = { ...state, pid: child.pid! };
  writeFileSync(STATE_FILE, JSON.stringify(started));
  await waitForPort(state.port, 90_000);
  return started;
}

export function stopBroker(state: BrokerState): Promise<void> {
  try {
    process.kill(state.pid, 'SIGKILL');
  } catch {
    return Promise.resolve();
  }
  return waitUntil(() => !alive(state.pid), 30_000);
}

export function readState(): BrokerState {
  return JSON.parse(readFileSync(process.env.KAFKA_TEST_STATE ?? STATE_FILE, 'utf8')) as BrokerState;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function waitForPort(port: number, timeoutMs: number): Promise<void> {
  return waitUntil(
    () =>
      new Promise<boolean>((resolve) => {
        const socket = new Socket();
        socket.once('connect', () => {
          socket.destroy();
          resolve(true);
        });
        socket.once('error', () => resolve(false));
        socket.connect(port, '127.0.0.1');
      }),
    timeoutMs,
  );
}

async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the Kafka broker');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
