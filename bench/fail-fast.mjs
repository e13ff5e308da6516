// Time from the step's start to a clear failure when no credential may push, for a Dockerfile whose
// build takes 20 s, next to that build's own time. Numbers, not assertions.
import { execFileSync } from 'node:child_process';
import { copyFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FakeGitHub } from '../__tests__/support/github.ts';
import { Runner } from '../__tests__/support/runner.ts';

const READ_ONLY = 'ghs_benchJobWithoutPackagesWrite';
const github = new FakeGitHub(
  { [READ_ONLY]: { login: 'github-actions', kind: 'github-token', repository: 'Acme/Widget', packagesWrite: false } },
  [],
  ['acme'],
);
await github.start();
try {
  const runner = new Runner();
  copyFileSync('/bin/busybox', path.join(runner.workspace, 'busybox'));
  writeFileSync(
    path.join(runner.workspace, 'Dockerfile'),
    `FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "sh", "-c", "sleep 20; echo ${Date.now()} > /built"]\n`,
  );

  const step = await runner.main(
    { repository: 'Acme/Widget', actor: 'octocat', token: READ_ONLY, ref: 'refs/tags/v1.0.0' },
    { registry: github.host, 'registry-type': 'ghcr' },
    { GITHUB_API_URL: github.apiUrl },
  );
  if (step.exitCode === 0) throw new Error('the publish was expected to fail');
  const reason = step.stdout.split('\n').find((l) => l.startsWith('::error::')) ?? '';

  const started = performance.now();
  execFileSync(
    'docker',
    ['buildx', 'build', '--no-cache', '--provenance=false', '--load', '-t', 'ghcr-publish-bench:fail-fast', runner.workspace],
    { stdio: 'ignore' },
  );
  const build = (performance.now() - started) / 1000;

  console.log('a credential that may not push, a Dockerfile whose build takes 20 s:');
  console.log(
    `  time to a clear failure    ${step.seconds.toFixed(3)} s (target <= 1.5 s; docker commands run: ${step.dockerCalls.length})`,
  );
  console.log(`  the build's own time       ${build.toFixed(3)} s`);
  console.log(`  the failure said           ${reason.replace(/%0A/g, ' ').slice(0, 160)}…`);
} finally {
  await github.stop();
}
