import { appendFileSync, existsSync } from 'node:fs';
import { EOL } from 'node:os';
import path from 'node:path';

// The runner's side of a step: inputs, outputs, state, log commands. The formats are those of
// GitHub's "Workflow commands for GitHub Actions" and @actions/core 3 (command.js, file-command.js,
// core.js), which the tests compare this with. Written here rather than imported because the
// toolkit's module also loads its HTTP client, crypto and child_process in every step, used or not.

export { summary } from './job-summary.js';

/** Where an annotation points, as the runner reads it. */
export interface AnnotationProperties {
  title?: string;
  file?: string;
  startLine?: number;
  endLine?: number;
  startColumn?: number;
  endColumn?: number;
}

/** A value as a command carries it: strings as they are, other values as JSON, nothing as ''. */
function commandValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

const escapeData = (s: unknown) => commandValue(s).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: unknown) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

/** `::name key=value,…::message` on its own line; properties without a value are left out. */
function issue(name: string, message: unknown = '', properties: Record<string, unknown> = {}): void {
  const props = Object.entries(properties)
    .filter(([, v]) => v)
    .map(([k, v]) => `${k}=${escapeProperty(v)}`)
    .join(',');
  // A space after the name whenever properties were given, as @actions/core writes it.
  const head = Object.keys(properties).length > 0 ? `${name} ${props}` : name;
  process.stdout.write(`::${head}::${escapeData(message)}${EOL}`);
}

/**
 * Appends to the file the runner named in GITHUB_<COMMAND>; without one (not a runner of today),
 * the older stdout command, as @actions/core does.
 */
function fileCommand(command: string, message: string, orLegacy: () => void): void {
  const file = process.env[`GITHUB_${command}`] ?? '';
  if (!file) return orLegacy();
  if (!existsSync(file)) throw new Error(`Missing file at path: ${file}`);
  appendFileSync(file, `${message}${EOL}`, { encoding: 'utf8' });
}

/** `name<<delimiter`, the value, the delimiter: a value of any lines, which no value can end early. */
function keyValue(name: string, value: unknown): string {
  const delimiter = `ghadelimiter_${crypto.randomUUID()}`;
  const text = commandValue(value);
  if (name.includes(delimiter)) throw new Error(`Unexpected input: name should not contain the delimiter "${delimiter}"`);
  if (text.includes(delimiter)) throw new Error(`Unexpected input: value should not contain the delimiter "${delimiter}"`);
  return `${name}<<${delimiter}${EOL}${text}${EOL}${delimiter}`;
}

const annotation = (props: AnnotationProperties): Record<string, unknown> =>
  Object.keys(props).length === 0
    ? {}
    : {
        title: props.title,
        file: props.file,
        line: props.startLine,
        endLine: props.endLine,
        col: props.startColumn,
        endColumn: props.endColumn,
      };
const messageOf = (message: string | Error) => (message instanceof Error ? message.toString() : message);

export function info(message: string): void {
  process.stdout.write(message + EOL);
}
export function debug(message: string): void {
  issue('debug', message);
}
export function notice(message: string | Error, properties: AnnotationProperties = {}): void {
  issue('notice', messageOf(message), annotation(properties));
}
export function warning(message: string | Error, properties: AnnotationProperties = {}): void {
  issue('warning', messageOf(message), annotation(properties));
}
export function error(message: string | Error, properties: AnnotationProperties = {}): void {
  issue('error', messageOf(message), annotation(properties));
}
/** The step fails (exit code 1) with this error annotation; the code goes on. */
export function setFailed(message: string | Error): void {
  process.exitCode = 1;
  error(message);
}
/** The runner hides this value wherever a later line of the log shows it. */
export function setSecret(secret: string): void {
  issue('add-mask', secret);
}

/** `fn`'s output in a folded group of the log. */
export async function group<T>(name: string, fn: () => Promise<T>): Promise<T> {
  issue('group', name);
  try {
    return await fn();
  } finally {
    issue('endgroup');
  }
}

/** An input as the runner passes it (INPUT_<NAME>), trimmed; '' when not given. */
export function getInput(name: string): string {
  return (process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
}

/** A boolean input, in the YAML 1.2 core schema's spellings only. */
export function getBooleanInput(name: string): boolean {
  const value = getInput(name);
  if (['true', 'True', 'TRUE'].includes(value)) return true;
  if (['false', 'False', 'FALSE'].includes(value)) return false;
  throw new TypeError(
    `Input does not meet YAML 1.2 "Core Schema" specification: ${name}\nSupport boolean input list: \`true | True | TRUE | false | False | FALSE\``,
  );
}

export function setOutput(name: string, value: unknown): void {
  fileCommand('OUTPUT', keyValue(name, value), () => {
    process.stdout.write(EOL);
    issue('set-output', value, { name });
  });
}
/** Saved for this action's post step, which reads it with getState. */
export function saveState(name: string, value: unknown): void {
  fileCommand('STATE', keyValue(name, value), () => issue('save-state', value, { name }));
}
export function getState(name: string): string {
  return process.env[`STATE_${name}`] ?? '';
}
/** Set for this step and every later step of the job. */
export function exportVariable(name: string, value: unknown): void {
  process.env[name] = commandValue(value);
  fileCommand('ENV', keyValue(name, value), () => issue('set-env', value, { name }));
}
/** Put in front of PATH for this step and every later step of the job. */
export function addPath(dir: string): void {
  fileCommand('PATH', dir, () => issue('add-path', dir));
  process.env.PATH = `${dir}${path.delimiter}${process.env.PATH ?? ''}`;
}
