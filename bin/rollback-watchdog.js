#!/usr/bin/env node
// Runs the TypeScript sources directly: Node 24 strips types, so there is no build step.
import module from 'node:module';
// Stripped and compiled sources are cached ($NODE_COMPILE_CACHE, else the OS temp dir): a warm
// start never loads the type stripper, which otherwise stays resident (about 17 MB of RSS). The
// variable is passed on so the spawn helper's process (src/exec/spawn-helper.ts) shares the cache.
const cache = module.enableCompileCache?.();
if (cache?.directory) process.env.NODE_COMPILE_CACHE ??= cache.directory;
const { main } = await import('../src/cli.ts');
process.exit(await main(process.argv.slice(2)));
