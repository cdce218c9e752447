import { Global, Inject, Module, type DynamicModule } from '@nestjs/common';
import type { AppConfig } from './config';

/** The whole configuration: for the composition root and the legacy flow folders only. */
export const APP_CONFIG = Symbol('APP_CONFIG');

/** The slices a module may inject on its own, each read by its one module. */
const SLICES = [
  'http',
  'database',
  'auth',
  'lines',
  'carriers',
  'webhooks',
  'outbox',
  'flow',
  'idempotency',
  'consent',
  'tasks',
] as const;
export type ConfigSlice = (typeof SLICES)[number];

/** The injection token of one slice, for factories (`inject: [configSliceToken('outbox')]`). */
export function configSliceToken(slice: ConfigSlice): string {
  return `APP_CONFIG.${slice}`;
}

/** Injects one slice, e.g. `@InjectConfig('lines') config: LinesConfig`: a module sees its own settings. */
export const InjectConfig = (slice: ConfigSlice) => Inject(configSliceToken(slice));

/** The validated configuration, read once in main.ts and shared read-only. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    const frozen = Object.freeze(config);
    const slices = SLICES.map((slice) => ({ provide: configSliceToken(slice), useValue: frozen[slice] }));
    return {
      module: ConfigModule,
      providers: [{ provide: APP_CONFIG, useValue: frozen }, ...slices],
      exports: [APP_CONFIG, ...slices.map((slice) => slice.provide)],
    };
  }
}
