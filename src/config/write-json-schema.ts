/** `npm run schema`: regenerates config/watchdog.schema.json from the zod schema. */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderConfigJsonSchema } from './json-schema.ts';

const target = fileURLToPath(new URL('../../config/watchdog.schema.json', import.meta.url));
writeFileSync(target, renderConfigJsonSchema());
process.stdout.write(`wrote ${target}\n`);
