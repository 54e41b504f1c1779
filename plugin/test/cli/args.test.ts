import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../../src/cli/args.js';
import { UsageError } from '../../src/cli/context.js';

describe('parseCliArgs', () => {
  it('reads a command, its arguments and the global options', () => {
    expect(parseCliArgs(['watch', 'user:3', '--prefix', 'myapp', '--until-done'])).toEqual({
      command: { name: 'watch', scope: ['user', '3'], untilDone: true },
      url: undefined,
      prefix: 'myapp',
    });
    expect(parseCliArgs(['delete', 'user:3', 'imports:12', '--url', 'redis://h:1']).command).toEqual(
      {
        name: 'delete',
        scope: ['user', '3'],
        id: 'imports:12',
      },
    );
    expect(parseCliArgs(['scopes', 'user:', '--limit', '5', '--json']).command).toEqual({
      name: 'scopes',
      prefix: 'user:',
      limit: 5,
      json: true,
    });
  });

  it('gives help with no command, with --help, and for one command', () => {
    expect(parseCliArgs([]).command).toEqual({ name: 'help', topic: null });
    expect(parseCliArgs(['--help']).command).toEqual({ name: 'help', topic: null });
    expect(parseCliArgs(['jobs', '--help']).command).toEqual({ name: 'help', topic: 'jobs' });
    expect(parseCliArgs(['help', 'watch']).command).toEqual({ name: 'help', topic: 'watch' });
  });

  it.each([
    [['nope'], /Unknown command "nope"/],
    [['jobs'], /`jobs` takes 1 argument/],
    [['delete', 'a', 'b', 'c'], /`delete` takes 1 to 2 argument/],
    [['jobs', 'user::3'], /Bad scope "user::3"/],
    [['scopes', '--limit', '0'], /--limit must be a whole number/],
    [['scopes', '--bogus'], /Unknown option '--bogus'/],
    [['scopes', '--prefix', ''], /--prefix must not be empty/],
  ])('rejects %j with a UsageError', (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(UsageError);
    expect(() => parseCliArgs(argv)).toThrow(message);
  });
});
