import * as core from '@actions/core';
import { type Credential, candidates, chooseCredential } from './credentials.js';
import type { Docker } from './docker.js';
import { ActionError } from './errors.js';
import type { GitHubContext } from './github-context.js';
import type { Settings } from './inputs.js';
import { SOURCE, imageLabels, indexAnnotations } from './labels.js';
import type { PackageLink } from './package-link.js';
import type { Manifest } from './registry-client.js';
import type { PublishResult } from './summary.js';

/** The world as publishing needs it; main.ts passes the real one, tests their own. */
export interface PublishDeps {
  docker: Docker;
  /** Proves a credential may push, or throws the registry's refusal. */
  pushCheck: (credential: Credential) => Promise<void>;
  /** Reads a manifest back from the registry, to report the digest it really holds. */
  manifest: (credential: Credential | undefined, path: string, reference: string) => Promise<Manifest>;
  /** Asks GitHub which repository the package is linked to. */
  packageLink: (credential: Credential) => Promise<PackageLink>;
  /** Called once `docker login` succeeded, so the post step knows to log out. */
  loggedIn: () => void;
  now: Date;
}

/** Chooses the credential, logs in, builds, tags, pushes, reads the digest back and checks the link. */
export async function publish(settings: Settings, ctx: GitHubContext, deps: PublishDeps): Promise<PublishResult> {
  const { docker } = deps;
  const { token, pat } = candidates(settings);
  let credential = token ?? pat;
  let skipReason: string | undefined;
  if (settings.push) {
    const choice = await core.group('Check that a credential may push', () => chooseCredential(settings, ctx, deps.pushCheck, core.warning));
    if (choice.skipped !== undefined) {
      skipReason = choice.skipped;
      core.notice(`${skipReason} The image is built only.`);
    } else {
      credential = choice.credential;
    }
  }
  const push = settings.push && skipReason === undefined;

  if (credential) {
    const { username, secret } = credential;
    await core.group(`Log in to ${settings.registry} as ${username}`, () => docker.login(settings.registry, username, secret));
    deps.loggedIn();
  }

  const labels = imageLabels(settings, ctx, deps.now);
  const expectedSource = `${ctx.serverUrl}/${settings.repository}`;
  if (labels[SOURCE] !== expectedSource) {
    core.warning(`labels sets ${SOURCE}=${labels[SOURCE]}, so the package will not be linked to ${expectedSource}.`);
  }
  await core.group(`Build ${settings.imageName}`, async () =>
    docker.build(
      {
        context: settings.context,
        file: settings.file,
        references: settings.references,
        buildArgs: settings.buildArgs,
        labels,
        annotations: indexAnnotations(labels),
        target: settings.target,
        platforms: settings.platforms,
        secretFiles: [],
        provenance: settings.provenance,
      },
      await docker.hasBuildx(),
    ),
  );

  const result: PublishResult = {
    imageName: settings.imageName,
    references: settings.references,
    digest: '',
    pushed: false,
    skipReason,
    tokenSource: '',
    labels,
    packageUrl: '',
  };
  if (!push || !credential) return result;

  const digest = await core.group(`Push ${settings.references.length} tag(s)`, () => pushAll(settings, credential, deps));
  Object.assign(result, { digest, pushed: true, tokenSource: credential.source });
  if (settings.registryType !== 'generic') {
    const link = await core.group('Check the link to the repository', () => deps.packageLink(credential));
    if (link.notice) core.notice(link.notice);
    if (link.warning) core.warning(link.warning);
    Object.assign(result, { packageUrl: link.packageUrl, link: link.lines });
  }
  return result;
}

/** Pushes every reference; fails, naming what did and did not land, unless all hold one digest. */
async function pushAll(settings: Settings, credential: Credential, deps: PublishDeps): Promise<string> {
  const pushed: string[] = [];
  const reported = new Set<string>();
  for (const ref of settings.references) {
    try {
      reported.add(await deps.docker.push(ref));
      pushed.push(ref);
    } catch (e) {
      const rest = settings.references.filter((r) => !pushed.includes(r));
      throw new ActionError(
        `${(e as Error).message}\nPushed before the failure: ${pushed.join(', ') || 'none'}; not pushed: ${rest.join(', ')}.`,
        'Nothing is reported as published; fix the cause and re-run the job.',
      );
    }
  }
  const held = new Map<string, string>();
  for (const tag of settings.tags) held.set(tag, (await deps.manifest(credential, settings.path, tag)).digest);
  const digests = new Set([...held.values(), ...reported]);
  if (digests.size !== 1) {
    throw new ActionError(
      `the registry does not hold one image under the tags just pushed: ${[...held].map(([t, d]) => `${t} → ${d}`).join(', ')} (the pushes reported ${[...reported].join(', ')}).`,
      'Another job may be pushing the same tags at the same time; re-run this job alone.',
    );
  }
  const [digest] = digests;
  core.info(`The registry holds ${digest} under ${settings.tags.join(', ')}.`);
  return digest;
}
