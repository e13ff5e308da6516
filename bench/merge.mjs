// The merge job's own time for two platforms: two platform jobs (push: by-digest) of a workflow
// run, each on a fresh runner, then the merge job, which gathers them and publishes one index.
// Numbers, not assertions.
import { randomUUID } from 'node:crypto';
import { FakeCacheService } from '../__tests__/support/cache-service.ts';
import { WorkflowRun, helloContext } from '../__tests__/support/jobs.ts';
import { startRegistry } from '../__tests__/support/registry.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const TOKEN = 'ghs_benchMergeToken000000001';
const PLATFORMS = ['linux/amd64', 'linux/arm64'];
const registry = await startRegistry({
  kind: 'htpasswd',
  users: { 'octo-bot': TOKEN },
});
const cache = new FakeCacheService();
await cache.start();

try {
  const merges = [];
  const platformJobs = [];
  for (let i = 0; i < RUNS; i++) {
    const run = new WorkflowRun(cache, {
      repository: 'Acme/Widget',
      actor: 'octo-bot',
      token: TOKEN,
      ref: `refs/tags/v1.${i}.0`,
    });
    const jobs = await Promise.all(
      PLATFORMS.map((p) =>
        run.job(
          { registry: registry.host, platforms: p, push: 'by-digest' },
          { workspace: (dir) => helloContext(dir, `${p} ${randomUUID()}\n`) },
        ),
      ),
    );
    for (const j of jobs) if (j.main.exitCode !== 0) throw new Error(`a platform job failed:\n${j.main.stdout}`);
    platformJobs.push(Math.max(...jobs.map((j) => j.main.seconds)));
    const merge = await run.job({
      registry: registry.host,
      merge: PLATFORMS.join(','),
      description: 'bench',
    });
    if (merge.main.exitCode !== 0) throw new Error(`the merge job failed:\n${merge.main.stdout}`);
    merges.push({
      main: merge.main.seconds,
      total: merge.main.seconds + merge.post.seconds,
      docker: merge.main.dockerCalls.length,
    });
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`a merge of ${PLATFORMS.join(' + ')}, ${RUNS} workflow runs, medians:`);
  console.log(
    `  merge job, main step          ${median(merges.map((m) => m.main)).toFixed(3)} s (target <= 1 s; docker commands ${median(merges.map((m) => m.docker))})`,
  );
  console.log(`  merge job, main + post        ${median(merges.map((m) => m.total)).toFixed(3)} s`);
  console.log(`  a platform job's main step    ${median(platformJobs).toFixed(3)} s (the slower of the two)`);
} finally {
  await cache.stop();
  await registry.stop();
}
