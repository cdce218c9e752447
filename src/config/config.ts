import { z } from 'zod';
import { carrierVariable, configSchema } from './config.schema';
import { NETWORK_KEYS, type Network } from '../lines/domain/networks';
import { parseAdminTokens, type AdminToken } from './admin-tokens';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * The validated configuration: one slice per module, which that module reads and no
 * other (ConfigModule provides each slice on its own, see InjectConfig). `env` and
 * `logLevel` are the process's; the composition root (main.ts, app.ts) sees it all.
 */
export interface AppConfig {
  env: 'development' | 'production' | 'test';
  logLevel: string;
  http: HttpConfig;
  database: DatabaseConfig;
  auth: AuthConfig;
  lines: LinesConfig;
  carriers: CarriersConfig;
  webhooks: WebhooksConfig;
  outbox: OutboxConfig;
  flow: FlowConfig;
  idempotency: IdempotencyConfig;
  consent: ConsentConfig;
  tasks: TasksConfig;
}

/** The consent ledger, its texts and its retention (src/consent). */
export interface ConsentConfig {
  retentionYears: number;
  /** Months between reminder texts to a consenting subscriber; 0: none. */
  reminderMonths: number;
  /** The key of the MDN's keyed hash in the ledger. */
  mdnHashKey: string;
  /** Who a HELP reply names as the contact, in the default wording. */
  helpContact: string;
  /** The opt-in text everyone gets unless the organisation set its own wording. */
  defaultOptInText: string;
  /** How often a clean-up (retention) pass runs. */
  cleanupIntervalSeconds: number;
  /** Ledger exports up to this many entries answer in the request; bigger ones become a task. */
  exportSyncMaxEntries: number;
}

/** The provisioning flow: the opt-in rules and the reconciler that carries out intents. */
export interface FlowConfig {
  optIn: { resendIntervalHours: number; maxSends: number; text: string; undeliveredRetries: number };
  /** A carrier that took a request and stays silent this long leaves the line Not Communicating. */
  answerTimeoutMinutes: number;
  /** How often the reconciler looks for due lines without being woken: a lost wake-up costs this much. */
  reconcileIntervalMs: number;
  /** How long a replica holds the lines it claimed; a replica that dies frees them after it. */
  leaseMs: number;
  /** When a call's outcome was lost or its party was down, how long before it is made again. */
  retryAfterMs: number;
  /** Start a pass as soon as a request records an intent (off: only on the interval). */
  wakeOnIntent: boolean;
}

/** Background tasks (imports, exports): the Task Center. */
export interface TasksConfig {
  /** Tasks and their files are deleted this long after they were asked for. */
  retentionDays: number;
  /** How long a runner holds a task between renewals; a dead runner's task is taken over after it. */
  leaseMs: number;
  /** How often an idle replica looks for queued tasks (a new task on this replica starts at once). */
  pollMs: number;
  /** Exports up to this many users answer in the request; bigger ones become a task. */
  exportSyncMaxRows: number;
  /** How often expired tasks are deleted (JOBS_INTERVAL_SECONDS). */
  cleanupIntervalSeconds: number;
}

export interface IdempotencyConfig {
  /** How often keys older than a day are removed (JOBS_INTERVAL_SECONDS). */
  cleanupIntervalSeconds: number;
}

/** The HTTP edge: app.ts and main.ts, and the input rules every controller applies. */
export interface HttpConfig {
  host: string;
  port: number;
  shutdownTimeoutMs: number;
  /** The OpenAPI page at /docs: on outside production unless turned off. */
  docsEnabled: boolean;
  /** Callbacks, replies and sightings stamped further ahead than this are refused. */
  maxFutureSkewMs: number;
}

export type DatabaseConfig =
  | { kind: 'embedded'; dataDir: string; migrateOnStart: boolean }
  | {
      kind: 'postgres';
      url: string;
      poolMax: number;
      acquireTimeoutMs: number;
      statementTimeoutMs: number;
      migrateOnStart: boolean;
    };

export interface AuthConfig {
  staticTokens: AdminToken[];
  jwt?: { secret: string; issuer?: string; audience?: string; maxLifetimeSeconds: number };
  /** When set, /metrics needs it as a bearer token. */
  metricsToken?: string;
}

export interface LinesConfig {
  /** A line not seen for longer than this shows ORANGE. */
  staleAfterDays: number;
  /** A sighting less than this after the stored one (same UTC day) is not written. */
  sightingPrecisionMs: number;
  /** A registration (or import) records the intent to provision its lines. */
  provisionOnRegister: boolean;
  sweepIntervalSeconds: number;
  sweepBatchSize: number;
  /** How often the lines-per-network gauges are counted again (one scan of an index). */
  metricsIntervalSeconds: number;
  invites: {
    /** A user invited less than this long ago is not invited again (409). */
    cooldownMinutes: number;
    /** Where the capture app is downloaded: the link an invite texts. */
    appLink: string;
    /** How often the invite sender looks for invites to send without being woken. */
    sendIntervalMs: number;
    /** How long a replica holds the invites it claimed before another may send them. */
    leaseMs: number;
    /** How long before a failed send is tried again. */
    retryAfterMs: number;
    /** Send as soon as a request records an invite (off: only on the interval). */
    wakeOnRequest: boolean;
  };
}

export interface CarriersConfig {
  /** Base URL of each network's provisioning API. */
  urls: Partial<Record<Network, string>>;
  smsGatewayUrl?: string;
  numberLookupUrl?: string;
  apiKey?: string;
  /** Start the in-repo carrier simulator and point every client at it. */
  simulator: boolean;
  timeoutMs: number;
  retries: number;
  breaker: { volumeThreshold: number; errorThresholdPercentage: number; resetTimeoutMs: number };
}

export interface WebhooksConfig {
  /**
   * Standard Webhooks secrets (`whsec_...`) per network and for the SMS gateway; any of a
   * source's secrets is accepted, so a key is rotated by adding the new one first.
   */
  secrets: Partial<Record<Network | 'sms', string[]>>;
  /** How long delivery ids are kept to answer replays: beyond any sender's retry schedule. */
  receiptRetentionHours: number;
  /** How often expired delivery ids are removed (JOBS_INTERVAL_SECONDS). */
  cleanupIntervalSeconds: number;
  /** The inbox: deliveries are stored by the request and applied by a worker. */
  inbox: {
    /** How often a worker looks for deliveries another replica stored (its own wake it at once). */
    pollMs: number;
    /**
     * How long after a stored delivery its worker wakes, and how long (at most 100 ms) it
     * waits between batches once caught up: deliveries stored meanwhile share a batch.
     */
    wakeMs: number;
    /** Deliveries claimed at a time, and applied at once (each about another number). */
    batch: number;
    concurrency: number;
    /** How long a claimed delivery is a worker's before another may take it. */
    leaseSeconds: number;
    /** Attempts before a delivery that keeps failing is given up (and logged). */
    maxAttempts: number;
    /** Pending deliveries beyond which intake answers 503 with Retry-After. */
    maxBacklog: number;
    retryAfterSeconds: number;
    /**
     * The longest the worker leaves the machine to intake during a burst (two or more
     * deliveries received at once; 0: never): a burst is taken at intake's speed and
     * applied behind it.
     */
    maxDeferMs: number;
  };
}

export interface OutboxConfig {
  /** Unset: no Kafka; events stay in the outbox and GET /v1/events serves them. */
  kafka?: {
    brokers: string[];
    clientId: string;
    /** The change topic (every event) and the compacted current-state topic (one record per line). */
    topic: string;
    stateTopic: string;
    partitions: number;
    /** retention.ms of the change topic when the service creates it. */
    retentionHours: number;
  };
  encoding: 'protobuf' | 'json';
  batchSize: number;
  pollMs: number;
  retentionHours: number;
  maxAgeSeconds: number;
}

type Raw = z.infer<typeof configSchema>;

/** Reads and validates the environment once; throws a ConfigError naming every bad value. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error));
  const raw = parsed.data;

  const tokens = parseAdminTokens(raw.ADMIN_API_TOKENS);
  const problems = [...tokens.problems];
  if (raw.NODE_ENV === 'production' && tokens.tokens.length === 0 && !raw.JWT_SECRET) {
    problems.push('ADMIN_API_TOKENS or JWT_SECRET: one of them must be set in production');
  }
  const carriers = carriersConfig(raw);
  const webhooks = webhooksConfig(raw);
  if (raw.NODE_ENV === 'production') problems.push(...missingCarrierSettings(carriers, webhooks));
  if (raw.NODE_ENV === 'production' && !raw.CONSENT_MDN_HASH_KEY) {
    problems.push(
      'CONSENT_MDN_HASH_KEY: must be set in production (the consent ledger keeps numbers as keyed hashes)',
    );
  }
  if (carriers.simulator && raw.NODE_ENV === 'production') {
    problems.push('CARRIER_SIMULATOR: the simulator cannot run in production');
  }
  if (problems.length > 0) throw new ConfigError(problems);

  return {
    env: raw.NODE_ENV,
    logLevel: raw.LOG_LEVEL,
    http: {
      host: raw.HOST,
      port: raw.PORT,
      shutdownTimeoutMs: raw.SHUTDOWN_TIMEOUT_MS,
      docsEnabled: raw.DOCS_ENABLED ?? raw.NODE_ENV !== 'production',
      maxFutureSkewMs: raw.MAX_FUTURE_SKEW_MINUTES * 60_000,
    },
    database: databaseConfig(raw),
    auth: {
      staticTokens: tokens.tokens,
      jwt: raw.JWT_SECRET
        ? {
            secret: raw.JWT_SECRET,
            issuer: raw.JWT_ISSUER,
            audience: raw.JWT_AUDIENCE,
            maxLifetimeSeconds: Math.round(raw.JWT_MAX_LIFETIME_HOURS * 3600),
          }
        : undefined,
      metricsToken: raw.METRICS_TOKEN,
    },
    lines: {
      staleAfterDays: raw.STALE_AFTER_DAYS,
      sightingPrecisionMs: raw.SIGHTING_PRECISION_SECONDS * 1000,
      provisionOnRegister: raw.PROVISION_ON_REGISTER,
      sweepIntervalSeconds: raw.SWEEP_INTERVAL_SECONDS,
      sweepBatchSize: raw.SWEEP_BATCH_SIZE,
      metricsIntervalSeconds: raw.LINE_METRICS_INTERVAL_SECONDS,
      invites: {
        cooldownMinutes: raw.INVITE_COOLDOWN_MINUTES,
        appLink: raw.INVITE_APP_LINK,
        // The reconciler's pace and lease: the invite sender is its sibling for texts.
        sendIntervalMs: raw.RECONCILE_INTERVAL_MS,
        leaseMs: raw.RECONCILE_LEASE_SECONDS * 1000,
        retryAfterMs: raw.RECONCILE_RETRY_SECONDS * 1000,
        wakeOnRequest: raw.RECONCILE_ON_INTENT,
      },
    },
    carriers,
    webhooks,
    outbox: outboxConfig(raw),
    flow: {
      optIn: {
        resendIntervalHours: raw.OPT_IN_RESEND_INTERVAL_HOURS,
        maxSends: raw.OPT_IN_MAX_SENDS,
        text: raw.OPT_IN_TEXT,
        undeliveredRetries: raw.OPT_IN_UNDELIVERED_RETRIES,
      },
      answerTimeoutMinutes: raw.CARRIER_ANSWER_TIMEOUT_MINUTES,
      reconcileIntervalMs: raw.RECONCILE_INTERVAL_MS,
      leaseMs: raw.RECONCILE_LEASE_SECONDS * 1000,
      retryAfterMs: raw.RECONCILE_RETRY_SECONDS * 1000,
      wakeOnIntent: raw.RECONCILE_ON_INTENT,
    },
    idempotency: { cleanupIntervalSeconds: raw.JOBS_INTERVAL_SECONDS },
    consent: {
      retentionYears: raw.CONSENT_RETENTION_YEARS,
      reminderMonths: { off: 0, quarterly: 3, semiannual: 6 }[raw.CONSENT_REMINDERS],
      // Outside production a fixed key serves (no real numbers there); production must set one.
      mdnHashKey: raw.CONSENT_MDN_HASH_KEY ?? 'development-only-consent-mdn-hash-key',
      helpContact: raw.CONSENT_HELP_CONTACT,
      defaultOptInText: raw.OPT_IN_TEXT,
      cleanupIntervalSeconds: raw.JOBS_INTERVAL_SECONDS,
      exportSyncMaxEntries: raw.CONSENT_EXPORT_SYNC_MAX_ENTRIES,
    },
    tasks: {
      retentionDays: raw.TASK_RETENTION_DAYS,
      leaseMs: raw.TASK_LEASE_SECONDS * 1000,
      pollMs: raw.TASK_POLL_MS,
      exportSyncMaxRows: raw.EXPORT_SYNC_MAX_ROWS,
      cleanupIntervalSeconds: raw.JOBS_INTERVAL_SECONDS,
    },
  };
}

function databaseConfig(raw: Raw): DatabaseConfig {
  return raw.DATABASE_URL
    ? {
        kind: 'postgres',
        url: raw.DATABASE_URL,
        poolMax: raw.DB_POOL_MAX,
        acquireTimeoutMs: raw.DB_POOL_ACQUIRE_TIMEOUT_MS,
        statementTimeoutMs: raw.DB_STATEMENT_TIMEOUT_MS,
        migrateOnStart: raw.DB_MIGRATE_ON_START ?? false,
      }
    : { kind: 'embedded', dataDir: raw.DATA_DIR, migrateOnStart: raw.DB_MIGRATE_ON_START ?? true };
}

function carriersConfig(raw: Raw): CarriersConfig {
  const urls: Partial<Record<Network, string>> = Object.fromEntries(
    NETWORK_KEYS.map((network) => [network, raw[carrierVariable(network, 'URL')]]),
  );
  const anyConfigured = [...Object.values(urls), raw.SMS_GATEWAY_URL, raw.NUMBER_LOOKUP_URL].some(Boolean);
  // auto: a development or test run with no carrier configured talks to the simulator.
  const simulator =
    raw.CARRIER_SIMULATOR === 'on' ||
    (raw.CARRIER_SIMULATOR === 'auto' && !anyConfigured && raw.NODE_ENV !== 'production');
  return {
    urls,
    smsGatewayUrl: raw.SMS_GATEWAY_URL,
    numberLookupUrl: raw.NUMBER_LOOKUP_URL,
    apiKey: raw.CARRIER_API_KEY,
    simulator,
    timeoutMs: raw.CARRIER_TIMEOUT_MS,
    retries: raw.CARRIER_RETRIES,
    breaker: {
      volumeThreshold: raw.CARRIER_BREAKER_VOLUME,
      errorThresholdPercentage: raw.CARRIER_BREAKER_ERROR_PERCENT,
      resetTimeoutMs: raw.CARRIER_BREAKER_RESET_MS,
    },
  };
}

function webhooksConfig(raw: Raw): WebhooksConfig {
  return {
    secrets: {
      ...Object.fromEntries(
        NETWORK_KEYS.map((network) => [network, raw[carrierVariable(network, 'WEBHOOK_SECRET')]]),
      ),
      sms: raw.SMS_WEBHOOK_SECRET,
    },
    receiptRetentionHours: raw.WEBHOOK_RECEIPT_RETENTION_HOURS,
    cleanupIntervalSeconds: raw.JOBS_INTERVAL_SECONDS,
    inbox: {
      pollMs: raw.WEBHOOK_INBOX_POLL_MS,
      wakeMs: raw.WEBHOOK_INBOX_WAKE_MS,
      batch: raw.WEBHOOK_INBOX_BATCH,
      concurrency: raw.WEBHOOK_INBOX_CONCURRENCY,
      leaseSeconds: raw.WEBHOOK_INBOX_LEASE_SECONDS,
      maxAttempts: raw.WEBHOOK_INBOX_MAX_ATTEMPTS,
      maxBacklog: raw.WEBHOOK_INBOX_MAX_BACKLOG,
      maxDeferMs: raw.WEBHOOK_INBOX_MAX_DEFER_MS,
      retryAfterSeconds: raw.WEBHOOK_INBOX_RETRY_AFTER_SECONDS,
    },
  };
}

function outboxConfig(raw: Raw): OutboxConfig {
  return {
    kafka: raw.KAFKA_BROKERS
      ? {
          brokers: raw.KAFKA_BROKERS.split(','),
          clientId: raw.KAFKA_CLIENT_ID,
          topic: raw.KAFKA_TOPIC,
          stateTopic: raw.KAFKA_STATE_TOPIC,
          partitions: raw.KAFKA_TOPIC_PARTITIONS,
          retentionHours: raw.KAFKA_TOPIC_RETENTION_HOURS,
        }
      : undefined,
    encoding: raw.EVENT_ENCODING,
    batchSize: raw.OUTBOX_BATCH_SIZE,
    pollMs: raw.OUTBOX_POLL_MS,
    retentionHours: raw.OUTBOX_RETENTION_HOURS,
    maxAgeSeconds: raw.OUTBOX_MAX_AGE_SECONDS,
  };
}

function missingCarrierSettings(carriers: CarriersConfig, webhooks: WebhooksConfig): string[] {
  return [
    ...NETWORK_KEYS.filter((network) => !carriers.urls[network]).map(
      (network) =>
        `${carrierVariable(network, 'URL')}: must be set (or run the simulator, CARRIER_SIMULATOR=on)`,
    ),
    ...NETWORK_KEYS.filter((network) => !webhooks.secrets[network]).map(
      (network) =>
        `${carrierVariable(network, 'WEBHOOK_SECRET')}: must be set to verify ${network} callbacks`,
    ),
    ...(carriers.smsGatewayUrl ? [] : ['SMS_GATEWAY_URL: must be set to send opt-in texts']),
    ...(carriers.numberLookupUrl ? [] : ['NUMBER_LOOKUP_URL: must be set to look numbers up']),
    ...(webhooks.secrets.sms ? [] : ['SMS_WEBHOOK_SECRET: must be set to verify subscriber replies']),
  ];
}

export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}
