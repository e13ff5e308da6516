import { core, safeText } from '../runner/index.js';
import { planRows } from '../plan/index.js';
import type { PublishResult } from './result.js';

export function setOutputs(result: PublishResult): void {
  core.setOutput('image', result.plan.imageName);
  core.setOutput('tags', result.references.join('\n'));
  core.setOutput('digest', result.digest);
  core.setOutput('token-source', result.tokenSource);
  core.setOutput('package-url', result.packageUrl);
  core.setOutput('pruned', result.pruned.join('\n'));
  core.setOutput('version', result.plan.version);
}

function heading(result: PublishResult): string {
  const { plan } = result;
  if (plan.dryRun) return `Dry run: ${plan.imageName} (nothing was done)`;
  if (result.alreadyPublished) return `Already published: ${plan.imageName}`;
  if (!result.pushed) return `Built ${plan.imageName} (not pushed)`;
  if (plan.mode === 'promote') return `Promoted to ${plan.imageName}`;
  if (plan.mode === 'merge') return `Merged and published ${plan.imageName}`;
  return plan.push === 'by-digest' ? `Pushed ${plan.imageName} by digest for the merge job` : `Published ${plan.imageName}`;
}

/** The result first, then the plan it carried out. */
export async function writeSummary(result: PublishResult): Promise<void> {
  const summary = core.summary.addHeading(escape(heading(result)), 3);
  if (result.skipReason) summary.addRaw(`<p>${escape(result.skipReason)}</p>`, true);
  const done = result.pushed || result.alreadyPublished ? 'yes' : 'no';
  summary.addTable([
    [
      { data: 'reference', header: true },
      { data: result.plan.dryRun ? 'would be pushed' : 'pushed', header: true },
    ],
    ...result.references.map((r) => [`<code>${escape(r)}</code>`, result.plan.dryRun ? 'dry run' : done]),
  ]);
  if (result.registries.length > 1) {
    summary.addTable([
      [
        { data: 'registry', header: true },
        { data: result.plan.dryRun ? 'push check' : 'result', header: true },
        { data: 'pushed with', header: true },
      ],
      ...result.registries.map((r) => [`<code>${escape(r.imageName)}</code>`, escape(r.state), escape(r.pusher)]),
    ]);
  }
  const facts: [string, string][] = [];
  if (result.digest) facts.push(['digest', `<code>${escape(result.digest)}</code>`]);
  if (result.credential) facts.push([result.plan.dryRun ? 'may push' : 'pushed with', escape(result.credential)]);
  if (result.packageUrl) facts.push(['package', `<a href="${escape(result.packageUrl)}">${escape(result.packageUrl)}</a>`]);
  for (const line of result.link ?? []) facts.push(['link', escape(line)]);
  if (result.plan.prune !== undefined) {
    facts.push([
      result.plan.dryRun ? 'would prune' : 'pruned',
      result.pruned.map((d) => `<code>${escape(d)}</code>`).join('<br>') || 'none',
    ]);
  }
  if (facts.length > 0) summary.addTable(facts.map(([k, v]) => [{ data: k, header: true }, v]));
  const rows = planRows(result.plan).map(
    ([k, entries]) => `<tr><th>${escape(k)}</th><td>${entries.map((e) => escape(safeText(e))).join('<br>')}</td></tr>`,
  );
  summary.addDetails('The plan', `<table>${rows.join('')}</table>`);
  await summary.write();
}

/** Text made safe to put in the summary's HTML. */
export function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
