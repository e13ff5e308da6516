/**
 * Which untagged package versions a prune may delete: a pure decision over the versions GitHub
 * lists and the manifests the registry holds. The Packages API does not say which untagged
 * version is a platform image of which index; only the manifests do.
 */

/** On a platform image pushed with `push: by-digest`, for the merge job of the same run. */
export const BY_DIGEST_ANNOTATION = 'io.github.ghcr-publish.by-digest';

/** A workflow run lasts at most 35 days: a by-digest image younger than that may still be merged. */
export const PENDING_MERGE_MS = 35 * 24 * 60 * 60 * 1000;

/** What a manifest says about other manifests. */
export interface ManifestFacts {
  /** The manifests an index lists (none for an image). */
  children: string[];
  /** `subject.digest`: the manifest this one is about (an attestation, a signature). */
  subject?: string;
  byDigest: boolean;
}

export interface VersionFacts {
  id: number;
  digest: string;
  tags: string[];
  created: Date;
}

export interface KeepRequest {
  versions: VersionFacts[];
  /** Every manifest reachable from the versions, read from the registry. */
  manifests: ReadonlyMap<string, ManifestFacts>;
  /** The image just published and its children. */
  keepDigests: string[];
  olderThanMs: number;
  now: Date;
}

export interface KeepDecision {
  /** Why each kept digest is kept (versions and the manifests they need). */
  kept: Map<string, string>;
  /** Untagged versions to delete, each before anything it refers to. */
  remove: VersionFacts[];
}

/** The facts of a manifest's JSON; throws on bytes that are not a manifest. */
export function manifestFacts(body: Buffer | string): ManifestFacts {
  const json = JSON.parse(body.toString()) as {
    manifests?: { digest?: unknown }[];
    subject?: { digest?: unknown };
    annotations?: Record<string, unknown>;
  };
  if (typeof json !== 'object' || json === null) throw new Error('not a JSON object');
  const children = Array.isArray(json.manifests)
    ? json.manifests.map((m) => m?.digest).filter((d): d is string => typeof d === 'string')
    : [];
  const subject = typeof json.subject?.digest === 'string' ? json.subject.digest : undefined;
  return { children, subject, byDigest: json.annotations?.[BY_DIGEST_ANNOTATION] === 'true' };
}

/**
 * Keeps every tagged version, the image just published, untagged versions younger than the age,
 * and by-digest platform images no index lists yet (younger than a workflow run's limit); then,
 * to a fixed point, every manifest a kept index lists and every manifest whose subject is kept.
 * The rest of the untagged versions go.
 */
export function decideKeep(req: KeepRequest): KeepDecision {
  const kept = new Map<string, string>();
  const listed = new Set([...req.manifests.values()].flatMap((m) => m.children));
  const age = (v: VersionFacts) => req.now.getTime() - v.created.getTime();
  for (const d of req.keepDigests) kept.set(d, 'just published');
  for (const v of req.versions) {
    if (kept.has(v.digest)) continue;
    if (v.tags.length > 0) kept.set(v.digest, `tagged ${v.tags.join(', ')}`);
    else if (age(v) < req.olderThanMs) kept.set(v.digest, 'younger than the age to prune');
    else if (req.manifests.get(v.digest)?.byDigest && !listed.has(v.digest) && age(v) < PENDING_MERGE_MS) {
      kept.set(v.digest, 'a by-digest platform image no index lists yet (its merge may be pending)');
    }
  }
  for (let changed = true; changed;) {
    changed = false;
    for (const [digest, m] of req.manifests) {
      if (!kept.has(digest) && m.subject && kept.has(m.subject)) {
        kept.set(digest, `refers to ${m.subject}`);
        changed = true;
      }
      if (!kept.has(digest)) continue;
      for (const child of m.children) {
        if (kept.has(child)) continue;
        kept.set(child, `listed by ${digest}`);
        changed = true;
      }
    }
  }
  const remove = req.versions.filter((v) => v.tags.length === 0 && !kept.has(v.digest));
  return { kept, remove: parentsFirst(remove, req.manifests) };
}

/** Orders deletions so an index or a referrer goes before what it refers to: a stop part-way never leaves one dangling. */
function parentsFirst(remove: VersionFacts[], manifests: ReadonlyMap<string, ManifestFacts>): VersionFacts[] {
  const byDigest = new Map(remove.map((v) => [v.digest, v]));
  const refersTo = (v: VersionFacts) => {
    const m = manifests.get(v.digest);
    return [...(m?.children ?? []), ...(m?.subject ? [m.subject] : [])].filter((d) => byDigest.has(d) && d !== v.digest);
  };
  const waiting = new Map(remove.map((v) => [v.digest, 0]));
  for (const v of remove) for (const d of refersTo(v)) waiting.set(d, (waiting.get(d) ?? 0) + 1);
  const ready = remove.filter((v) => waiting.get(v.digest) === 0);
  const ordered: VersionFacts[] = [];
  while (ready.length > 0) {
    const v = ready.shift() as VersionFacts;
    ordered.push(v);
    for (const d of refersTo(v)) {
      const left = (waiting.get(d) ?? 0) - 1;
      waiting.set(d, left);
      if (left === 0) ready.push(byDigest.get(d) as VersionFacts);
    }
  }
  // Content addressing rules out cycles; should one appear, the rest still goes, last.
  return [...ordered, ...remove.filter((v) => !ordered.includes(v))];
}
