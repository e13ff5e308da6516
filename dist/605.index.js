export const id = 605;
export const ids = [605];
export const modules = {

/***/ 7706:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Ch: () => (/* binding */ createPrivateConfig),
/* harmony export */   I_: () => (/* binding */ removePrivateConfig),
/* harmony export */   iL: () => (/* binding */ buildxConfigDir)
/* harmony export */ });
/* unused harmony exports userConfigDir, privateConfigJson */
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(8161);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_os__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_2__);



/** Where the user's own docker configuration lives; the action never writes there. */
function userConfigDir(env = process.env) {
    return env.DOCKER_CONFIG || node_path__WEBPACK_IMPORTED_MODULE_2___default().join(node_os__WEBPACK_IMPORTED_MODULE_1___default().homedir(), '.docker');
}
/** buildx keeps its builders in the user's configuration, so a builder the user chose stays chosen. */
function buildxConfigDir(env = process.env) {
    return env.BUILDX_CONFIG || node_path__WEBPACK_IMPORTED_MODULE_2___default().join(userConfigDir(env), 'buildx');
}
/**
 * The user's config.json made safe to log in beside: other registries' logins and settings are
 * kept (so private base images still pull); the global credential store and anything for our
 * registry go, so our login is written to the private file and nowhere else.
 */
function privateConfigJson(user, registry) {
    const { credsStore: _store, auths = {}, credHelpers = {}, ...rest } = user;
    const others = (entries) => Object.fromEntries(Object.entries(entries).filter(([host]) => host.replace(/^https?:\/\//, '').replace(/\/.*$/, '') !== registry));
    return { ...rest, auths: others(auths), credHelpers: others(credHelpers) };
}
/**
 * Creates this run's private DOCKER_CONFIG under `baseDir` (mode 0700), seeded from the user's
 * config and sharing the user's CLI plugins, so buildx installed there still works.
 */
function createPrivateConfig(baseDir, registry, env = process.env) {
    const dir = (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.mkdtempSync)(node_path__WEBPACK_IMPORTED_MODULE_2___default().join(baseDir, 'ghcr-publish-'));
    const user = userConfigDir(env);
    let seed = {};
    try {
        seed = JSON.parse((0,node_fs__WEBPACK_IMPORTED_MODULE_0__.readFileSync)(node_path__WEBPACK_IMPORTED_MODULE_2___default().join(user, 'config.json'), 'utf8'));
    }
    catch {
        // no config of the user's, or not JSON: start empty
    }
    (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.writeFileSync)(node_path__WEBPACK_IMPORTED_MODULE_2___default().join(dir, 'config.json'), JSON.stringify(privateConfigJson(seed, registry), null, 2), { mode: 0o600 });
    if ((0,node_fs__WEBPACK_IMPORTED_MODULE_0__.existsSync)(node_path__WEBPACK_IMPORTED_MODULE_2___default().join(user, 'cli-plugins')))
        (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.symlinkSync)(node_path__WEBPACK_IMPORTED_MODULE_2___default().join(user, 'cli-plugins'), node_path__WEBPACK_IMPORTED_MODULE_2___default().join(dir, 'cli-plugins'));
    return dir;
}
function removePrivateConfig(dir) {
    (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.rmSync)(dir, { recursive: true, force: true });
}


/***/ }),

/***/ 3871:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   hC: () => (/* binding */ createDocker)
/* harmony export */ });
/* unused harmony exports buildArgs, DockerError */
/* harmony import */ var _actions_exec__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(2876);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(3916);


function createDocker(configDir, buildxConfig, env = process.env) {
    const dockerEnv = { ...env, DOCKER_CONFIG: configDir, BUILDX_CONFIG: buildxConfig };
    const run = async (args, options = {}) => _actions_exec__WEBPACK_IMPORTED_MODULE_0__/* .getExecOutput */ .H('docker', args, { ...options, env: dockerEnv, ignoreReturnCode: true });
    return {
        async hasBuildx() {
            const res = await run(['buildx', 'version'], { silent: true });
            return res.exitCode === 0;
        },
        async login(registry, username, secret) {
            const res = await run(['login', '--username', username, '--password-stdin', registry], { input: Buffer.from(secret) });
            if (res.exitCode !== 0)
                throw new DockerError('docker login', registry, res.stderr);
        },
        async logout(registry) {
            const res = await run(['logout', registry]);
            if (res.exitCode !== 0)
                throw new DockerError('docker logout', registry, res.stderr);
        },
        async build(spec, buildx) {
            const res = await run(buildArgs(spec, buildx));
            if (res.exitCode !== 0)
                throw new DockerError('docker build', spec.context, lastLines(res.stderr));
        },
        async push(reference) {
            const res = await run(['push', reference]);
            const digest = res.stdout.match(/digest: (sha256:[0-9a-f]{64})/)?.[1];
            if (res.exitCode !== 0 || !digest)
                throw new DockerError('docker push', reference, res.stderr || res.stdout);
            return digest;
        },
    };
}
/** The command line of a build: buildx's when the plugin exists, the classic builder's otherwise. */
function buildArgs(spec, buildx) {
    const args = buildx ? ['buildx', 'build'] : ['build'];
    if (buildx && spec.builder)
        args.push('--builder', spec.builder);
    args.push('--file', spec.file);
    for (const ref of spec.references)
        args.push('--tag', ref);
    for (const arg of spec.buildArgs)
        args.push('--build-arg', arg);
    for (const [key, value] of Object.entries(spec.labels))
        args.push('--label', `${key}=${value}`);
    if (spec.target)
        args.push('--target', spec.target);
    if (buildx) {
        if (spec.platforms.length > 0)
            args.push('--platform', spec.platforms.join(','));
        if (spec.platforms.length > 1) {
            for (const [key, value] of Object.entries(spec.annotations))
                args.push('--annotation', `index:${key}=${value}`);
        }
        for (const s of spec.secretFiles)
            args.push('--secret', `id=${s.id},src=${s.path}`);
        if (spec.cacheFrom)
            args.push('--cache-from', spec.cacheFrom);
        if (spec.cacheTo)
            args.push('--cache-to', spec.cacheTo);
        args.push(`--provenance=${spec.provenance}`, '--load');
    }
    args.push(spec.context);
    return args;
}
class DockerError extends _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ActionError */ .l {
    constructor(command, subject, output) {
        super(`${command} failed for ${subject}: ${output.trim() || 'no output'}`, '');
    }
}
function lastLines(text) {
    return text.trim().split('\n').slice(-15).join('\n');
}


/***/ }),

/***/ 3916:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   G: () => (/* binding */ InputErrors),
/* harmony export */   l: () => (/* binding */ ActionError)
/* harmony export */ });
/** A failure told to a person: what was wrong, where (an input or a credential), and the fix. */
class ActionError extends Error {
    problem;
    fix;
    input;
    constructor(problem, fix, input) {
        super(`${input ? `Input '${input}': ` : ''}${problem}${fix ? ` ${fix}` : ''}`);
        this.problem = problem;
        this.fix = fix;
        this.input = input;
        this.name = 'ActionError';
    }
}
/** Every bad input at once, so one run shows the user all of them. */
class InputErrors extends Error {
    errors;
    constructor(errors) {
        super(errors.length === 1
            ? errors[0].message
            : `${errors.length} inputs are invalid; nothing was built or pushed:\n${errors.map((e) => `- ${e.message}`).join('\n')}`);
        this.errors = errors;
        this.name = 'InputErrors';
    }
}


/***/ }),

/***/ 1605:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  run: () => (/* binding */ run)
});

// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 11 modules
var core = __webpack_require__(3360);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(8161);
var external_node_os_default = /*#__PURE__*/__webpack_require__.n(external_node_os_);
// EXTERNAL MODULE: ./src/docker-config.ts
var docker_config = __webpack_require__(7706);
// EXTERNAL MODULE: ./src/docker.ts
var src_docker = __webpack_require__(3871);
// EXTERNAL MODULE: ./src/errors.ts
var src_errors = __webpack_require__(3916);
;// CONCATENATED MODULE: ./src/failure.ts


/** The one place an error becomes the step's failure: one annotation per bad input. */
function reportFailure(e) {
    if (e instanceof src_errors/* InputErrors */.G) {
        for (const err of e.errors)
            core/* error */.z3(err.message, { title: err.input ? `ghcr-publish: input '${err.input}'` : 'ghcr-publish' });
        core/* setFailed */.C1(e.errors.length === 1 ? 'An input is invalid; nothing was built or pushed.' : `${e.errors.length} inputs are invalid; nothing was built or pushed.`);
    }
    else if (e instanceof src_errors/* ActionError */.l) {
        core/* setFailed */.C1(e.message);
    }
    else {
        core/* setFailed */.C1(`Unexpected failure: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
}

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
;// CONCATENATED MODULE: ./src/github-context.ts

function readContext(env = process.env) {
    const repository = env.GITHUB_REPOSITORY ?? '';
    const serverUrl = (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '');
    return {
        serverUrl,
        apiUrl: (env.GITHUB_API_URL || defaultApiUrl(serverUrl)).replace(/\/+$/, ''),
        repository,
        repositoryOwner: env.GITHUB_REPOSITORY_OWNER || repository.split('/')[0] || '',
        ref: env.GITHUB_REF ?? '',
        sha: env.GITHUB_SHA ?? '',
        actor: env.GITHUB_ACTOR ?? '',
        eventName: env.GITHUB_EVENT_NAME ?? '',
        runId: env.GITHUB_RUN_ID ?? '',
        runAttempt: env.GITHUB_RUN_ATTEMPT ?? '',
        readOnlyToken: isReadOnlyRun(env, repository),
    };
}
function defaultApiUrl(serverUrl) {
    const host = new URL(serverUrl).host;
    if (host === 'github.com')
        return 'https://api.github.com';
    if (host.endsWith('.ghe.com'))
        return `https://api.${host}`;
    return `${serverUrl}/api/v3`;
}
function isReadOnlyRun(env, repository) {
    if (env.GITHUB_ACTOR === 'dependabot[bot]' || env.GITHUB_TRIGGERING_ACTOR === 'dependabot[bot]')
        return true;
    if (!['pull_request', 'pull_request_review', 'pull_request_review_comment'].includes(env.GITHUB_EVENT_NAME ?? '')) {
        return false;
    }
    const head = readEvent(env.GITHUB_EVENT_PATH)?.pull_request?.head?.repo?.full_name;
    return typeof head === 'string' && head.toLowerCase() !== repository.toLowerCase();
}
function readEvent(path) {
    if (!path)
        return undefined;
    try {
        return JSON.parse((0,external_node_fs_.readFileSync)(path, 'utf8'));
    }
    catch {
        return undefined;
    }
}

// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
var external_node_path_default = /*#__PURE__*/__webpack_require__.n(external_node_path_);
;// CONCATENATED MODULE: ./src/names.ts

// OCI distribution spec: one path component of a repository name.
const COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
const MAX_NAME_LENGTH = 255;
/** A valid path made from `value`, for suggestions only: the action never rewrites names itself. */
function suggestPath(value) {
    return (value
        .split('/')
        .filter((p) => p.trim() !== '')
        .map(suggestComponent)
        .join('/') || 'image');
}
function suggestComponent(value) {
    const cleaned = value
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, '');
    return cleaned || 'image';
}
/**
 * Lower-cases a repository path (one or more `/`-separated components) and checks each
 * component against the OCI rules. Throws an ActionError naming `input` when it cannot be used.
 */
function checkPath(input, value, what) {
    const lowered = value.trim().toLowerCase();
    const parts = lowered.split('/');
    const bad = parts.filter((p) => !COMPONENT.test(p));
    if (lowered === '' || bad.length > 0) {
        const shown = lowered === value.trim() ? `"${value}"` : `"${value}" (lower-cased: "${lowered}")`;
        throw new src_errors/* ActionError */.l(`${shown} is not a valid ${what}: ${lowered === '' ? 'it is empty' : `${bad.map((b) => `"${b}"`).join(', ')} breaks the OCI rule that each path component matches [a-z0-9]+((.|_|__|-+)[a-z0-9]+)*`}.`, `Use for example "${suggestPath(value)}".`, input);
    }
    return lowered;
}
/** `host/path`, checked against the 255-character limit of the OCI rules. */
function fullName(host, path, input) {
    const name = `${host}/${path}`;
    if (name.length > MAX_NAME_LENGTH) {
        throw new src_errors/* ActionError */.l(`the image name "${name}" has ${name.length} characters; registry host and name together may have at most ${MAX_NAME_LENGTH}.`, 'Choose a shorter image name.', input);
    }
    return name;
}

;// CONCATENATED MODULE: ./src/registry-rules.ts

const REGISTRY_TYPES = ['auto', 'ghcr', 'docker-pkg', 'generic'];
const HOST = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:]+\])(?::\d{1,5})?$/;
/** The Container registry of the GitHub server the workflow runs on. */
function defaultRegistry(serverUrl) {
    const host = new URL(serverUrl).host.toLowerCase();
    if (host === 'github.com')
        return 'ghcr.io';
    return `containers.${host}`;
}
/**
 * Normalises the `registry` input to a host[:port] and refuses the retired github.com registry,
 * naming the ghcr.io image to use instead.
 */
function checkRegistryHost(raw, ghcrSuggestion) {
    const host = raw
        .trim()
        .replace(/^[a-z]+:\/\//i, '')
        .replace(/\/+$/, '')
        .toLowerCase();
    if (host === 'docker.pkg.github.com') {
        throw new src_errors/* ActionError */.l("docker.pkg.github.com, GitHub's legacy Docker registry, was retired on 2025-02-24 and its images moved to ghcr.io.", `Set registry: ghcr.io (or leave it empty); this image is ${ghcrSuggestion} there.`, 'registry');
    }
    if (!HOST.test(host)) {
        throw new src_errors/* ActionError */.l(`"${raw}" is not a registry host: give a host name with an optional port, without a path.`, 'Use for example "ghcr.io" or "registry.example.com:5000".', 'registry');
    }
    return host;
}
/** Which rules apply to `host` when `registry-type` is `auto`. */
function detectType(host, serverUrl) {
    const server = new URL(serverUrl).host.toLowerCase();
    const bare = host.replace(/:\d+$/, '');
    if (bare === 'ghcr.io' || bare.startsWith('containers.'))
        return 'ghcr';
    if (server !== 'github.com' && bare === `docker.${server}`)
        return 'docker-pkg';
    return 'generic';
}
/** The repository path inside the registry: docker-pkg packages live inside a repository. */
function imagePath(type, owner, repoName, image) {
    return type === 'docker-pkg' ? `${owner}/${repoName}/${image}` : `${owner}/${image}`;
}
/** Registries on this machine's loopback speak plain HTTP, as the docker engine allows them to. */
function registryBaseUrl(host) {
    const bare = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
    const loopback = bare === 'localhost' || /^127\./.test(bare) || bare === '::1';
    return `${loopback ? 'http' : 'https'}://${host}`;
}

// EXTERNAL MODULE: ./node_modules/semver/index.js
var semver = __webpack_require__(2088);
var semver_default = /*#__PURE__*/__webpack_require__.n(semver);
;// CONCATENATED MODULE: ./src/tags.ts


const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
/** Makes any text a valid docker tag: other characters become `-`, leading `.`/`-` go, at most 128. */
function sanitizeTag(value) {
    return value
        .replace(/[^A-Za-z0-9._-]/g, '-')
        .replace(/^[.-]+/, '')
        .slice(0, 128);
}
/** Tags the user typed: split on commas and newlines, validated, never rewritten. */
function parseTags(raw) {
    const tags = [
        ...new Set(raw
            .split(/[,\n]/)
            .map((t) => t.trim())
            .filter((t) => t !== '')),
    ];
    for (const tag of tags) {
        if (!TAG.test(tag)) {
            throw new src_errors/* ActionError */.l(`"${tag}" is not a valid tag: a tag is 1 to 128 characters of letters, digits, '_', '.' and '-', and does not start with '.' or '-'.`, `Use for example "${sanitizeTag(tag) || 'latest'}".`, 'tags');
        }
    }
    return tags;
}
/** Tags for a git ref, as the interface's table says; empty when the ref gives none. */
function deriveTags(ref, sha) {
    const short = /^[0-9a-f]{7,}$/i.test(sha) ? [`sha-${sha.slice(0, 7).toLowerCase()}`] : [];
    let m;
    if ((m = ref.match(/^refs\/tags\/(.+)$/))) {
        const version = semver_default().parse(m[1].replace(/^v/, ''));
        if (!version)
            return nonEmpty([sanitizeTag(m[1])]);
        if (version.prerelease.length > 0)
            return [version.version];
        const { major, minor, patch } = version;
        return major === 0
            ? [`${major}.${minor}.${patch}`, 'latest']
            : [`${major}.${minor}.${patch}`, `${major}.${minor}`, `${major}`, 'latest'];
    }
    if ((m = ref.match(/^refs\/heads\/(.+)$/)))
        return nonEmpty([sanitizeTag(m[1].toLowerCase()), ...short]);
    if ((m = ref.match(/^refs\/pull\/(\d+)\/(?:merge|head)$/)))
        return [`pr-${m[1]}`];
    return short;
}
function nonEmpty(tags) {
    return [...new Set(tags.filter((t) => t !== ''))];
}

;// CONCATENATED MODULE: ./src/inputs.ts







const KEY_VALUE = /^([^=\s]+)=(.*)$/;
const PLATFORM = /^[a-z0-9_]+\/[a-z0-9_]+(?:\/[a-z0-9_.]+)?$/;
const TARGET = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const SECRET_ID = /^[A-Za-z0-9_.-]+$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/**
 * Reads the step's inputs. Secrets are masked before anything else; every problem is collected
 * so the user sees all of them, and an InputErrors is thrown before anything runs.
 */
function readSettings(ctx, env = process.env) {
    const errors = [];
    const attempt = (fn, fallback) => {
        try {
            return fn();
        }
        catch (e) {
            if (e instanceof src_errors/* ActionError */.l)
                errors.push(e);
            else
                throw e;
            return fallback;
        }
    };
    const token = core/* getInput */.V4('token');
    const tokenSecretName = core/* getInput */.V4('token-secret-name') || 'CR_PAT';
    const explicitPat = core/* getInput */.V4('pat');
    const pat = explicitPat || (ENV_NAME.test(tokenSecretName) ? (env[tokenSecretName] ?? '').trim() : '');
    const secrets = attempt(() => parseSecrets(core/* getInput */.V4('secrets')), []);
    for (const secret of [token, pat, ...secrets.map((s) => s.value)])
        if (secret)
            core/* setSecret */.Pq(secret);
    if (!ENV_NAME.test(tokenSecretName)) {
        errors.push(new src_errors/* ActionError */.l(`"${tokenSecretName}" is not an environment variable name.`, 'Use letters, digits and underscores, e.g. "CR_PAT".', 'token-secret-name'));
    }
    const registryType = attempt(() => oneOf('registry-type', REGISTRY_TYPES, 'auto'), 'auto');
    const owner = attempt(() => checkOwner(core/* getInput */.V4('owner') || ctx.repositoryOwner), '');
    const repository = attempt(() => checkRepository(core/* getInput */.V4('repository') || ctx.repository), 'x/x');
    const repoName = repository.split('/')[1];
    const image = attempt(() => {
        const given = core/* getInput */.V4('image');
        if (given)
            return checkPath('image', given, 'image name');
        try {
            return checkPath('image', repoName, "image name (it is the repository's name, the default)");
        }
        catch {
            return fail('image', `the repository's name "${repoName}", the default image name, is not a valid image name.`, `Set image: explicitly, e.g. "${suggestPath(repoName)}".`);
        }
    }, '');
    const ghcrSuggestion = `ghcr.io/${owner}/${image}`;
    const registry = attempt(() => checkRegistryHost(core/* getInput */.V4('registry') || defaultRegistry(ctx.serverUrl), ghcrSuggestion), '');
    const type = registryType === 'auto' ? detectType(registry, ctx.serverUrl) : registryType;
    const repoPath = attempt(() => (type === 'docker-pkg' ? checkPath('repository', repoName, 'repository name for the docker-pkg path') : repoName), '');
    const imgPath = imagePath(type, owner, repoPath, image);
    const imageName = registry && owner && image ? attempt(() => fullName(registry, imgPath, 'image'), '') : '';
    const tags = attempt(() => {
        const given = parseTags(core/* getInput */.V4('tags'));
        if (given.length > 0)
            return given;
        const derived = deriveTags(ctx.ref, ctx.sha);
        if (derived.length === 0) {
            fail('tags', `no tags were given and none can be derived from the git ref "${ctx.ref}".`, 'Set tags: e.g. "latest".');
        }
        return derived;
    }, []);
    const push = attempt(() => bool('push'), true);
    const username = core/* getInput */.V4('username') || ctx.actor;
    if (push && !token && !pat) {
        errors.push(new src_errors/* ActionError */.l('no credential to push with: both token and the PAT are empty.', `Pass token: \${{ github.token }} (the default) or a PAT in pat: or the ${tokenSecretName} environment variable.`, 'token'));
    }
    if (token && !username) {
        errors.push(new src_errors/* ActionError */.l('is empty, so there is no login name for token.', 'Set username: ${{ github.actor }}.', 'username'));
    }
    const context = attempt(() => checkContext(core/* getInput */.V4('context') || '.'), '.');
    const file = attempt(() => checkFile(core/* getInput */.V4('file'), context), '');
    const description = attempt(() => maxLength('description', 512), '');
    const licenses = attempt(() => maxLength('licenses', 256), '');
    const target = core/* getInput */.V4('target');
    if (target && !TARGET.test(target)) {
        errors.push(new src_errors/* ActionError */.l(`"${target}" is not a build stage name.`, 'Use the name after AS in a FROM line, e.g. "runtime".', 'target'));
    }
    const settings = {
        registry,
        registryType: type,
        owner,
        repository,
        path: imgPath,
        imageName,
        tags,
        references: tags.map((t) => `${imageName}:${t}`),
        token,
        username,
        pat,
        patSource: explicitPat ? 'pat' : tokenSecretName,
        patUsername: core/* getInput */.V4('pat-username') || username,
        context,
        file,
        buildArgs: attempt(() => keyValues('build-args').map(([k, v]) => `${k}=${v}`), []),
        target,
        platforms: attempt(checkPlatforms, []),
        secrets,
        cache: attempt(() => bool('cache'), true),
        provenance: attempt(() => bool('provenance'), false),
        labels: Object.fromEntries(attempt(() => keyValues('labels'), [])),
        description,
        licenses,
        push,
        logout: attempt(() => bool('logout'), true),
    };
    if (errors.length > 0)
        throw new src_errors/* InputErrors */.G(errors);
    return settings;
}
function fail(input, problem, fix) {
    throw new src_errors/* ActionError */.l(problem, fix, input);
}
function oneOf(input, allowed, fallback) {
    const value = (core/* getInput */.V4(input) || fallback).toLowerCase();
    if (!allowed.includes(value)) {
        fail(input, `"${value}" is not one of ${allowed.join(', ')}.`, `Use for example "${fallback}".`);
    }
    return value;
}
function bool(input) {
    if (core/* getInput */.V4(input) === '')
        return input !== 'provenance';
    try {
        return core/* getBooleanInput */.Vt(input);
    }
    catch {
        return fail(input, `"${core/* getInput */.V4(input)}" is not a boolean.`, 'Use true or false.');
    }
}
function checkOwner(value) {
    if (value.includes('/'))
        fail('owner', `"${value}" has a "/": an owner is one account or organization.`, 'Use for example "acme".');
    return checkPath('owner', value, 'owner name');
}
function checkRepository(value) {
    if (!/^[^/\s]+\/[^/\s]+$/.test(value)) {
        fail('repository', `"${value}" is not an owner/name repository.`, 'Use for example "acme/widget" (the default is ${{ github.repository }}).');
    }
    return value;
}
function checkContext(context) {
    if (!(0,external_node_fs_.existsSync)(context) || !(0,external_node_fs_.statSync)(context).isDirectory()) {
        fail('context', `the build context "${context}" is not a directory (working directory: ${process.cwd()}).`, 'Check out the repository first (actions/checkout) or point context at the folder to build.');
    }
    return context;
}
function checkFile(given, context) {
    const file = given || external_node_path_default().join(context, 'Dockerfile');
    if (!(0,external_node_fs_.existsSync)(file) || !(0,external_node_fs_.statSync)(file).isFile()) {
        fail(given ? 'file' : 'context', `there is no Dockerfile at "${file}".`, given ? 'Give the path of an existing Dockerfile.' : 'Add a Dockerfile to the context, or set file: to its path.');
    }
    return file;
}
function maxLength(input, max) {
    const value = core/* getInput */.V4(input);
    if (value.length > max)
        fail(input, `is ${value.length} characters long; GitHub shows at most ${max}.`, `Shorten it to ${max} characters.`);
    return value;
}
function lines(raw) {
    return raw
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l !== '');
}
function keyValues(input) {
    return lines(core/* getInput */.V4(input)).map((line) => {
        const m = line.match(KEY_VALUE);
        if (!m)
            fail(input, `"${line}" is not a KEY=VALUE line.`, 'Write one KEY=VALUE per line, e.g. "VERSION=1.2.3".');
        return [m[1], m[2]];
    });
}
function checkPlatforms() {
    const platforms = [...new Set(core/* getInput */.V4('platforms').split(/[,\n]/).map((p) => p.trim()).filter((p) => p !== ''))];
    for (const p of platforms) {
        if (!PLATFORM.test(p))
            fail('platforms', `"${p}" is not a platform.`, 'Use os/arch[/variant], e.g. "linux/amd64,linux/arm64".');
    }
    return platforms;
}
function parseSecrets(raw) {
    return lines(raw).map((line) => {
        const m = line.match(/^([^=]+)=(.*)$/);
        const id = m?.[1].trim() ?? '';
        // The line is a secret: never quote it back.
        if (!m || !SECRET_ID.test(id) || m[2] === '') {
            fail('secrets', `a line is not id=value (an id of letters, digits, '_', '.' or '-', then a non-empty value).`, 'Write one id=value per line, e.g. "npm_token=${{ secrets.NPM_TOKEN }}".');
        }
        return { id, value: m[2] };
    });
}

;// CONCATENATED MODULE: ./src/labels.ts
const OCI = 'org.opencontainers.image';
const SOURCE = `${OCI}.source`;
/**
 * The labels that link the package to its repository and describe it on the package page,
 * then the user's own labels (which win, as the user asked for them).
 */
function imageLabels(settings, ctx, now) {
    const labels = {
        [SOURCE]: `${ctx.serverUrl}/${settings.repository}`,
        [`${OCI}.revision`]: ctx.sha,
        [`${OCI}.created`]: now.toISOString(),
        [`${OCI}.version`]: settings.tags[0] ?? '',
        [`${OCI}.title`]: settings.path.split('/').pop() ?? '',
    };
    if (settings.description)
        labels[`${OCI}.description`] = settings.description;
    if (settings.licenses)
        labels[`${OCI}.licenses`] = settings.licenses;
    for (const [key, value] of Object.entries(labels))
        if (value === '')
            delete labels[key];
    return { ...labels, ...settings.labels };
}
/** What ghcr.io reads from the index of a multi-platform image. */
function indexAnnotations(labels) {
    const keys = [SOURCE, `${OCI}.description`, `${OCI}.licenses`];
    return Object.fromEntries(keys.filter((k) => labels[k]).map((k) => [k, labels[k]]));
}

;// CONCATENATED MODULE: ./src/publish.ts



/** Logs in, builds, tags and pushes, then reads the digest back from the registry. */
async function publish(settings, ctx, credential, deps) {
    const { docker } = deps;
    if (credential) {
        await core/* group */.Os(`Log in to ${settings.registry} as ${credential.username}`, () => docker.login(settings.registry, credential.username, credential.secret));
        deps.loggedIn();
    }
    const labels = imageLabels(settings, ctx, deps.now);
    const expectedSource = `${ctx.serverUrl}/${settings.repository}`;
    if (labels[SOURCE] !== expectedSource) {
        core/* warning */.$e(`labels sets ${SOURCE}=${labels[SOURCE]}, so the package will not be linked to ${expectedSource}.`);
    }
    await core/* group */.Os(`Build ${settings.imageName}`, async () => docker.build({
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
    }, await docker.hasBuildx()));
    const result = {
        imageName: settings.imageName,
        references: settings.references,
        digest: '',
        pushed: false,
        tokenSource: '',
        labels,
        packageUrl: '',
    };
    if (!settings.push)
        return result;
    result.digest = await core/* group */.Os(`Push ${settings.references.length} tag(s)`, () => pushAll(settings, deps));
    return { ...result, pushed: true, tokenSource: credential?.source ?? '' };
}
/** Pushes every reference; fails, naming what did and did not land, unless all hold one digest. */
async function pushAll(settings, deps) {
    const pushed = [];
    const reported = new Set();
    for (const ref of settings.references) {
        try {
            reported.add(await deps.docker.push(ref));
            pushed.push(ref);
        }
        catch (e) {
            const rest = settings.references.filter((r) => !pushed.includes(r));
            throw new src_errors/* ActionError */.l(`${e.message}\nPushed before the failure: ${pushed.join(', ') || 'none'}; not pushed: ${rest.join(', ')}.`, 'Nothing is reported as published; fix the cause and re-run the job.');
        }
    }
    const held = new Map();
    for (const tag of settings.tags)
        held.set(tag, (await deps.manifest(settings.path, tag)).digest);
    const digests = new Set([...held.values(), ...reported]);
    if (digests.size !== 1) {
        throw new src_errors/* ActionError */.l(`the registry does not hold one image under the tags just pushed: ${[...held].map(([t, d]) => `${t} → ${d}`).join(', ')} (the pushes reported ${[...reported].join(', ')}).`, 'Another job may be pushing the same tags at the same time; re-run this job alone.');
    }
    const [digest] = digests;
    core/* info */.pq(`The registry holds ${digest} under ${settings.tags.join(', ')}.`);
    return digest;
}

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
;// CONCATENATED MODULE: ./src/http-retry.ts
const defaultRetry = {
    attempts: 4,
    baseDelayMs: 300,
    timeoutMs: 30_000,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};
const RETRYABLE_STATUS = (status) => status === 429 || status >= 500;
/**
 * fetch with retries on timeouts, resets, 429 and 5xx; never on 401 or 403 or other 4xx.
 * Returns the last response (even a failed one) or throws the last network error.
 */
async function fetchWithRetry(url, init, policy = defaultRetry) {
    let lastError;
    for (let attempt = 1; attempt <= policy.attempts; attempt++) {
        try {
            const res = await fetch(url, { ...init, signal: AbortSignal.timeout(policy.timeoutMs) });
            if (!RETRYABLE_STATUS(res.status) || attempt === policy.attempts)
                return res;
            await res.body?.cancel();
            await policy.sleep(delay(policy, attempt, res.headers.get('retry-after')));
        }
        catch (e) {
            lastError = e;
            if (attempt === policy.attempts)
                break;
            await policy.sleep(delay(policy, attempt, null));
        }
    }
    throw new Error(`${init.method ?? 'GET'} ${url} failed after ${policy.attempts} attempts: ${describe(lastError)}`);
}
function delay(policy, attempt, retryAfter) {
    const asked = retryAfter && /^\d+$/.test(retryAfter) ? Number(retryAfter) * 1000 : 0;
    return Math.min(Math.max(asked, policy.baseDelayMs * 2 ** (attempt - 1)), 10_000);
}
function describe(e) {
    if (e instanceof Error) {
        const cause = e.cause;
        return cause?.code ?? cause?.message ?? e.message;
    }
    return String(e);
}

;// CONCATENATED MODULE: ./src/registry-client.ts



/** A registry's refusal, with its own words as docker would print them (`denied: …`). */
class RegistryError extends Error {
    status;
    registryMessage;
    step;
    constructor(status, registryMessage, step) {
        super(`${step}: HTTP ${status}${registryMessage ? `: ${registryMessage}` : ''}`);
        this.status = status;
        this.registryMessage = registryMessage;
        this.step = step;
        this.name = 'RegistryError';
    }
}
const MANIFEST_TYPES = [
    'application/vnd.oci.image.index.v1+json',
    'application/vnd.oci.image.manifest.v1+json',
    'application/vnd.docker.distribution.manifest.list.v2+json',
    'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');
/** The OCI distribution API as the action uses it: the auth challenge, manifests, upload sessions. */
class RegistryClient {
    credential;
    retry;
    base;
    tokens = new Map();
    constructor(host, credential, retry = defaultRetry) {
        this.credential = credential;
        this.retry = retry;
        this.base = registryBaseUrl(host);
    }
    /** The manifest a reference (tag or digest) names; its digest is the sha256 of the bytes served. */
    async manifest(repository, reference) {
        // GET, not HEAD: some registries answer HEAD for attestation indexes with a 500.
        const res = await this.request('GET', `/v2/${repository}/manifests/${reference}`, repository, 'pull', {
            Accept: MANIFEST_TYPES,
        });
        if (res.status !== 200)
            throw await registryError(res, `reading manifest ${repository}:${reference}`);
        const body = Buffer.from(await res.arrayBuffer());
        return {
            digest: `sha256:${(0,external_node_crypto_.createHash)('sha256').update(body).digest('hex')}`,
            mediaType: res.headers.get('content-type') ?? '',
            body,
        };
    }
    /** Opens an upload session and cancels it: proof that this credential may push to `repository`. */
    async checkPush(repository) {
        const res = await this.request('POST', `/v2/${repository}/blobs/uploads/`, repository, 'pull,push');
        if (res.status !== 202)
            throw await registryError(res, 'starting an upload');
        await res.body?.cancel();
        const location = res.headers.get('location');
        if (location) {
            const url = new URL(location, this.base);
            const del = await fetchWithRetry(url.toString(), { method: 'DELETE', headers: await this.auth(repository, 'pull,push') }, this.retry);
            await del.body?.cancel();
        }
    }
    async request(method, path, repository, actions, headers = {}) {
        const url = `${this.base}${path}`;
        let res = await fetchWithRetry(url, { method, headers: { ...headers, ...(await this.auth(repository, actions, true)) } }, this.retry);
        if (res.status === 401) {
            const challenge = res.headers.get('www-authenticate') ?? '';
            await res.body?.cancel();
            const auth = await this.answer(challenge, repository, actions);
            res = await fetchWithRetry(url, { method, headers: { ...headers, ...auth } }, this.retry);
        }
        return res;
    }
    async auth(repository, actions, cachedOnly = false) {
        const token = this.tokens.get(`${repository}:${actions}`);
        if (token)
            return { Authorization: token };
        if (cachedOnly)
            return {};
        const ping = await fetchWithRetry(`${this.base}/v2/`, {}, this.retry);
        await ping.body?.cancel();
        return ping.status === 401 ? this.answer(ping.headers.get('www-authenticate') ?? '', repository, actions) : {};
    }
    /** Answers a `WWW-Authenticate` challenge: Basic with the credential, or a Bearer token for the scope. */
    async answer(challenge, repository, actions) {
        const parsed = parseChallenge(challenge);
        const basic = this.credential
            ? `Basic ${Buffer.from(`${this.credential.username}:${this.credential.secret}`).toString('base64')}`
            : undefined;
        let header;
        if (parsed.scheme === 'basic') {
            header = basic;
        }
        else if (parsed.scheme === 'bearer' && parsed.params.realm) {
            const url = new URL(parsed.params.realm);
            if (parsed.params.service)
                url.searchParams.set('service', parsed.params.service);
            url.searchParams.set('scope', `repository:${repository}:${actions}`);
            const res = await fetchWithRetry(url.toString(), { headers: basic ? { Authorization: basic } : {} }, this.retry);
            if (res.status !== 200)
                throw await registryError(res, `getting a token for ${repository} (${actions})`);
            const body = (await res.json());
            const token = body.token ?? body.access_token;
            if (!token)
                throw new RegistryError(res.status, 'the token service answered without a token', 'getting a token');
            header = `Bearer ${token}`;
        }
        if (!header)
            return {};
        this.tokens.set(`${repository}:${actions}`, header);
        return { Authorization: header };
    }
}
function parseChallenge(header) {
    const m = header.match(/^\s*(\w+)\s*(.*)$/);
    if (!m)
        return { scheme: '', params: {} };
    const params = {};
    for (const p of m[2].matchAll(/(\w+)="([^"]*)"/g))
        params[p[1].toLowerCase()] = p[2];
    return { scheme: m[1].toLowerCase(), params };
}
/** The registry's own words from an error response, formatted as the docker client prints them. */
async function registryError(res, step) {
    const text = await res.text().catch(() => '');
    let message = text.trim().slice(0, 500);
    try {
        const body = JSON.parse(text);
        if (body.errors?.length) {
            message = body.errors.map((e) => `${(e.code ?? 'error').toLowerCase()}: ${e.message ?? ''}`.trim()).join('; ');
        }
    }
    catch {
        // not JSON: keep the text as it is
    }
    return new RegistryError(res.status, message, step);
}

// EXTERNAL MODULE: ./src/state.ts
var state = __webpack_require__(2462);
;// CONCATENATED MODULE: ./src/summary.ts

function setOutputs(result) {
    core/* setOutput */.uH('image', result.imageName);
    core/* setOutput */.uH('tags', result.references.join('\n'));
    core/* setOutput */.uH('digest', result.digest);
    core/* setOutput */.uH('token-source', result.tokenSource);
    core/* setOutput */.uH('package-url', result.packageUrl);
}
const CREDENTIAL_NAMES = {
    'github-token': 'GITHUB_TOKEN (`token`)',
    pat: 'personal access token',
};
async function writeSummary(result) {
    const summary = core/* summary */.z.addHeading(result.pushed ? `Published ${result.imageName}` : `Built ${result.imageName} (not pushed)`, 3);
    if (result.skipReason)
        summary.addRaw(`<p>${summary_escape(result.skipReason)}</p>`, true);
    summary.addTable([
        [
            { data: 'reference', header: true },
            { data: result.pushed ? 'pushed' : 'built', header: true },
        ],
        ...result.references.map((r) => [`<code>${summary_escape(r)}</code>`, result.pushed ? 'yes' : 'no']),
    ]);
    const facts = [];
    if (result.digest)
        facts.push(['digest', `<code>${result.digest}</code>`]);
    if (result.tokenSource)
        facts.push(['pushed with', CREDENTIAL_NAMES[result.tokenSource]]);
    if (result.packageUrl)
        facts.push(['package', `<a href="${summary_escape(result.packageUrl)}">${summary_escape(result.packageUrl)}</a>`]);
    for (const line of result.link ?? [])
        facts.push(['link', summary_escape(line)]);
    if (facts.length > 0)
        summary.addTable(facts.map(([k, v]) => [{ data: k, header: true }, v]));
    summary.addDetails('Labels applied', `<ul>${Object.entries(result.labels)
        .map(([k, v]) => `<li><code>${summary_escape(k)}=${summary_escape(v)}</code></li>`)
        .join('')}</ul>`);
    await summary.write();
}
function summary_escape(text) {
    return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

;// CONCATENATED MODULE: ./src/main.ts











async function run() {
    try {
        const ctx = readContext();
        const settings = readSettings(ctx);
        const configDir = (0,docker_config/* createPrivateConfig */.Ch)(process.env.RUNNER_TEMP || external_node_os_default().tmpdir(), settings.registry);
        state/* saveConfigDir */.vt(configDir);
        state/* saveRegistry */.z_(settings.registry);
        state/* saveLogout */.Us(settings.logout);
        if (!settings.logout)
            core/* exportVariable */.dN('DOCKER_CONFIG', configDir);
        const docker = (0,src_docker/* createDocker */.hC)(configDir, (0,docker_config/* buildxConfigDir */.iL)());
        const credential = settings.token ? { source: 'github-token', username: settings.username, secret: settings.token } : undefined;
        const registry = new RegistryClient(settings.registry, credential);
        const result = await publish(settings, ctx, credential, {
            docker,
            manifest: (repo, ref) => registry.manifest(repo, ref),
            loggedIn: state/* saveLoggedIn */.D9,
            now: new Date(),
        });
        setOutputs(result);
        await writeSummary(result);
    }
    catch (e) {
        reportFailure(e);
    }
}


/***/ })

};
