import { createHash } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { open, readFile, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';
import { IgnoreMatcher, type ParentMatches, parseDockerignore } from './dockerignore.js';

/** What decides a build's result besides the base images: the key changes when any of it does. */
export interface BuildSource {
  context: string;
  file: string;
  buildArgs: string[];
  target: string;
  platforms: string[];
}

/** The filesystem as the hash reads it; tests see through it what was read. */
export interface ContextReader {
  list(dir: string): Promise<Dirent[]>;
  /** A regular file's content (streamed) and whether it is executable, as a digest. */
  digest(file: string): Promise<string>;
  link(file: string): Promise<string>;
  /** A small file's bytes, or undefined when there is no such file. */
  read(file: string): Promise<Buffer | undefined>;
}

const STREAM_FROM = 1 << 20;

export const fsReader: ContextReader = {
  list: (dir) => readdir(dir, { withFileTypes: true }),
  async digest(file) {
    const handle = await open(file);
    try {
      // Content and the executable bit only: checkouts reset modification times.
      const { mode, size } = await handle.stat();
      const hash = createHash('sha256').update(mode & 0o100 ? 'x' : '-');
      // Small files in one read (a stream's set-up costs more than their bytes); large ones streamed.
      if (size <= STREAM_FROM) hash.update(await handle.readFile());
      else
        for await (const chunk of handle.createReadStream({ autoClose: false, highWaterMark: STREAM_FROM })) hash.update(chunk as Buffer);
      return hash.digest('hex');
    } finally {
      await handle.close();
    }
  },
  link: (file) => readlink(file),
  async read(file) {
    try {
      return await readFile(file);
    } catch (e) {
      if (['ENOENT', 'ENOTDIR', 'EISDIR'].includes((e as NodeJS.ErrnoException).code ?? '')) return undefined;
      throw e;
    }
  },
};

/** Files read at once: enough to keep the disk busy, few enough to stay far from the open-file limit. */
const PARALLEL = 16;

/**
 * A hash of what the build can read: the Dockerfile, its parameters, the `.dockerignore` in force
 * (`<Dockerfile>.dockerignore` before the context's, as BuildKit) and every file of the context it
 * lets through, by name, type, content and executable bit. Directories it excludes are not read
 * unless an exception could re-include something in them. `.git` is left out: it changes with every
 * fetch while the sources do not.
 */
export async function contextHash(source: BuildSource, reader: ContextReader = fsReader): Promise<string> {
  const context = path.resolve(source.context);
  const file = path.resolve(source.file);
  const hash = createHash('sha256');
  hash.update(JSON.stringify([source.buildArgs, source.target, source.platforms, path.relative(context, file)]));
  const dockerfile = await reader.read(file);
  hash.update(`\0Dockerfile\0${dockerfile ? sha256(dockerfile) : 'none'}`);
  const ignore = await dockerignore(context, file, reader);
  hash.update(`\0dockerignore\0${ignore.own ? 'Dockerfile' : 'context'}\0${ignore.content ? sha256(ignore.content) : 'none'}`);

  const entries = await walk(context, ignore.matcher, reader);
  const values = await describe(entries, reader);
  entries.forEach((entry, i) => hash.update(`\0${entry.kind}\0${entry.name}\0${values[i]}`));
  return hash.digest('hex').slice(0, 32);
}

/** What the build context holds once `.dockerignore` is applied: its files, links and directories, relative to it. */
export async function contextEntries(source: Pick<BuildSource, 'context' | 'file'>, reader: ContextReader = fsReader): Promise<string[]> {
  const context = path.resolve(source.context);
  const { matcher } = await dockerignore(context, path.resolve(source.file), reader);
  return (await walk(context, matcher, reader)).map((e) => e.name);
}

/** The ignore file in force: `<Dockerfile>.dockerignore` before the context's `.dockerignore`, as BuildKit. */
async function dockerignore(
  context: string,
  file: string,
  reader: ContextReader,
): Promise<{ own: boolean; content?: Buffer; matcher: IgnoreMatcher }> {
  const own = await reader.read(`${file}.dockerignore`);
  const name = own ? `${file}.dockerignore` : path.join(context, '.dockerignore');
  const content = own ?? (await reader.read(name));
  try {
    return { own: own !== undefined, content, matcher: new IgnoreMatcher(content ? parseDockerignore(content.toString('utf8')) : []) };
  } catch (e) {
    throw new Error(`${name}: ${(e as Error).message}`, { cause: e });
  }
}

interface Entry {
  /** f: file, l: symbolic link, d: directory, o: anything else (named only). */
  kind: 'f' | 'l' | 'd' | 'o';
  /** Relative to the context, slash-separated. */
  name: string;
  full: string;
}

/** The entries the build context holds, in a fixed order, walking as BuildKit's fsutil does. */
async function walk(root: string, matcher: IgnoreMatcher, reader: ContextReader): Promise<Entry[]> {
  const entries: Entry[] = [];
  const visit = async (dir: string, prefix: string, parent: ParentMatches | undefined, excludedDir: boolean): Promise<void> => {
    let list: Dirent[];
    try {
      list = await reader.list(dir);
    } catch (e) {
      // As BuildKit: an unreadable directory that is excluded anyway is no error.
      if (excludedDir && (e as NodeJS.ErrnoException).code === 'EACCES') return;
      throw e;
    }
    for (const dirent of list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const name = `${prefix}${dirent.name}`;
      const full = path.join(dir, dirent.name);
      if (dirent.isDirectory()) {
        if (dirent.name === '.git') continue;
        const { excluded, matches } = matcher.match(name, parent);
        if (excluded && matcher.skips(name)) continue;
        if (!excluded) entries.push({ kind: 'd', name, full });
        await visit(full, `${name}/`, matches, excluded);
      } else if (!matcher.match(name, parent).excluded) {
        entries.push({ kind: dirent.isFile() ? 'f' : dirent.isSymbolicLink() ? 'l' : 'o', name, full });
      }
    }
  };
  await visit(root, '', undefined, false);
  return entries;
}

/** Each entry's content digest or link target, read a few at a time. */
async function describe(entries: Entry[], reader: ContextReader): Promise<string[]> {
  const values = new Array<string>(entries.length).fill('');
  let next = 0;
  const work = async () => {
    while (next < entries.length) {
      const i = next++;
      const { kind, full } = entries[i];
      if (kind === 'f') values[i] = await reader.digest(full);
      else if (kind === 'l') values[i] = await reader.link(full);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, work));
  return values;
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
