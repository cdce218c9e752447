import 'reflect-metadata';
import { createApp, shutdown } from './app';
import { withDevelopmentToken } from './auth/dev-token';
import { ConfigError, loadConfig, type AppConfig } from './config/config';
import { DataDirLockedError } from './database/data-dir-lock';

async function main(): Promise<void> {
  const { config, token } = withDevelopmentToken(readConfigOrExit());
  const app = await createApp(config);
  const stop = () => {
    // If draining hangs, leave anyway rather than block a rolling update.
    setTimeout(() => process.exit(1), config.http.shutdownTimeoutMs).unref();
    shutdown(app).then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`Shutdown failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  await app.listen({ port: config.http.port, host: config.http.host });
  if (token) {
    // Printed once, to the terminal only: it is not written to the log stream.
    process.stdout.write(
      `\nNo API token is configured: this run's owner token is\n\n  ${token}\n\n` +
        `Try: curl -H 'Authorization: Bearer ${token}' http://localhost:${config.http.port}/v1/users\n\n`,
    );
  }
}

function readConfigOrExit(): AppConfig {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

main().catch((error: unknown) => {
  // Someone else's database is a fact to report, not a fault with a stack to read.
  if (error instanceof DataDirLockedError) {
    process.stderr.write(`Start-up refused: ${error.message}\n`);
    process.exit(1);
  }
  process.stderr.write(
    `Start-up failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
