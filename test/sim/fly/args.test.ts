import { describe, expect, it } from 'vitest';
import { parseFlyArgs } from '../../../src/sim/fly/args.ts';

describe('parseFlyArgs', () => {
  it.each([
    [['releases', '--app', 'api', '--json'], 'releases', { app: 'api', json: true }],
    [['apps', 'releases', '-a', 'api', '-j', '--image'], 'releases', { app: 'api', json: true, image: true }],
    [['--app=api', 'status', '--json=true'], 'status', { app: 'api', json: true }],
    [['deploy', '--image', 'r:1', '-a', 'api', '-y', '--now', '--strategy', 'immediate', '--wait-timeout', '5m0s'], 'deploy',
      { image: 'r:1', app: 'api', yes: true, now: true, strategy: 'immediate', 'wait-timeout': '5m0s' }],
    [['deploy', '-ir:1', '-aapi', '--detach'], 'deploy', { image: 'r:1', app: 'api', detach: true }],
    [['logs', '-a', 'api', '--no-tail', '-r', 'lhr'], 'logs', { app: 'api', 'no-tail': true, region: 'lhr' }],
    [['machine', 'list', '-a', 'api', '--json'], 'machine-list', { app: 'api', json: true }],
    [['m', 'ls', '-qj', '-a', 'api'], 'machine-list', { app: 'api', json: true, quiet: true }],
    [['releases', '-t', 'tok', '-a', 'api'], 'releases', { 'access-token': 'tok', app: 'api' }],
  ])('parses %j', (argv, command, flags) => {
    expect(parseFlyArgs(argv)).toEqual({ command, flags, args: [] });
  });

  it('finds no command in an empty argv (flyctl prints help)', () => {
    expect(parseFlyArgs([]).command).toBeUndefined();
  });

  it.each([
    [['releases', '--bogus'], 'unknown flag: --bogus'],
    [['releases', '-x'], "unknown shorthand flag: 'x' in -x"],
    [['status', '--image'], 'unknown flag: --image'],
    [['releases', '--app'], 'flag needs an argument: --app'],
    [['frobnicate'], 'unknown command "frobnicate" for "flyctl"'],
    [['releases', 'extra'], 'unknown command "extra" for "flyctl releases"'],
    [['deploy', '--wait-timeout', '5 minutes'], 'invalid argument "5 minutes" for "--wait-timeout" flag: time: invalid duration "5 minutes"'],
    [['releases', '--json=maybe'], 'invalid argument "maybe" for "--json" flag: strconv.ParseBool: parsing "maybe": invalid syntax'],
  ])('rejects %j like cobra', (argv, message) => {
    expect(() => parseFlyArgs(argv)).toThrow(message);
  });
});
