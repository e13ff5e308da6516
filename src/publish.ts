import * as core from '@actions/core';
import type { Docker } from './docker.js';
import { ActionError } from './errors.js';
import type { GitHubContext } from './github-context.js';
import type { Settings } from './inputs.js';
import { SOURCE, imageLabels, indexAnnotations } from './labels.js';
import type { Manifest } from './registry-client.js';
import type { PublishResult, TokenSource } from './summary.js';

export interface PublishDeps {
  docker: Docker;
  /** Reads a manifest back from the registry, to report the digest it really holds. */
  manifest: (path: string, reference: string) => Promise<Manifest>;
  /** Called once `docker login` succeeded, so the post step knows to log out. */
  loggedIn: () => void;
  now: Date;
}

export interface ChosenCredential {
  source: TokenSource;
  username: string;
  secret: string;
}

/** Logs in, builds, tags and pushes, then reads the digest back from the registry. */
export async function publish(settings: Settings, ctx: GitHubContext, credential: ChosenCredential | undefined, deps: PublishDeps): Promise<PublishResult> {
  const { docker } = deps;
  if (credential) {
    await core.group(`Log in to ${settings.registry} as ${credential.username}`, () =>
      docker.login(settings.registry, credential.username, credential.secret),
    );
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
    tokenSource: '',
    labels,
    packageUrl: '',
  };
  if (!settings.push) return result;

  result.digest = await core.group(`Push ${settings.references.length} tag(s)`, () => pushAll(settings, deps));
  return { ...result, pushed: true, tokenSource: credential?.source ?? '' };
}

/** Pushes every reference; fails, naming what did and did not land, unless all hold one digest. */
async function pushAll(settings: Settings, deps: PublishDeps): Promise<string> {
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
  for (const tag of settings.tags) held.set(tag, (await deps.manifest(settings.path, tag)).digest);
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
