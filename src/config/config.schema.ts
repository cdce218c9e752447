import { z } from 'zod';
import { NETWORK_KEYS, type Network } from '../lines/domain/networks';

export const integer = (min: number, max: number) =>
  z.coerce
    .number({ message: 'must be a whole number' })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);
export const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();
const optionalUrl = optionalText.pipe(
  z.url({ message: 'must be an http(s) URL', protocol: /^https?$/ }).optional(),
);
/** One or more secrets, comma-separated, so a sender can rotate its key without dual-signing. */
const webhookSecrets = optionalText.pipe(
  z
    .string()
    .regex(
      /^whsec_[A-Za-z0-9+/]{24,}={0,2}(,\s*whsec_[A-Za-z0-9+/]{24,}={0,2})*$/,
      'must be whsec_ followed by at least 18 bytes of base64 (several: comma-separated)',
    )
    .transform((value) => value.split(',').map((secret) => secret.trim()))
    .optional(),
);
const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((value) => ['true', '1', 'yes'].includes(value));

/** A per-network variable's name: CARRIER_VERIZON_URL, CARRIER_ATT_WEBHOOK_SECRET, ... */
export type CarrierVariable<Suffix extends string> = `CARRIER_${Uppercase<Network>}_${Suffix}`;

export function carrierVariable<Suffix extends string>(
  network: Network,
  suffix: Suffix,
): CarrierVariable<Suffix> {
  return `CARRIER_${network.toUpperCase()}_${suffix}` as CarrierVariable<Suffix>;
}

/** One variable per network in NETWORK_KEYS: a new network gets its variables from the list. */
function perNetwork<Suffix extends string, Schema extends z.ZodType>(
  suffix: Suffix,
  schema: Schema,
): Record<CarrierVariable<Suffix>, Schema> {
  return Object.fromEntries(
    NETWORK_KEYS.map((network) => [carrierVariable(network, suffix), schema]),
  ) as Record<CarrierVariable<Suffix>, Schema>;
}

/**
 * Every environment variable the service reads, with its default. `.env.example`
 * mirrors this list; a unit test keeps the two in step.
 */
export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: integer(0, 65535).default(3000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SHUTDOWN_TIMEOUT_MS: integer(1000, 120_000).default(10_000),

  DATABASE_URL: optionalText.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
      .optional(),
  ),
  DATA_DIR: z.string().min(1).default('./.data'),
  DB_POOL_MAX: integer(1, 500).default(10),
  DB_POOL_ACQUIRE_TIMEOUT_MS: integer(100, 120_000).default(5_000),
  DB_STATEMENT_TIMEOUT_MS: integer(100, 600_000).default(30_000),
  DB_MIGRATE_ON_START: flag.optional(),

  ADMIN_API_TOKENS: optionalText,
  JWT_SECRET: optionalText.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
  JWT_ISSUER: optionalText,
  JWT_AUDIENCE: optionalText,
  JWT_MAX_LIFETIME_HOURS: z.coerce
    .number({ message: 'must be a number' })
    .positive('must be above 0')
    .max(24 * 30, 'must be at most 720')
    .default(24),
  METRICS_TOKEN: optionalText.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  DOCS_ENABLED: flag.optional(),
  MAX_FUTURE_SKEW_MINUTES: integer(0, 1440).default(5),

  STALE_AFTER_DAYS: integer(1, 3650).default(30),
  SIGHTING_PRECISION_SECONDS: integer(0, 3_600).default(60),
  INVITE_COOLDOWN_MINUTES: integer(0, 10_080).default(10),
  INVITE_APP_LINK: z
    .url({ message: 'must be an http(s) URL', protocol: /^https?$/ })
    .default('https://example.com/capture-app'),

  ...perNetwork('URL', optionalUrl),
  SMS_GATEWAY_URL: optionalUrl,
  NUMBER_LOOKUP_URL: optionalUrl,
  CARRIER_API_KEY: optionalText,
  ...perNetwork('WEBHOOK_SECRET', webhookSecrets),
  SMS_WEBHOOK_SECRET: webhookSecrets,
  WEBHOOK_RECEIPT_RETENTION_HOURS: integer(1, 24 * 365).default(168),
  WEBHOOK_INBOX_POLL_MS: integer(50, 60_000).default(1_000),
  WEBHOOK_INBOX_WAKE_MS: integer(0, 10_000).default(20),
  WEBHOOK_INBOX_BATCH: integer(1, 5_000).default(500),
  WEBHOOK_INBOX_CONCURRENCY: integer(1, 64).default(8),
  WEBHOOK_INBOX_LEASE_SECONDS: integer(1, 3_600).default(15),
  WEBHOOK_INBOX_MAX_ATTEMPTS: integer(1, 1_000).default(20),
  WEBHOOK_INBOX_MAX_BACKLOG: integer(1, 100_000_000).default(200_000),
  // At most a minute: well under the 2-minute MdnWebhookInboxBacklogOld page.
  WEBHOOK_INBOX_MAX_DEFER_MS: integer(0, 60_000).default(10_000),
  WEBHOOK_INBOX_RETRY_AFTER_SECONDS: integer(1, 3_600).default(5),
  CARRIER_SIMULATOR: z.enum(['auto', 'on', 'off'], { message: 'must be auto, on or off' }).default('auto'),
  CARRIER_TIMEOUT_MS: integer(100, 60_000).default(5_000),
  CARRIER_RETRIES: integer(0, 10).default(3),
  CARRIER_BREAKER_VOLUME: integer(1, 1000).default(5),
  CARRIER_BREAKER_ERROR_PERCENT: integer(1, 100).default(50),
  CARRIER_BREAKER_RESET_MS: integer(100, 600_000).default(30_000),
  CARRIER_ANSWER_TIMEOUT_MINUTES: integer(1, 10_080).default(60),
  PROVISION_ON_REGISTER: flag.default(true),
  OPT_IN_RESEND_INTERVAL_HOURS: z.coerce
    .number({ message: 'must be a number' })
    .positive('must be above 0')
    .default(24),
  OPT_IN_MAX_SENDS: integer(1, 50).default(5),
  OPT_IN_TEXT: z
    .string()
    .min(10)
    .default('Reply YES to allow your employer to capture messages on this line. Reply STOP to opt out.'),
  JOBS_INTERVAL_SECONDS: integer(1, 3600).default(60),
  CONSENT_RETENTION_YEARS: integer(4, 100).default(5),
  CONSENT_REMINDERS: z.enum(['off', 'quarterly', 'semiannual']).default('off'),
  CONSENT_MDN_HASH_KEY: optionalText.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
  CONSENT_HELP_CONTACT: z.string().min(3).max(200).default('your IT administrator'),
  CONSENT_EXPORT_SYNC_MAX_ENTRIES: integer(0, 1_000_000).default(10_000),
  OPT_IN_UNDELIVERED_RETRIES: integer(0, 20).default(3),
  RECONCILE_INTERVAL_MS: integer(100, 3_600_000).default(5_000),
  RECONCILE_LEASE_SECONDS: integer(5, 3600).default(60),
  RECONCILE_RETRY_SECONDS: integer(1, 86_400).default(30),
  RECONCILE_ON_INTENT: flag.default(true),

  KAFKA_BROKERS: optionalText.pipe(
    z
      .string()
      .regex(/^[\w.-]+:\d+(,[\w.-]+:\d+)*$/, 'must be host:port pairs separated by commas')
      .optional(),
  ),
  KAFKA_CLIENT_ID: z.string().min(1).default('mdn-provisioning'),
  KAFKA_TOPIC: z
    .string()
    .regex(/^[\w.-]{1,249}$/, 'must be a valid Kafka topic name')
    .default('mdn.provisioning.status.v1'),
  KAFKA_TOPIC_PARTITIONS: integer(1, 1000).default(6),
  KAFKA_STATE_TOPIC: z
    .string()
    .regex(/^[\w.-]{1,249}$/, 'must be a valid Kafka topic name')
    .default('mdn.provisioning.lines.v1'),
  KAFKA_TOPIC_RETENTION_HOURS: integer(1, 24 * 365 * 10).default(168),
  EVENT_ENCODING: z.enum(['protobuf', 'json'], { message: 'must be protobuf or json' }).default('protobuf'),
  OUTBOX_BATCH_SIZE: integer(1, 10_000).default(500),
  OUTBOX_POLL_MS: integer(10, 60_000).default(200),
  OUTBOX_RETENTION_HOURS: integer(1, 24 * 365).default(72),
  OUTBOX_MAX_AGE_SECONDS: integer(1, 86_400).default(60),
  SWEEP_INTERVAL_SECONDS: integer(1, 86_400).default(300),
  // Lines a sweep transaction turns ORANGE. Small batches sweep faster: bench:sweep, 200,000
  // lines all due, took 16 s in batches of 2,000 and 28 s in batches of 20,000 (the events'
  // arrays grow past what the database parses cheaply in one statement).
  SWEEP_BATCH_SIZE: integer(100, 1_000_000).default(2_000),
  LINE_METRICS_INTERVAL_SECONDS: integer(5, 86_400).default(60),
  TASK_RETENTION_DAYS: integer(1, 3650).default(30),
  TASK_LEASE_SECONDS: integer(2, 3600).default(30),
  TASK_POLL_MS: integer(50, 60_000).default(1000),
  EXPORT_SYNC_MAX_ROWS: integer(0, 1_000_000).default(10_000),
});

export type RawConfig = z.infer<typeof configSchema>;
