import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { imageConfig } from '../support/inspect.js';
import { type TestRegistry, startRegistry } from '../support/registry.js';
import { type GitHub, Runner, type StepResult } from '../support/runner.js';

// Commit messages and PR titles reach inputs: nothing in them may become a workflow command.
const TOKEN = 'ghs_injectionTestToken0123456789abcd';
const CREDS = `octo-bot:${TOKEN}`;
const PAYLOAD =
  '\n::error::injected-error\r::add-mask::injected-mask\r\n  ::set-output name=digest::injected-output\n##[error]injected-legacy\n%0A::warning::x';

let registry: TestRegistry;
beforeAll(async () => {
  registry = await startRegistry({ kind: 'htpasswd', users: { 'octo-bot': TOKEN } });
});
afterAll(() => registry.stop());

/** Lines the runner would act on (it trims leading blanks) that the action did not mean as its own commands. */
function injectedCommands(step: StepResult): string[] {
  const own = /^::(add-mask|group|endgroup|notice|warning|error|debug)( [^:]*)?::/;
  return step.stdout
    .split(/\r?\n|\r/)
    .map((l) => l.trimStart())
    .filter((l) => l.startsWith('##[') || (l.startsWith('::') && (!own.test(l) || /^::(error|add-mask|warning)::injected|::x$/.test(l))));
}

function workspace(runner: Runner): void {
  writeFileSync(path.join(runner.workspace, 'Dockerfile'), 'FROM scratch\nARG NOTE\nCOPY hello.txt /hello.txt\n');
  writeFileSync(path.join(runner.workspace, 'hello.txt'), `injection ${Date.now()}\n`);
}

describe('a description with newlines and workflow commands in it', () => {
  const runner = new Runner();
  const github: GitHub = { repository: 'acme/inject', actor: 'octo-bot', token: TOKEN, ref: 'refs/heads/main' };
  const description = `Fix the parser${PAYLOAD}`;
  let main: StepResult;
  let post: StepResult;
  beforeAll(async () => {
    workspace(runner);
    main = await runner.main(github, {
      registry: registry.host,
      tags: 'inj',
      description,
      licenses: `MIT${PAYLOAD}`.slice(0, 200),
      labels: `com.example.note<<EOF\nfirst${PAYLOAD}\nEOF`,
      'build-args': `NOTE<<EOF\narg${PAYLOAD}\nEOF`,
    });
    post = await runner.post(github, {}, main.state);
  });

  it('publishes, and the image carries the description intact', async () => {
    expect(main.exitCode).toBe(0);
    const labels = (await imageConfig(`${registry.host}/acme/inject:inj`, CREDS)).config?.Labels ?? {};
    expect(labels['org.opencontainers.image.description']).toBe(description);
    expect(labels['com.example.note']).toBe(`first${PAYLOAD}`);
  });

  it('prints no line the runner would read as a command, docker’s echoed command lines included', () => {
    expect(injectedCommands(main)).toEqual([]);
    expect(injectedCommands(post)).toEqual([]);
    expect(main.masked).not.toContain('injected-mask');
  });

  it('shows the value escaped on the echoed build command line', () => {
    const echo = main.stdout.split('\n').find((l) => l.startsWith('[command]docker buildx build')) ?? '';
    expect(echo).toContain('Fix the parser\\n::error::injected-error\\r::add-mask::injected-mask');
  });

  it('sets only the outputs the action means to set', () => {
    expect(main.outputs.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});

describe('bad inputs carrying commands', () => {
  it.each([
    ['username', { username: `octo-bot${PAYLOAD}` }],
    ['tags', { tags: `v1${PAYLOAD}` }],
    ['image', { image: `x${PAYLOAD}` }],
    ['target', { target: `t${PAYLOAD}` }],
    ['platforms', { platforms: `linux/amd64${PAYLOAD}` }],
    ['promote', { promote: `x${PAYLOAD}` }],
    ['prune-untagged', { 'prune-untagged': `7d${PAYLOAD}` }],
    ['labels', { labels: `a=b${PAYLOAD}` }],
  ])('%s: the step fails or succeeds, and prints no command of the input’s', async (_input, inputs) => {
    const runner = new Runner();
    workspace(runner);
    const github: GitHub = { repository: 'acme/bad-inject', actor: 'octo-bot', token: TOKEN, ref: 'refs/heads/main' };
    const main = await runner.main(github, { registry: registry.host, tags: 'x', ...inputs });
    expect(injectedCommands(main)).toEqual([]);
    expect(main.outputs.digest ?? '').not.toBe('injected-output');
  });
});
