#!/usr/bin/env node
/**
 * Runs a command on Node.js 24 (the Lambda runtime), whatever Node started this script.
 *
 * `npm start`, `npm test` and the other scripts go through here, so the README's two commands work on a machine
 * whose Node is older (the emulators need Node 24's built-ins, e.g. `node:sqlite`). On Node ≥ 24 the command just
 * runs. Otherwise Node 24 is fetched once from the npm registry — the official binary the registry ships as
 * `node-<platform>-<arch>@24`, the same way `.ci/run` provisions it — into a cache directory, and the command runs
 * with that Node first on PATH (every tool here starts with `#!/usr/bin/env node`). If that cannot be done, one
 * sentence says what to install.
 *
 * Plain JavaScript on purpose: it must run on any Node that can run npm.
 *
 * Usage: node local/with-node24.mjs <command> [args…]
 * Environment: COLLECTIONS_NODE24_DIR — where Node 24 is cached (default ~/.cache/collections-ci/node24).
 */
/* global process, console */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

const REQUIRED_MAJOR = 24;
const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error('usage: node local/with-node24.mjs <command> [args…]');
  process.exit(2);
}

const major = Number(process.versions.node.split('.')[0]);
const env = { ...process.env };

if (major < REQUIRED_MAJOR) {
  const bin = ensureNode24();
  env.PATH = `${bin}${delimiter}${env.PATH ?? ''}`;
}
run(command, args, env);

function fail(sentence) {
  console.error(sentence);
  process.exit(1);
}

/** Returns the directory holding a Node 24 `node` binary, fetching it from the npm registry on first use. */
function ensureNode24() {
  const platform = { linux: 'linux', darwin: 'darwin', win32: 'win' }[process.platform];
  const arch = { x64: 'x64', arm64: 'arm64' }[process.arch];
  const howToFix = `install Node.js ${REQUIRED_MAJOR} (https://nodejs.org, or \`nvm install ${REQUIRED_MAJOR}\`) and run the command again`;
  if (!platform || !arch) {
    fail(`This project needs Node.js ${REQUIRED_MAJOR} (found ${process.version} on ${process.platform}/${process.arch}): ${howToFix}.`);
  }
  const dir = process.env.COLLECTIONS_NODE24_DIR || join(homedir() || '/tmp', '.cache', 'collections-ci', 'node24');
  const bin = platform === 'win' ? join(dir, 'package') : join(dir, 'package', 'bin');
  const exe = join(bin, platform === 'win' ? 'node.exe' : 'node');
  if (existsSync(exe) && versionOf(exe) >= REQUIRED_MAJOR) return bin;

  const pkg = `node-${platform}-${arch}@${REQUIRED_MAJOR}`;
  console.error(`[node] Node.js ${process.version} found; this project runs on Node.js ${REQUIRED_MAJOR}: fetching ${pkg} from the npm registry into ${dir} (once).`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const pack = spawnSync(npm, ['pack', '--silent', pkg], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'], shell: process.platform === 'win32' });
  const tarball = existsSync(dir) ? readdirSync(dir).find((f) => f.endsWith('.tgz')) : undefined;
  if (pack.status !== 0 || !tarball) {
    fail(`This project needs Node.js ${REQUIRED_MAJOR} (found ${process.version}) and fetching ${pkg} from the npm registry failed: ${howToFix}.`);
  }
  const untar = spawnSync('tar', ['xzf', tarball], { cwd: dir, stdio: 'inherit' });
  rmSync(join(dir, tarball), { force: true });
  if (untar.status !== 0 || !existsSync(exe) || versionOf(exe) < REQUIRED_MAJOR) {
    fail(`This project needs Node.js ${REQUIRED_MAJOR} (found ${process.version}) and unpacking ${pkg} failed: ${howToFix}.`);
  }
  console.error(`[node] using Node.js ${spawnSync(exe, ['--version'], { encoding: 'utf8' }).stdout.trim()} from ${bin}`);
  return bin;
}

function versionOf(exe) {
  const out = spawnSync(exe, ['-p', 'process.versions.node'], { encoding: 'utf8' });
  return out.status === 0 ? Number(out.stdout.trim().split('.')[0]) : 0;
}

/** Runs the command in the foreground; Ctrl-C reaches it directly (same process group), SIGTERM is passed on. */
function run(cmd, cmdArgs, childEnv) {
  const child = spawn(cmd, cmdArgs, { stdio: 'inherit', env: childEnv, shell: process.platform === 'win32' });
  const forward = (signal) => () => {
    if (child.exitCode === null) child.kill(signal);
  };
  process.on('SIGINT', () => {}); // the terminal already sent it to the child; wait for its exit
  process.on('SIGTERM', forward('SIGTERM'));
  process.on('SIGHUP', forward('SIGHUP'));
  child.on('error', (error) => fail(`could not run ${cmd}: ${error.message}`));
  child.on('exit', (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    } else {
      process.exit(code ?? 1);
    }
  });
}
