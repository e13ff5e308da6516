// Cold and warm wall times of a publish whose Dockerfile has a 20-second RUN, with the engine's own
// build cache emptied before each, so that only the Actions cache can make the warm run fast.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FakeCacheService } from '../__tests__/support/cache-service.ts';
import { startRegistry } from '../__tests__/support/registry.ts';
import { Runner } from '../__tests__/support/runner.ts';

const TOKEN = 'ghs_benchCacheToken';
const registry = await startRegistry({ kind: 'htpasswd', users: { bench: TOKEN } });
const service = new FakeCacheService();
await service.start();
try {
  const runner = new Runner();
  copyFileSync('/bin/busybox', path.join(runner.workspace, 'busybox'));
  writeFileSync(
    path.join(runner.workspace, 'Dockerfile'),
    `FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "sh", "-c", "/bin/busybox sleep 20; echo ${randomUUID()} > /slow"]\n`,
  );
  const publish = async () => {
    execFileSync('docker', ['buildx', 'prune', '--all', '--force'], { stdio: 'ignore' });
    const step = await runner.main(
      { repository: 'Acme/Widget', actor: 'bench', token: TOKEN, ref: 'refs/heads/main' },
      { registry: registry.host, image: 'bench-cache', tags: 'v1' },
      service.env,
    );
    if (step.exitCode !== 0) throw new Error(`publish failed:\n${step.stdout}`);
    return step.seconds;
  };
  const cold = await publish();
  const warm = await publish();
  console.log('publish with a 20 s RUN, engine build cache emptied before each run:');
  console.log(`  cold (no Actions cache)    ${cold.toFixed(3)} s`);
  console.log(`  warm (Actions cache hit)   ${warm.toFixed(3)} s`);
  console.log(`  cold / warm                ${(cold / warm).toFixed(1)}x (target >= 5x)`);
} finally {
  await service.stop();
  await registry.stop();
}
