/**
 * The daemon's runtime settings as production sets them (the Dockerfile's ENV, `npm start`), so
 * the benchmark measures what is deployed. test/packaging/runtime-settings.test.ts keeps the three
 * in agreement. See the Dockerfile for what each setting saves.
 */
export const PRODUCTION_RUNTIME_ENV: Readonly<Record<string, string>> = {
  NODE_OPTIONS: '--max-semi-space-size=2 --max-old-space-size=512',
  MALLOC_ARENA_MAX: '1',
};
