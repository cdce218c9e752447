import { Injectable, Logger } from '@nestjs/common';
import type { UserWithLines } from './persistence/users.repository';

export type RegistrationHook = (user: UserWithLines) => Promise<void>;

/**
 * What other modules do once a user is registered (start provisioning). Registered here
 * by them, so this module does not import them. A failing hook does not undo the
 * registration: the user is kept and the jobs retry the work.
 */
@Injectable()
export class RegistrationHooks {
  private readonly logger = new Logger(RegistrationHooks.name);
  private readonly hooks: RegistrationHook[] = [];

  register(hook: RegistrationHook): void {
    this.hooks.push(hook);
  }

  async run(user: UserWithLines): Promise<void> {
    for (const hook of this.hooks) {
      try {
        await hook(user);
      } catch (error) {
        this.logger.error({ err: error, userId: user.id }, 'After-registration step failed');
      }
    }
  }
}
