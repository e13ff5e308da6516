import { core, info, ActionError, type GitHubContext, type SecretFiles } from '../runner/index.js';
import type { BuildCache, Docker } from '../docker/index.js';
import { type Credential, chooseCredential, type Plan, referenceOf } from '../plan/index.js';
import type { Handoff, PackageLink } from '../github/index.js';
import { revisionOf, inParallel, type Manifest, type RegistryClient } from '../registry/index.js';
import type { PublishResult } from './result.js';
import type { BuildSecret } from '../settings/index.js';

/** The world as the executors need it; main.ts passes the real one, tests their own. */
export interface RunDeps {
  ctx: GitHubContext;
  docker: Docker;
  /** The run's registry port: one client per credential, so each registry token is asked for once. */
  registry: (credential: Credential | undefined) => RegistryClient;
  cache: BuildCache;
  handoff: Handoff;
  packageLink: (credential: Credential) => Promise<PackageLink>;
  prune: (plan: Plan, credential: Credential, keep: string[], dryRun: boolean) => Promise<PruneOutcome>;
  writeSecrets: (secrets: BuildSecret[]) => SecretFiles;
  /** A directory private to this run under RUNNER_TEMP, for the build's OCI layout. */
  makeBuildDir: () => string;
  /** What the post step must undo, told as soon as it exists. */
  state: { loggedIn(): void; builder(name: string): void; secretsDir(dir: string): void; buildDir(dir: string): void };
  /** RUNNER_TEMP: the same path in every run, so the build cache's version matches. */
  tempDir: string;
}

export interface PruneOutcome {
  deleted: string[];
  warning?: string;
}

export interface Access {
  /** The credential that pushes (or, without a push, logs in for the build). */
  credential?: Credential;
  skipReason?: string;
}

/** Proves a credential may push (unless nothing is pushed), and logs it in when the run needs the engine's login. */
export async function access(plan: Plan, deps: RunDeps, login: boolean): Promise<Access> {
  const { order, skipped } = plan.credentials;
  let credential: Credential | undefined = order[0];
  if (skipped !== undefined) {
    core.notice(
      `${skipped} ${plan.mode === 'build' ? 'The image is built only.' : `Nothing is ${plan.mode === 'merge' ? 'merged' : 'promoted'}.`}`,
    );
  } else if (plan.push !== 'none') {
    const check = async (c: Credential) => {
      await deps.registry(c).checkPush(plan.path);
      info(`${c.label} (as ${c.username}) may push to ${plan.imageName}.`);
    };
    const choice = await core.group('Check that a credential may push', () =>
      chooseCredential(plan.settings, deps.ctx, check, core.warning, plan.credentials),
    );
    credential = choice.credential;
  }
  if (login) await logIn(plan, deps, credential);
  return { credential, skipReason: skipped };
}

/** `docker login` into the run's private configuration, the secret on stdin. */
export async function logIn(plan: Plan, deps: RunDeps, credential: Credential | undefined): Promise<void> {
  if (!credential) return;
  const { username, secret } = credential;
  await deps.docker.login(plan.registry, username, secret);
  deps.state.loggedIn();
  info(`Logged in to ${plan.registry} as ${username}, in this run's private DOCKER_CONFIG, which the post step deletes.`);
}

/** What the registry holds under the plan's full version tags now. */
export async function heldVersions(plan: Plan, client: RegistryClient): Promise<Map<string, Manifest>> {
  const held = await Promise.all(plan.immutable.map((tag) => client.findManifest(plan.path, tag)));
  return new Map(plan.immutable.flatMap((tag, i) => (held[i] ? [[tag, held[i]] as const] : [])));
}

/** Fails when a full version tag holds another digest than `digest`; true when every one already holds it. */
export function refuseMoves(plan: Plan, held: Map<string, Manifest>, digest: string, when: string): boolean {
  const moved = [...held].filter(([, m]) => m.digest !== digest);
  if (moved.length > 0) {
    throw new ActionError(
      `${moved.map(([tag, m]) => `${referenceOf(plan.registry, plan.path, tag)} already holds ${m.digest}`).join('; ')}, and this run would publish ${digest} ${when}. immutable-tags keeps a published full version from moving.`,
      'Publish a new version (a new tag), or set immutable-tags: false if moving it is really meant.',
      'immutable-tags',
    );
  }
  return held.size > 0 && plan.immutable.every((tag) => held.has(tag));
}

/**
 * Sets every tag on a manifest the registry already holds (one PUT each, a few at a time). A full
 * version tag is read again right before it is set, so a publish racing this one cannot be overwritten.
 */
export async function setTags(plan: Plan, client: RegistryClient, manifest: Manifest, tags: string[]): Promise<void> {
  const landed: string[] = [];
  const failed: string[] = [];
  // Every tag is tried, whatever another's fate: the failure names both lists.
  await inParallel(tags, 16, async (tag) => {
    try {
      await guardTag(plan, client, tag, manifest.digest);
      await client.putManifest(plan.path, tag, manifest);
      landed.push(tag);
    } catch (e) {
      failed.push(`${tag} (${(e as Error).message})`);
    }
  });
  if (failed.length > 0) {
    throw new ActionError(
      `Could not set every tag on ${manifest.digest}. Not set: ${failed.join('; ')}. Set: ${landed.join(', ') || 'none'}.`,
      'Nothing is reported as published; re-run the job once the cause is fixed (setting the same tags again is safe).',
    );
  }
}

/** A full version held by an image built from another commit: the conflict is certain before building. */
export async function refuseOtherCommit(plan: Plan, client: RegistryClient, tag: string, manifest: Manifest): Promise<void> {
  const sha = plan.labels['org.opencontainers.image.revision'] ?? '';
  const revision = await revisionOf(client, plan.path, manifest);
  if (revision === sha) return;
  throw new ActionError(
    `${referenceOf(plan.registry, plan.path, tag)} already holds ${manifest.digest}, built from ${revision ? `commit ${revision}` : 'an unknown commit'}, not from ${sha}. Nothing was built or pushed: immutable-tags keeps a published full version from moving.`,
    'Publish a new version (a new tag), or set immutable-tags: false if moving it is really meant.',
    'immutable-tags',
  );
}

/** A full version tag is read again right before it is set, so a publish racing this one cannot be overwritten. */
export async function guardTag(plan: Plan, client: RegistryClient, tag: string, digest: string): Promise<void> {
  if (!plan.immutable.includes(tag)) return;
  const now = await client.findManifest(plan.path, tag);
  if (now && now.digest !== digest)
    throw new Error(`it was set to ${now.digest} meanwhile, by another publish; immutable-tags leaves it there`);
}

/** Every full version already holds the image: nothing is uploaded; the moving tags are set on it and all read back. */
export async function completeHeld(plan: Plan, client: RegistryClient, held: Map<string, Manifest>): Promise<string> {
  const manifest = [...held.values()][0];
  info(`Already published: ${plan.immutable.join(', ')} already hold ${manifest.digest}, the image of this run. Nothing is uploaded.`);
  await setTags(
    plan,
    client,
    manifest,
    plan.tags.filter((t) => !plan.immutable.includes(t)),
  );
  await verifyHeld(plan, client, manifest.digest, plan.tags);
  return manifest.digest;
}

/** A failure of the push itself, told with what it means for the tags; an ActionError is passed on as it is. */
export function pushFailure(plan: Plan, what: string, e: unknown): ActionError {
  if (e instanceof ActionError) return e;
  return new ActionError(
    `${what} failed: ${(e as Error).message}. No tag was set: ${plan.tags.join(', ') || '(none)'}.`,
    'Nothing is reported as published; re-run the job once the registry answers again (pushing the same content again is safe).',
  );
}

/** The digest the registry holds under every tag, which must be `digest`. */
export async function verifyHeld(plan: Plan, client: RegistryClient, digest: string, tags: string[]): Promise<void> {
  const read: (string | Error)[] = [];
  // A few at a time: a burst of fresh connections costs the registry more than it saves.
  await inParallel([...tags.keys()], 8, async (i) => {
    read[i] = await client.manifest(plan.path, tags[i]).then(
      (m) => m.digest,
      (e: Error) => e,
    );
  });
  const unreadable = tags.filter((_, i) => read[i] instanceof Error);
  if (unreadable.length > 0) {
    throw new ActionError(
      `The push finished, but reading ${unreadable.join(', ')} back from ${plan.registry} failed (${(read.find((r) => r instanceof Error) as Error).message}), so it is not known that the registry holds ${digest} there.`,
      'Nothing is reported as published; re-run the job.',
    );
  }
  const other = tags.filter((_, i) => read[i] !== digest);
  if (other.length > 0) {
    throw new ActionError(
      `The registry does not hold ${digest} under every tag just set: ${other.map((t) => `${t} → ${read[tags.indexOf(t)] as string}`).join(', ')}.`,
      'Another job may be publishing the same tags at the same time; re-run this job alone.',
    );
  }
  info(`The registry holds ${digest} under ${tags.join(', ') || 'its digest'}.`);
}

/** After a publish: the link to the repository, then the prune; neither fails the publish. */
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
