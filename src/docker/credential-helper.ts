import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** What the docker CLI's credential-helper protocol answers when a helper holds nothing for a host. */
const NOT_FOUND = 'credentials not found in native keychain';

export interface CredentialHelper {
  /** The name config.json's `credHelpers` gives; the CLI runs `docker-credential-<name>` from PATH. */
  name: string;
  /** The directory holding the executable, to put first on PATH for docker. */
  dir: string;
  /** The one file (0600) the helper keeps this run's login in. */
  file: string;
}

/**
 * Writes a credential helper private to this run, inside its private config `configDir`: a POSIX
 * sh script implementing the docker CLI's helper protocol (store/get/erase/list) for `registry`
 * alone, over one 0600 file in the same directory. With the user's `credsStore` kept for other
 * registries, this is where our login goes instead of a store that outlives the run.
 */
export function writeCredentialHelper(configDir: string, registry: string): CredentialHelper {
  const name = path.basename(configDir);
  const dir = path.join(configDir, 'bin');
  const file = path.join(configDir, 'login.json');
  mkdirSync(dir, { mode: 0o700 });
  writeFileSync(path.join(dir, `docker-credential-${name}`), script(registry, file), { mode: 0o700 });
  return { name, dir, file };
}

/** A value as one single-quoted sh word. */
function quoted(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

function script(registry: string, file: string): string {
  return `#!/bin/sh
# This run's own credential helper: holds its login to one registry in one 0600 file, nowhere else.
set -u
umask 077
registry=${quoted(registry)}
file=${quoted(file)}
# The CLI passes a bare host (and port), or a URL: compare hosts.
host() { h=\${1#https://}; h=\${h#http://}; printf '%s' "\${h%%/*}"; }
case "\${1-}" in
  store)
    cat > "$file.new" && mv -f "$file.new" "$file" ;;
  get)
    url=$(cat)
    if [ "$(host "$url")" = "$registry" ] && [ -f "$file" ]; then cat "$file"; else echo '${NOT_FOUND}'; exit 1; fi ;;
  erase)
    url=$(cat)
    if [ "$(host "$url")" = "$registry" ]; then rm -f "$file"; fi ;;
  list)
    if [ -f "$file" ]; then
      user=$(sed -n -E 's/.*"Username":"((\\\\.|[^"\\\\])*)".*/\\1/p' "$file")
      printf '{"%s":"%s"}\\n' "$registry" "$user"
    else
      echo '{}'
    fi ;;
  *)
    echo "usage: $0 store|get|erase|list" >&2; exit 1 ;;
esac
`;
}
