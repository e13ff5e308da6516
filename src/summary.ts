import * as core from '@actions/core';

export type TokenSource = 'github-token' | 'pat';

export interface PublishResult {
  imageName: string;
  references: string[];
  /** Empty when nothing was pushed. */
  digest: string;
  pushed: boolean;
  /** Why the push was skipped, when it was. */
  skipReason?: string;
  tokenSource: TokenSource | '';
  /** Which credential pushed, as messages name it, and its login. */
  credential?: string;
  labels: Record<string, string>;
  packageUrl: string;
  /** Lines about the package's link to its repository, when it was checked. */
  link?: string[];
}

export function setOutputs(result: PublishResult): void {
  core.setOutput('image', result.imageName);
  core.setOutput('tags', result.references.join('\n'));
  core.setOutput('digest', result.digest);
  core.setOutput('token-source', result.tokenSource);
  core.setOutput('package-url', result.packageUrl);
}

export async function writeSummary(result: PublishResult): Promise<void> {
  const summary = core.summary.addHeading(result.pushed ? `Published ${result.imageName}` : `Built ${result.imageName} (not pushed)`, 3);
  if (result.skipReason) summary.addRaw(`<p>${escape(result.skipReason)}</p>`, true);
  summary.addTable([
    [
      { data: 'reference', header: true },
      { data: result.pushed ? 'pushed' : 'built', header: true },
    ],
    ...result.references.map((r) => [`<code>${escape(r)}</code>`, result.pushed ? 'yes' : 'no']),
  ]);
  const facts: [string, string][] = [];
  if (result.digest) facts.push(['digest', `<code>${result.digest}</code>`]);
  if (result.credential) facts.push(['pushed with', escape(result.credential)]);
  if (result.packageUrl) facts.push(['package', `<a href="${escape(result.packageUrl)}">${escape(result.packageUrl)}</a>`]);
  for (const line of result.link ?? []) facts.push(['link', escape(line)]);
  if (facts.length > 0) summary.addTable(facts.map(([k, v]) => [{ data: k, header: true }, v]));
  summary.addDetails(
    'Labels applied',
    `<ul>${Object.entries(result.labels)
      .map(([k, v]) => `<li><code>${escape(k)}=${escape(v)}</code></li>`)
      .join('')}</ul>`,
  );
  await summary.write();
}

/** Text made safe to put in the summary's HTML. */
export function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
