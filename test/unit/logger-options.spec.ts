import { Writable } from 'node:stream';
import { pinoHttp } from 'pino-http';
import { loggerOptions } from '../../src/logging/logger-options';
import { runInTrace } from '../../src/tracing/current-trace';
import { continueTrace } from '../../src/tracing/trace-context';

/** The root logger as nestjs-pino builds it, writing to an array. */
function capturedLogger() {
  const lines: Record<string, any>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  const { logger } = pinoHttp(loggerOptions({ env: 'test', logLevel: 'info' }), stream);
  return { logger, lines };
}

describe('the root logger', () => {
  it('masks MDNs in fields, messages and errors', () => {
    const { logger, lines } = capturedLogger();
    const error = new Error('Key (mdn)=(+12015550123) already exists');
    logger.error({ mdn: '+12015550123', err: error }, 'Registering %s failed', '+12015550124');
    const text = JSON.stringify(lines);
    expect(text).not.toMatch(/2015550123|2015550124/);
    expect(lines[0]).toMatchObject({
      mdn: '+1201***0123',
      msg: 'Registering +1201***0124 failed',
      err: { type: 'Error', message: 'Key (mdn)=(+1201***0123) already exists' },
    });
    expect(lines[0].err.stack).toContain('+1201***0123');
  });

  it('redacts secrets', () => {
    const { logger, lines } = capturedLogger();
    logger.info({ carrier: { token: 't0k3n', secret: 's3cr3t' } }, 'calling');
    expect(lines[0].carrier).toEqual({ token: '[redacted]', secret: '[redacted]' });
  });

  it('carries the current trace on every line, and none outside one', () => {
    const { logger, lines } = capturedLogger();
    const trace = continueTrace('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
    runInTrace(trace, () => logger.warn({ lineId: 'l-1' }, 'deferred'));
    logger.info('outside');
    expect(lines[0]).toMatchObject({ traceId: trace.traceId, spanId: trace.spanId, lineId: 'l-1' });
    expect(lines[1].traceId).toBeUndefined();
  });
});
