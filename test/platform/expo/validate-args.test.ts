import { describe, expect, it } from 'vitest';
import {
  assertBinary, assertBranchName, assertGroupId, assertListLimit, assertProjectDir, assertUpdateMessage,
} from '../../../src/platform/expo/validate-args.ts';

const invalid = expect.objectContaining({ code: 'WD_ERR_PLATFORM_ARGUMENT_INVALID' });

describe('eas argument guards', () => {
  it.each(['production', 'release/1.2', 'preview_2', 'a'])('accepts branch %j', (branch) => {
    expect(() => assertBranchName('branch', branch)).not.toThrow();
  });

  it.each(['--all', '-p', 'pro duction', '', 'a\nb', 'a\u0000b', 'x'.repeat(256)])('rejects branch %j', (branch) => {
    expect(() => assertBranchName('branch', branch)).toThrow(invalid);
  });

  it.each(['3c5f1a9e-8d2b-4f6a-9c1e-7b4d2a6f8e01', 'abc123', 'g_1'])('accepts group %j', (group) => {
    expect(() => assertGroupId(group)).not.toThrow();
  });

  it.each(['--branch', '-g', 'a b', '', 'a/b', 'a;b', 'x'.repeat(129)])('rejects group %j', (group) => {
    expect(() => assertGroupId(group)).toThrow(invalid);
  });

  it.each(['Roll back to 1.0.3', 'Say "hi" (again) – ok', 'x'.repeat(1024)])('accepts message %j', (message) => {
    expect(() => assertUpdateMessage(message)).not.toThrow();
  });

  it.each(['--json', '-m', '', '   ', 'two\nlines', 'tab\there', 'x'.repeat(1025)])('rejects message %j', (message) => {
    expect(() => assertUpdateMessage(message)).toThrow(invalid);
  });

  it.each([0, 51, 1.5, Number.NaN])('rejects limit %s', (limit) => {
    expect(() => assertListLimit(limit)).toThrow(invalid);
  });

  it('accepts limits 1 and 50', () => {
    expect(() => assertListLimit(1)).not.toThrow();
    expect(() => assertListLimit(50)).not.toThrow();
  });

  it.each(['apps/mobile', '', './x'])('rejects relative projectDir %j', (dir) => {
    expect(() => assertProjectDir(dir)).toThrow(invalid);
  });

  it.each(['-i', '--version', ''])('rejects binary %j', (binary) => {
    expect(() => assertBinary(binary)).toThrow(invalid);
  });

  it('names the argument in the message', () => {
    expect(() => assertBranchName('destinationBranch', '--all')).toThrow(/^Invalid destinationBranch "--all"/);
  });
});
