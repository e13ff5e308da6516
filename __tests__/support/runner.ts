import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { tempDir } from '../../__fixtures__/temp-dir.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The runtime action.yml asks for (node24), installed as a dev dependency. */
const NODE = path.join(ROOT, 'node_modules/.bin/node');

interface ActionYml {
  inputs: Record<string, { default?: string }>;
  runs: { main: string; post: string };
}
const readAction = (): ActionYml => parse(readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as ActionYml;
/** The bundles action.yml's `runs:` names for the main and the post step, as a runner reads them. */
const ENTRY = { main: path.join(ROOT, readAction().runs.main), post: path.join(ROOT, readAction().runs.post) };

export interface GitHub {
  repository: string;
  repository_owner?: string;
  actor: string;
  token: string;
  ref?: string;
  sha?: string;
  event_name?: string;
  server_url?: string;
}

export interface Interrupt {
  when: RegExp;
  signals: NodeJS.Signals[];
}

export interface StepResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  state: Record<string, string>;
  summary: string;
  /** Every docker command line the step ran, in order. */
  dockerCalls: string[];
  /** Values the step asked the runner to mask. */
  masked: string[];
  /** Wall time of the whole step, and of the docker commands it ran, in seconds. */
  seconds: number;
  dockerSeconds: number;
}

/**
 * Runs the bundled action as a runner does: inputs as INPUT_* variables with action.yml's
 * defaults, the file commands, and the post step with the state the main step saved.
 */
export class Runner {
  readonly dir: string;
  readonly home: string;
  readonly temp: string;
  readonly workspace: string;
  private readonly bin: string;
  private readonly dockerLog: string;
  private readonly timingLog: string;
  private readonly realDocker: string;
  private step = 0;

  /**
   * `buildx: false` plays a machine without the buildx plugin: the engine's classic builder builds.
   * `shim: false` leaves docker as it is installed (no record of its calls): for benches, where a
   * wrapper script would cost time and make the action ask docker what it reads from files otherwise.
   */
  constructor(options: { buildx?: boolean; shim?: boolean } = {}) {
    this.dir = tempDir('runner-');
    this.home = path.join(this.dir, 'home');
    this.temp = path.join(this.dir, 'temp');
    this.workspace = path.join(this.dir, 'workspace');
    this.bin = path.join(this.dir, 'bin');
    this.dockerLog = path.join(this.dir, 'docker-calls.log');
    this.timingLog = path.join(this.dir, 'docker-timing.log');
    for (const d of [this.home, this.temp, this.workspace, this.bin]) mkdirSync(d, { recursive: true });
    writeFileSync(this.dockerLog, '');
    writeFileSync(this.timingLog, '');
    this.realDocker = execFileSync('bash', ['-c', 'command -v docker'], { encoding: 'utf8' }).trim();
    // Records each command line and how long it took, and runs the real docker.
    if (options.shim === false) return;
    const shim = path.join(this.bin, 'docker');
    writeFileSync(
      shim,
      [
        '#!/bin/bash',
        `printf '%q ' "$@" >> '${this.dockerLog}'; echo >> '${this.dockerLog}'`,
        ...(options.buildx === false
          ? [`if [ "$1" = buildx ]; then echo "docker: 'buildx' is not a docker command." >&2; exit 1; fi`, 'export DOCKER_BUILDKIT=0']
          : []),
        'start=$EPOCHREALTIME',
        // In the background with stdin kept, so a signal to the shim reaches docker as it would without one.
        `'${this.realDocker}' "$@" <&0 & pid=$!`,
        "trap 'kill -s INT $pid' INT; trap 'kill -s TERM $pid' TERM",
        'wait $pid; rc=$?',
        'while kill -0 $pid 2>/dev/null; do wait $pid; rc=$?; done',
        `echo "$start $EPOCHREALTIME" >> '${this.timingLog}'`,
        'exit $rc',
        '',
      ].join('\n'),
    );
    chmodSync(shim, 0o755);
  }

  /** `interrupt`: once stdout matches `when`, the step gets each signal in turn, a second apart, as a cancelled job does. */
  main(github: GitHub, inputs: Record<string, string>, env: Record<string, string> = {}, interrupt?: Interrupt): Promise<StepResult> {
    return this.run('main', github, inputs, env, {}, interrupt);
  }

  post(
    github: GitHub,
    inputs: Record<string, string>,
    state: Record<string, string>,
    env: Record<string, string> = {},
  ): Promise<StepResult> {
    return this.run('post', github, inputs, env, state);
  }

  private async run(
    entry: 'main' | 'post',
    github: GitHub,
    inputs: Record<string, string>,
    extra: Record<string, string>,
    state: Record<string, string>,
    interrupt?: Interrupt,
  ): Promise<StepResult> {
    const files = path.join(this.dir, `step-${++this.step}`);
    mkdirSync(files);
    const file = (name: string) => {
      const p = path.join(files, name);
      writeFileSync(p, '');
      return p;
    };
    const env: Record<string, string> = {
      PATH: `${this.bin}:${process.env.PATH}`,
      HOME: this.home,
      RUNNER_TEMP: this.temp,
      GITHUB_WORKSPACE: this.workspace,
      GITHUB_ACTIONS: 'true',
      GITHUB_SERVER_URL: github.server_url ?? 'https://github.com',
      GITHUB_REPOSITORY: github.repository,
      GITHUB_REPOSITORY_OWNER: github.repository_owner ?? github.repository.split('/')[0],
      GITHUB_ACTOR: github.actor,
      GITHUB_REF: github.ref ?? 'refs/heads/main',
      GITHUB_SHA: github.sha ?? '0123456789abcdef0123456789abcdef01234567',
      GITHUB_EVENT_NAME: github.event_name ?? 'push',
      GITHUB_RUN_ID: '42',
      GITHUB_OUTPUT: file('output'),
      GITHUB_STATE: file('state'),
      GITHUB_STEP_SUMMARY: file('summary'),
      GITHUB_ENV: file('env'),
      GITHUB_PATH: file('path'),
      ...inputEnv(github, inputs),
      ...Object.fromEntries(Object.entries(state).map(([k, v]) => [`STATE_${k}`, v])),
      ...extra,
    };
    const logStart = readFileSync(this.dockerLog, 'utf8').length;
    const timingStart = readFileSync(this.timingLog, 'utf8').length;
    const started = performance.now();
    const child = spawn(NODE, [ENTRY[entry]], { cwd: this.workspace, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let interrupted = false;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (interrupt && !interrupted && interrupt.when.test(stdout)) {
        interrupted = true;
        interrupt.signals.forEach((signal, i) => setTimeout(() => child.kill(signal), 1000 * i));
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exitCode = await new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
    const seconds = (performance.now() - started) / 1000;
    const dockerSeconds = readFileSync(this.timingLog, 'utf8')
      .slice(timingStart)
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => l.split(' ').map(Number))
      .reduce((sum, [start, end]) => sum + (end - start), 0);
    return {
      exitCode,
      stdout,
      stderr,
      outputs: parseFileCommand(readFileSync(env.GITHUB_OUTPUT, 'utf8')),
      state: parseFileCommand(readFileSync(env.GITHUB_STATE, 'utf8')),
      summary: readFileSync(env.GITHUB_STEP_SUMMARY, 'utf8'),
      dockerCalls: readFileSync(this.dockerLog, 'utf8')
        .slice(logStart)
        .split('\n')
        .filter((l) => l !== ''),
      masked: [...stdout.matchAll(/^::add-mask::(.*)$/gm)].map((m) => m[1]),
      seconds,
      dockerSeconds,
    };
  }
}

/** INPUT_* variables: action.yml's defaults with their ${{ github.* }} expressions evaluated, then the step's `with:`. */
function inputEnv(github: GitHub, given: Record<string, string>): Record<string, string> {
  const action = readAction();
  const context: Record<string, string | undefined> = {
    ...github,
    repository_owner: github.repository_owner ?? github.repository.split('/')[0],
  };
  const env: Record<string, string> = {};
  for (const [name, spec] of Object.entries(action.inputs)) {
    const value =
      name in given
        ? given[name]
        : String(spec.default ?? '').replace(/\$\{\{\s*github\.(\w+)\s*\}\}/g, (_, key: string) => context[key] ?? '');
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  }
  for (const name of Object.keys(given)) {
    if (!(name in action.inputs)) throw new Error(`action.yml declares no input '${name}'`);
  }
  return env;
}

/** The `name<<delimiter` form that @actions/core writes to GITHUB_OUTPUT and GITHUB_STATE. */
export function parseFileCommand(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/^(.+?)<<(ghadelimiter_[\w-]+)\n([\s\S]*?)\n\2$/gm)) out[m[1]] = m[3];
  return out;
}
