import { describe, expect, it } from 'vitest';
import { easFailureCause, explainEasFailure } from '../../../src/platform/expo/eas-failure.ts';
import { CliError } from '../../../src/infra/errors.ts';

const cliError = (stderr: string, code: CliError['code'] = 'WD_ERR_PLATFORM_COMMAND_FAILED') => new CliError({
  code,
  message: 'eas update:republish exited 1: Error: update:republish command failed.',
  cmd: 'eas update:republish',
  exitCode: code === 'WD_ERR_PLATFORM_COMMAND_FAILED' ? 1 : undefined,
  stderr,
  output: stderr,
  timedOut: code === 'WD_ERR_PLATFORM_TIMEOUT',
});

describe('easFailureCause', () => {
  it.each([
    ['the line before the generic one', 'Could not find any updates with group ID: "x"\n    Error: update:republish command failed.', 'Could not find any updates with group ID: "x"'],
    ['a GraphQL failure', 'Unauthorized\n    Error: GraphQL request failed.\n', 'Unauthorized'],
    ['the last line of a multi-line cause', 'An Expo user account is required to proceed.\nEither log in\n    Error: update:list command failed.', 'Either log in'],
    ['nothing when there is no generic line', 'Error: something specific', undefined],
    ['nothing when the generic line is alone', '    Error: update:list command failed.', undefined],
  ])('finds %s', (_label, stderr, expected) => {
    expect(easFailureCause(stderr)).toBe(expected);
  });
});

describe('explainEasFailure', () => {
  it('puts the cause in the message and keeps the code and fields', () => {
    const original = cliError('Could not find any updates with group ID: "x"\n    Error: update:republish command failed.');
    const explained = explainEasFailure(original) as CliError;
    expect(explained).toBeInstanceOf(CliError);
    expect(explained).toMatchObject({ code: original.code, exitCode: 1, cmd: original.cmd, stderr: original.stderr });
    expect(explained.message).toBe('eas update:republish exited 1: Could not find any updates with group ID: "x"');
  });

  it.each([
    ['a timeout', cliError('x\n    Error: update:list command failed.', 'WD_ERR_PLATFORM_TIMEOUT')],
    ['an error without a generic line', cliError('env: cannot change directory')],
    ['another error', new Error('boom')],
  ])('leaves %s as it is', (_label, err) => {
    expect(explainEasFailure(err)).toBe(err);
  });
});
