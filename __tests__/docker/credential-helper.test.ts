import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { writeCredentialHelper } from '../../src/docker/credential-helper.js';
import { tempDir } from '../../__fixtures__/temp-dir.js';

/** The JSON the docker CLI hands a helper's `store` (Go's encoding of its Credentials). */
const LOGIN = '{"ServerURL":"127.0.0.1:5000","Username":"octo-\\"bot\\"","Secret":"ghs_secret0123"}';

// The same script under the system's sh and busybox's: it must need nothing beyond POSIX sh and sed -E.
describe.each(['sh', 'busybox sh'])('the run’s credential helper under %s', (shell) => {
  /** A fresh private directory and its helper, for one test: no test sees what another stored. */
  const fresh = () => {
    // A directory with a space and a quote, so the paths embedded in the script must be quoted right.
    const configDir = path.join(tempDir("it's temp-"), 'ghcr-publish-config-abc123');
    mkdirSync(configDir);
    const helper = writeCredentialHelper(configDir, '127.0.0.1:5000');
    const call = (verb: string, input = '') => {
      const [cmd, ...pre] = shell.split(' ');
      const res = spawnSync(cmd, [...pre, path.join(helper.dir, `docker-credential-${helper.name}`), verb], { input, encoding: 'utf8' });
      return { status: res.status, out: res.stdout.trim(), err: res.stderr.trim() };
    };
    return { configDir, helper, call };
  };

  it('is named for the private directory, and holds nothing before a login', () => {
    const { helper, call } = fresh();
    expect(helper.name).toBe('ghcr-publish-config-abc123');
    expect(call('get', '127.0.0.1:5000')).toEqual({ status: 1, out: 'credentials not found in native keychain', err: '' });
    expect(call('list')).toMatchObject({ status: 0, out: '{}' });
  });

  it('stores the login in one 0600 file inside the private directory and serves it for our registry only', () => {
    const { configDir, helper, call } = fresh();
    expect(call('store', LOGIN).status).toBe(0);
    expect(readFileSync(helper.file, 'utf8')).toBe(LOGIN);
    expect(path.dirname(helper.file)).toBe(configDir);
    expect(statSync(helper.file).mode & 0o777).toBe(0o600);
    expect(call('get', '127.0.0.1:5000')).toMatchObject({ status: 0, out: LOGIN });
    expect(call('get', 'https://127.0.0.1:5000/v2/')).toMatchObject({ status: 0, out: LOGIN });
    expect(call('get', 'other.example')).toMatchObject({ status: 1, out: 'credentials not found in native keychain' });
    expect(call('get', '127.0.0.1:50001')).toMatchObject({ status: 1 });
    expect(JSON.parse(call('list').out)).toEqual({ '127.0.0.1:5000': 'octo-"bot"' });
  });

  it('erases only for our registry, and says how it is used when called wrong', () => {
    const { helper, call } = fresh();
    call('store', LOGIN);
    expect(call('erase', 'other.example').status).toBe(0);
    expect(existsSync(helper.file)).toBe(true);
    expect(call('erase', '127.0.0.1:5000').status).toBe(0);
    expect(existsSync(helper.file)).toBe(false);
    expect(call('fetch')).toMatchObject({ status: 1, err: expect.stringContaining('usage:') });
  });
});
