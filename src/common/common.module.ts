import { Global, Module, type DynamicModule } from '@nestjs/common';
import { Clock } from './clock';
import { ReconcileSignal } from './reconcile-signal';

@Global()
@Module({})
export class CommonModule {
  static forRoot(clock: Clock): DynamicModule {
    return {
      module: CommonModule,
      providers: [{ provide: Clock, useValue: clock }, ReconcileSignal],
      exports: [Clock, ReconcileSignal],
    };
  }
}
