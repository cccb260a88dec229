import { z } from 'zod';
import { Config } from './schema.ts';

/**
 * JSON Schema of the config file as users write it (input side: duration strings, not milliseconds),
 * for editor completion through `# yaml-language-server: $schema=./watchdog.schema.json`.
 */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(Config, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return {
    ...schema,
    $id: 'https://github.com/rollback-watchdog/rollback-watchdog/config/watchdog.schema.json',
    title: 'rollback-watchdog configuration',
  };
}

export function renderConfigJsonSchema(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}
