import type { DatabaseLogger } from '../database';

/* Command-line tools print plain lines for a person at a terminal. */
const log: DatabaseLogger = {
  info: (message) => process.stdout.write(`${message}\n`),
  warn: (message) => process.stderr.write(`${message}\n`),
  error: (message, error) =>
    process.stderr.write(`${message}${error instanceof Error ? `: ${error.message}` : ''}\n`),
};

export function runCli(main: (logger: DatabaseLogger) => Promise<void>): void {
  main(log).catch((error: unknown) => {
    log.error('Failed', error);
    process.exit(1);
  });
}
