import { core } from '../runner/index.js';
import type { Credential, Plan } from '../plan/index.js';
import type { PublishResult } from './result.js';
import type { RunDeps } from './run-deps.js';

/** After a publish: the link to the repository, then the prune; neither fails the publish. Both concern GitHub's registry only. */
export async function finish(plan: Plan, deps: RunDeps, credential: Credential, result: PublishResult): Promise<PublishResult> {
  Object.assign(result, { tokenSource: credential.source, credential: `${credential.label} as ${credential.username}` });
  if (plan.registryType === 'generic') return result;
  const link = await core.group('Check the link to the repository', () => deps.packageLink(credential));
  if (link.notice) core.notice(link.notice);
  if (link.warning) core.warning(link.warning);
  Object.assign(result, { packageUrl: link.packageUrl, link: link.lines });
  if (plan.prune !== undefined) {
    const outcome = await core.group('Prune untagged versions', () => deps.prune(plan, credential, [result.digest], false));
    if (outcome.warning) core.warning(outcome.warning);
    result.pruned = outcome.deleted;
  }
  return result;
}
