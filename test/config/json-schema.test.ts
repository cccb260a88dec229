import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderConfigJsonSchema } from '../../src/config/json-schema.ts';
import { loadConfig } from '../../src/config/load.ts';

describe('config/watchdog.schema.json', () => {
  it('matches the zod schema (run `npm run schema` after changing src/config/schema.ts)', () => {
    const committed = readFileSync(new URL('../../config/watchdog.schema.json', import.meta.url), 'utf8');
    expect(committed).toBe(renderConfigJsonSchema());
  });
});

describe('config/watchdog.example.yaml', () => {
  it('is valid once its environment variables are set', async () => {
    const env = {
      FLY_API_TOKEN: 'fo1_example_token_value',
      WATCHDOG_OPERATOR_TOKEN: 'operator-token-0123456789',
      WATCHDOG_VIEWER_TOKEN: 'viewer-token-0123456789',
      SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T0/B0/secret',
      PAGERDUTY_ROUTING_KEY: 'routing-key-0123456789',
      EXPO_TOKEN: 'expo-token-0123456789',
    };
    const { config } = await loadConfig(new URL('../../config/watchdog.example.yaml', import.meta.url).pathname, env);
    expect(config.targets.map((t) => t.name)).toEqual(['renderflow-api', 'renderflow-worker', 'renderflow-api-staging']);
  });
});
