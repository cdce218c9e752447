import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { CarriersModule } from '../carriers/carriers.module';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { OptInModule } from '../opt-in/opt-in.module';
import type { Network } from '../lines/domain/networks';
import { LinesModule } from '../lines/lines.module';
import { RegistrationHooks } from '../lines/registration-hooks';
import { ActivationController } from './activation.controller';
import { HandlePortOut } from './handle-port-out.usecase';
import { StartProvisioning } from './start-provisioning.usecase';

@Module({
  imports: [LinesModule, CarriersModule, OptInModule],
  controllers: [ActivationController],
  providers: [StartProvisioning, HandlePortOut],
  exports: [StartProvisioning, HandlePortOut],
})
export class ActivationModule implements OnModuleInit {
  constructor(
    private readonly hooks: RegistrationHooks,
    private readonly startProvisioning: StartProvisioning,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    if (!this.config.optIn.provisionOnRegister) return;
    this.hooks.register(async (user) => {
      await this.startProvisioning.execute(user.id, user.lines[0]?.network as Network | undefined);
    });
  }
}
