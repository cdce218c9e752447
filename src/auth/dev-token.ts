import { randomBytes } from 'node:crypto';
import type { AppConfig } from '../config/config';
import { DEFAULT_ORGANIZATION } from '../organizations/domain/default-organization';

/**
 * On the embedded default with no credentials configured, make one owner token of the
 * default organisation so a new user can try the API at once. Production refuses to start
 * without credentials (see loadConfig), so this never applies there.
 */
export function withDevelopmentToken(config: AppConfig): { config: AppConfig; token?: string } {
  const unconfigured = config.auth.staticTokens.length === 0 && !config.auth.jwt;
  if (!unconfigured || config.env === 'production' || config.database.kind !== 'embedded') return { config };
  const token = `dev-owner-${randomBytes(24).toString('base64url')}`;
  return {
    config: {
      ...config,
      auth: {
        ...config.auth,
        staticTokens: [{ role: 'owner', token, organization: { id: DEFAULT_ORGANIZATION.id } }],
      },
    },
    token,
  };
}
