import { executeBuild } from './execute-build.js';
import { composeIndex, executeMerge, findPlatformImages } from './execute-merge.js';
import { executePromote, findSource } from './execute-promote.js';
import { core, safeText } from '../runner/index.js';
import { allReferences, type Plan, planRows } from '../plan/index.js';
import { access, otherDestinations } from './access.js';
import { mainDestination } from './destination.js';
import { heldEverywhere, holdsAll, refuseMoves, refuseOtherCommit } from './immutable.js';
import { type PublishResult, emptyResult } from './result.js';
import type { RunDeps } from './run-deps.js';

/** Carries the plan out with the executor of its mode; a dry run only looks. */
export function execute(plan: Plan, deps: RunDeps): Promise<PublishResult> {
  if (plan.dryRun) return dryRun(plan, deps);
  switch (plan.mode) {
    case 'promote':
      return executePromote(plan, deps);
    case 'merge':
      return executeMerge(plan, deps);
    default:
      return executeBuild(plan, deps);
  }
}

/**
 * Prints the plan and asks the registries what it can without changing anything: whether the chosen
 * credential (and each other registry's login) may push, the image a promote or merge would
 * publish, the full versions each registry holds, the versions a prune would delete.
 */
async function dryRun(plan: Plan, deps: RunDeps): Promise<PublishResult> {
  core.info('Dry run: nothing is built, logged in, pushed or written. The plan:');
  for (const [key, entries] of planRows(plan)) core.info(`  ${key}: ${entries.map(safeText).join(`\n  ${' '.repeat(key.length)}  `)}`);
  const result = { ...emptyResult(plan), skipReason: plan.credentials.skipped };
  if (plan.push === 'none' || plan.credentials.skipped !== undefined) return result;
  // The same push check as a real run's, without the login.
  const { credential } = await access(plan, deps, false);
  if (!credential) return result;
  result.tokenSource = credential.source;
  result.credential = `${credential.label} as ${credential.username}`;

  const client = deps.registry(credential);
  const destinations = [mainDestination(plan, client, credential), ...(await otherDestinations(plan, deps))];
  result.references = allReferences(plan);
  result.registries = destinations.map((d) => ({ imageName: d.imageName, state: 'may push', pusher: d.pusher }));
  if (plan.mode === 'promote') result.digest = (await findSource(plan, client)).digest;
  if (plan.mode === 'merge') result.digest = (await composeIndex(plan, client, await findPlatformImages(plan, deps))).digest;
  const held = await heldEverywhere(plan, destinations);
  if (result.digest) {
    refuseMoves(held, result.digest, 'by this run');
    result.alreadyPublished = held.every((h) => holdsAll(plan, h, result.digest));
  }
  if (plan.mode === 'build') for (const h of held) await refuseOtherCommit(plan, h);
  if (plan.prune !== undefined && plan.registryType !== 'generic') {
    const outcome = await deps.prune(plan, credential, result.digest ? [result.digest] : [], true);
    if (outcome.warning) core.warning(outcome.warning);
    result.pruned = outcome.deleted;
    core.info(
      `A prune would delete ${outcome.deleted.length} untagged version(s)${outcome.deleted.length ? `: ${outcome.deleted.join(', ')}` : ''}.`,
    );
  }
  return result;
}
