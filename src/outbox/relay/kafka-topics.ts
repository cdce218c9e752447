import { ConfigResourceTypes, type Admin, type ITopicConfig } from 'kafkajs';
import type { OutboxConfig } from '../../config/config';

type KafkaConfig = NonNullable<OutboxConfig['kafka']>;

/** A topic the service publishes to, with the settings it creates it with and expects. */
export interface TopicSpec {
  name: string;
  partitions: number;
  configs: Record<string, string>;
}

/**
 * The change topic keeps every event for a while (delete policy, KAFKA_TOPIC_RETENTION_HOURS);
 * the state topic keeps the last record of each line for ever (compact policy). Both are
 * keyed so one user's records share a partition. docs/asyncapi.yaml documents them.
 */
export function topicSpecs(config: KafkaConfig): TopicSpec[] {
  return [
    {
      name: config.topic,
      partitions: config.partitions,
      configs: { 'cleanup.policy': 'delete', 'retention.ms': String(config.retentionHours * 3_600_000) },
    },
    { name: config.stateTopic, partitions: config.partitions, configs: { 'cleanup.policy': 'compact' } },
  ];
}

/**
 * Creates the missing topics with their settings (when the service's Kafka user may) and
 * returns how the existing ones differ from them: the caller warns, it does not refuse
 * (production topics are usually made by ops, who may have reasons).
 */
export async function ensureTopics(admin: Admin, specs: TopicSpec[]): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((spec) => !existing.has(spec.name));
  const problems: string[] = [];
  if (missing.length > 0) {
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((spec): ITopicConfig => ({
          topic: spec.name,
          numPartitions: spec.partitions,
          replicationFactor: -1,
          configEntries: Object.entries(spec.configs).map(([name, value]) => ({ name, value })),
        })),
      });
    } catch (error) {
      problems.push(
        `could not create ${missing.map((spec) => spec.name).join(', ')}: ${(error as Error).message}`,
      );
    }
  }
  const present = specs.filter((spec) => existing.has(spec.name));
  if (present.length === 0) return problems;
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: present.map((spec) => ({
      type: ConfigResourceTypes.TOPIC,
      name: spec.name,
      configNames: Object.keys(spec.configs),
    })),
  });
  const metadata = await admin.fetchTopicMetadata({ topics: present.map((spec) => spec.name) });
  for (const spec of present) {
    const entries =
      described.resources.find((resource) => resource.resourceName === spec.name)?.configEntries ?? [];
    for (const [name, wanted] of Object.entries(spec.configs)) {
      const actual = entries.find((entry) => entry.configName === name)?.configValue;
      if (actual !== wanted)
        problems.push(`topic ${spec.name} has ${name}=${actual ?? 'unset'}, expected ${wanted}`);
    }
    const partitions = metadata.topics.find((topic) => topic.name === spec.name)?.partitions.length;
    if (partitions !== spec.partitions) {
      problems.push(`topic ${spec.name} has ${partitions ?? 0} partitions, expected ${spec.partitions}`);
    }
  }
  return problems;
}
