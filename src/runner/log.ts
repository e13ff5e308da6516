import * as core from './workflow-commands.js';

/**
 * Text safe to print on the runner's log: `\r` and `\n` inside a value are shown escaped, and a
 * line the runner would read as a workflow command (`::…` or `##[…`, after leading blanks) is
 * neutralised. Values from inputs, the registry and docker go through here before core.info.
 */
export function safeText(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/\r/g, '\\r')
    .replace(/\n/g, '\\n')
    .replace(/^(\s*)(::|##\[)/, '$1\\$2');
}

/** Output of another program, line by line: lines kept, commands neutralised. */
export function safeLines(text: string): string {
  return text
    .split(/\r?\n|\r/)
    .map((line) => line.replace(/^(\s*)(::|##\[)/, '$1\\$2'))
    .join('\n');
}

/** core.info for text that may carry a user's value. */
export function info(text: string): void {
  core.info(safeText(text));
}
