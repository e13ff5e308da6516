import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import * as toolkit from '@actions/core';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { core as ours } from '../../src/runner/index.js';
import { tempDir } from '../../__fixtures__/temp-dir.js';

// The action writes the runner's commands itself (src/runner/workflow-commands.ts, job-summary.ts);
// @actions/core is the reference: the same calls must give the runner the same text.
type Core = typeof ours;
const implementations: [string, Core][] = [
  ['ours', ours],
  ['@actions/core', toolkit as unknown as Core],
];

const scratch = tempDir('workflow-commands-');
const FILES = ['OUTPUT', 'STATE', 'ENV', 'PATH', 'STEP_SUMMARY'] as const;
const savedEnv = { ...process.env };
const write = process.stdout.write.bind(process.stdout);
let out: string;

beforeEach(() => {
  out = '';
  process.stdout.write = (chunk: string | Uint8Array) => {
    out += chunk.toString();
    return true;
  };
  for (const f of FILES) {
    const file = path.join(scratch, f);
    writeFileSync(file, '');
    process.env[`GITHUB_${f}`] = file;
  }
});
afterEach(() => {
  process.stdout.write = write;
  process.env = { ...savedEnv };
  process.exitCode = undefined;
});

/** What `calls` printed and wrote to the runner's files, with each delimiter's random part named. */
async function effects(core: Core, calls: (core: Core) => Promise<unknown>) {
  const files: Record<string, string> = {};
  for (const f of FILES) writeFileSync(path.join(scratch, f), '');
  out = '';
  let thrown: unknown;
  await calls(core).catch((e: unknown) => (thrown = e instanceof Error ? `${e.name}: ${e.message}` : e));
  for (const f of FILES) files[f] = readFileSync(path.join(scratch, f), 'utf8').replace(/ghadelimiter_[0-9a-f-]{36}/g, 'ghadelimiter_X');
  const result = { out, files, thrown, exitCode: process.exitCode, path: process.env.PATH, env: process.env.SOME_VAR };
  process.exitCode = undefined;
  process.env.PATH = savedEnv.PATH;
  return result;
}

const same = async (calls: (core: Core) => Promise<unknown>) => {
  const [[, mine], [, reference]] = implementations;
  const a = await effects(mine, calls);
  const b = await effects(reference, calls);
  expect(a).toEqual(b);
  return a;
};

const AWKWARD = 'a%b\r\nc:d,e\n::warning::f';

describe('the workflow commands, as @actions/core writes them', () => {
  it('log lines and annotations, with data and properties escaped', async () => {
    const r = await same(async (core) => {
      core.info(AWKWARD);
      core.debug(AWKWARD);
      core.notice(AWKWARD);
      core.warning(new Error(AWKWARD));
      core.error(AWKWARD, { title: AWKWARD, file: 'src/a.ts', startLine: 3 });
      core.error('no title', { title: '' });
      core.setSecret(`s3cr%t\n`);
    });
    expect(r.out).toContain('::error title=a%25b%0D%0Ac%3Ad%2Ce%0A%3A%3Awarning%3A%3Af,file=src/a.ts,line=3::');
  });

  it('a failure: an error annotation and exit code 1', async () => {
    expect((await same(async (core) => core.setFailed(AWKWARD))).exitCode).toBe(1);
  });

  it('a group around what the function prints, closed when it throws', async () => {
    const r = await same(async (core) => {
      await core.group('one', () => Promise.resolve(core.info('inside')));
      await core.group('two', () => Promise.reject(new Error('boom')));
    });
    expect(r.thrown).toBe('Error: boom');
    expect(r.out.match(/::endgroup::/g)).toHaveLength(2);
  });

  it('outputs, state and variables as name<<delimiter blocks, and PATH in front', async () => {
    const r = await same(async (core) => {
      core.setOutput('digest', AWKWARD);
      core.setOutput('count', 3);
      core.saveState('configDir', '/tmp/x');
      core.exportVariable('SOME_VAR', AWKWARD);
      core.addPath('/opt/helper');
    });
    expect(r.files.OUTPUT).toContain(`digest<<ghadelimiter_X\n${AWKWARD}\nghadelimiter_X\n`);
    expect(r.env).toBe(AWKWARD);
    expect(r.path?.startsWith(`/opt/helper${path.delimiter}`)).toBe(true);
  });

  it('the older stdout commands where the runner named no file', async () => {
    const r = await same(async (core) => {
      for (const f of FILES) delete process.env[`GITHUB_${f}`];
      core.setOutput('digest', 'sha256:1');
      core.saveState('configDir', '/tmp/x');
      core.exportVariable('SOME_VAR', 'v');
      core.addPath('/opt/helper');
    });
    expect(r.out).toContain('::set-output name=digest::sha256:1');
  });

  // @actions/core's file-command.js makes the same check; its delimiter comes from node:crypto, which a test cannot fix.
  it('a value holding the delimiter is refused', async () => {
    const real = crypto.randomUUID.bind(crypto);
    const fixed = '00000000-0000-4000-8000-000000000000';
    crypto.randomUUID = () => fixed;
    try {
      const r = await effects(ours, async (core) => core.setOutput('x', `a\nghadelimiter_${fixed}\nb`));
      expect(r.thrown).toMatch(/should not contain the delimiter/);
      expect(r.files.OUTPUT).toBe('');
    } finally {
      crypto.randomUUID = real;
    }
  });

  it.each([
    ['  padded  ', 'text'],
    ['', 'text'],
    ['True', 'boolean'],
    ['FALSE', 'boolean'],
    ['yes', 'boolean'],
  ])('reads the input %j as %s', async (raw, kind) => {
    process.env['INPUT_MY_INPUT'] = raw;
    const r = await same(async (core) => core.info(String(kind === 'text' ? core.getInput('my input') : core.getBooleanInput('my input'))));
    expect(r.thrown ?? r.out).toBeTruthy();
  });

  it('state the main step saved, as the post step reads it', async () => {
    process.env['STATE_configDir'] = '/tmp/x';
    const r = await same(async (core) => core.info(`${core.getState('configDir')}|${core.getState('none')}`));
    expect(r.out).toBe('/tmp/x|\n');
  });
});

describe('the job summary, as @actions/core writes it', () => {
  it('headings, tables, details, lists, code and links, appended; then overwritten', async () => {
    const r = await same(async (core) => {
      await core.summary
        .addHeading('Published', 3)
        .addHeading('Odd level', 9)
        .addRaw('<p>raw</p>', true)
        .addTable([
          [
            { data: 'reference', header: true },
            { data: 'pushed', header: true, colspan: '2' },
          ],
          ['<code>a</code>', ''],
        ])
        .addDetails('The plan', '<table></table>')
        .addList(['one', 'two'], true)
        .addCodeBlock('x = 1', 'ts')
        .addLink('package', 'https://example.test/p')
        .write();
      await core.summary.addRaw('second').write();
      await core.summary.addRaw('only this').write({ overwrite: true });
    });
    expect(r.files.STEP_SUMMARY).toBe('only this');
  });

  it('what was built, as text', async () => {
    const r = await same(async (core) => {
      core.info(
        core.summary
          .addHeading('h', 2)
          .addTable([['a', 'b']])
          .stringify(),
      );
      core.summary.emptyBuffer();
    });
    expect(r.out).toBe('<h2>h</h2>\n<table><tr><td>a</td><td>b</td></tr></table>\n\n');
  });
});
