export const id = 661;
export const ids = [661];
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

/***/ 6661:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   run: () => (/* binding */ run)
/* harmony export */ });
/* harmony import */ var _actions_core__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3360);
/* harmony import */ var _docker_config_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(7706);
/* harmony import */ var _docker_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(3871);
/* harmony import */ var _state_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(2462);




/** Logs out and deletes the run's private credentials. Reports problems; never fails the job. */
async function run() {
    const dir = _state_js__WEBPACK_IMPORTED_MODULE_3__/* .configDir */ .yF();
    if (!dir) {
        _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .info */ .pq('Nothing to clean up: the main step stopped before it wrote any credentials.');
        return;
    }
    if (!_state_js__WEBPACK_IMPORTED_MODULE_3__/* .logout */ .ri()) {
        _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .info */ .pq(`logout is false: the login stays in ${dir} (DOCKER_CONFIG) for the rest of the job.`);
        return;
    }
    if (_state_js__WEBPACK_IMPORTED_MODULE_3__/* .loggedIn */ .eY()) {
        try {
            await (0,_docker_js__WEBPACK_IMPORTED_MODULE_2__/* .createDocker */ .hC)(dir, (0,_docker_config_js__WEBPACK_IMPORTED_MODULE_1__/* .buildxConfigDir */ .iL)()).logout(_state_js__WEBPACK_IMPORTED_MODULE_3__/* .registry */ .u5());
        }
        catch (e) {
            _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .warning */ .$e(`Logging out of ${_state_js__WEBPACK_IMPORTED_MODULE_3__/* .registry */ .u5()} failed: ${e.message}. The credentials file is deleted all the same.`);
        }
    }
    try {
        (0,_docker_config_js__WEBPACK_IMPORTED_MODULE_1__/* .removePrivateConfig */ .I_)(dir);
        _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .info */ .pq(`Removed the private docker configuration ${dir}.`);
    }
    catch (e) {
        _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .warning */ .$e(`Could not delete ${dir}: ${e.message}. Delete it by hand; it holds a registry login.`);
    }
}


/***/ })

};
