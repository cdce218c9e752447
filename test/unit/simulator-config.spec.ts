import { ConfigError } from '../../src/config/config';
import { loadSimulatorConfig } from '../../src/config/simulator-config';

const SECRETS = {
  CARRIER_VERIZON_WEBHOOK_SECRET: 'whsec_verizon',
  CARRIER_ATT_WEBHOOK_SECRET: 'whsec_att',
  CARRIER_TMOBILE_WEBHOOK_SECRET: 'whsec_tmobile',
  SMS_WEBHOOK_SECRET: 'whsec_sms',
};

describe("the carrier simulator's settings", () => {
  it('reads the secrets and fills in the defaults', () => {
    expect(loadSimulatorConfig(SECRETS)).toEqual({
      port: 4010,
      serviceUrl: 'http://127.0.0.1:3000',
      autoReply: undefined,
      callbackRetryMs: undefined,
      callbackDelayMs: undefined,
      secrets: { verizon: 'whsec_verizon', att: 'whsec_att', tmobile: 'whsec_tmobile', sms: 'whsec_sms' },
    });
  });

  it('takes the optional ones, the retry window in seconds', () => {
    const config = loadSimulatorConfig({
      ...SECRETS,
      SIMULATOR_PORT: '0',
      SERVICE_URL: 'http://127.0.0.1:4000',
      SIMULATOR_AUTO_REPLY: 'YES',
      SIMULATOR_CALLBACK_RETRY_SECONDS: '120',
      SIMULATOR_CALLBACK_DELAY_MS: '20',
    });
    expect(config).toMatchObject({
      port: 0,
      serviceUrl: 'http://127.0.0.1:4000',
      autoReply: 'YES',
      callbackRetryMs: 120_000,
      callbackDelayMs: 20,
    });
  });

  it('refuses a missing secret and a mistyped number, naming each', () => {
    const { SMS_WEBHOOK_SECRET: _missing, ...withoutSms } = SECRETS;
    const refused = (() => {
      try {
        loadSimulatorConfig({ ...withoutSms, SIMULATOR_PORT: 'abc', SIMULATOR_CALLBACK_DELAY_MS: '-1' });
      } catch (error) {
        return error;
      }
    })();
    expect(refused).toBeInstanceOf(ConfigError);
    const problems = (refused as ConfigError).problems.join('\n');
    expect(problems).toMatch(/SMS_WEBHOOK_SECRET/);
    expect(problems).toMatch(/SIMULATOR_PORT/);
    expect(problems).toMatch(/SIMULATOR_CALLBACK_DELAY_MS/);
  });
});
