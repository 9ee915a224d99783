#!/usr/bin/env node
/**
 * Checks (and with --install installs) the programs outside Node that the tests need, from the one list in
 * outside-programs.mjs. Plain JavaScript on purpose: `npm test` runs it before anything is built, so a
 * missing package is named within a second instead of after the build or, worse, as a hung suite.
 *
 *   node scripts/setup.mjs            check the test programs; exit 1 naming each missing one and the
 *                                     exact install command
 *   node scripts/setup.mjs --install  install the missing packages with apt-get (root and apt needed),
 *                                     then check again
 *   --all                             also the image check's programs (buildah)
 *   --real-quay                       also the Debian packages real Quay runs on (npm run test:real-quay):
 *                                     test/real-quay/apt-packages.txt, checked with dpkg-query
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OUTSIDE_PROGRAMS, SUPPORT_PACKAGES } from './outside-programs.mjs';

const args = new Set(process.argv.slice(2));
for (const arg of args) {
  if (!['--install', '--all', '--real-quay'].includes(arg)) {
    process.stderr.write(`setup: unknown flag ${arg} (flags: --install, --all, --real-quay)\n`);
    process.exit(2);
  }
}
const wanted = OUTSIDE_PROGRAMS.filter((entry) => args.has('--all') || entry.for === 'test');

function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Where the tests would find the program, or undefined; `looked` says where it was looked for. */
function locate(entry) {
  if (entry.path) {
    const fromEnv = entry.path.env ? process.env[entry.path.env] : undefined;
    const path = fromEnv || entry.path.default;
    const looked = fromEnv ? `${path} (from $${entry.path.env})` : path;
    return { found: executable(path) ? path : undefined, looked };
  }
  return { found: onPath(entry.program), looked: 'PATH' };
}

function onPath(program) {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  return dirs.map((dir) => join(dir, program)).find(executable);
}

const missingOf = () => wanted.filter((entry) => !locate(entry).found);
const packagesOf = (entries) => [...new Set(entries.map((entry) => entry.package).filter(Boolean))];
const aptCommand = (entries) => {
  const packages = packagesOf(entries);
  return packages.length > 0 ? `apt-get install -y ${packages.join(' ')}` : undefined;
};

function report(missing) {
  const lines = [`setup: missing ${missing.length} program(s) the tests need:`];
  for (const entry of missing) {
    const where = locate(entry).looked;
    const source = entry.package ? `Debian package ${entry.package}` : entry.install;
    lines.push(`  ${entry.program} — not found on ${where}; ${source}. Needed for ${entry.why}.`);
  }
  const command = aptCommand(missing);
  if (command) lines.push(`Install with:  ${command}   (as root; or: npm run setup)`);
  process.stderr.write(`${lines.join('\n')}\n`);
}

function install(missing, { recommends = false } = {}) {
  const packages = packagesOf(missing);
  if (packages.length === 0) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !onPath('apt-get')) {
    process.stderr.write(
      `setup: cannot install here (${isRoot ? 'no apt-get' : 'not root'}); run as root: ${aptCommand(missing)}\n`,
    );
    return;
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  process.stderr.write(`setup: ${aptCommand(missing)}\n`);
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync(
    'apt-get',
    // Real Quay's packages as its recipe installs them (with what they recommend): that is the set measured.
    [
      'install',
      '-y',
      '-qq',
      ...(recommends ? [] : ['--no-install-recommends']),
      ...packages,
      ...SUPPORT_PACKAGES,
    ],
    {
      stdio: 'inherit',
      env,
    },
  );
}

/** Real Quay's Debian packages (Python libraries and redis-server) that dpkg does not list as installed. */
function missingRealQuayPackages() {
  const list = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'real-quay', 'apt-packages.txt');
  const packages = readFileSync(list, 'utf8').split(/\s+/).filter(Boolean);
  let out = '';
  try {
    out = execFileSync('dpkg-query', ['-W', `-f=\${Package} \${db:Status-Abbrev}\n`, ...packages], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch (error) {
    out = String(error.stdout ?? ''); // dpkg-query exits 1 when a package is unknown; its stdout still lists the rest
  }
  const installed = new Set(
    out
      .split('\n')
      .filter((line) => / ii/.test(line))
      .map((line) => line.split(' ')[0].split(':')[0]),
  );
  return packages.filter((name) => !installed.has(name));
}

if (args.has('--real-quay')) {
  let lacking = missingRealQuayPackages();
  if (lacking.length > 0 && args.has('--install')) {
    install(
      lacking.map((name) => ({ package: name })),
      { recommends: true },
    );
    lacking = missingRealQuayPackages();
  }
  if (lacking.length > 0) {
    process.stderr.write(
      `setup: real Quay needs ${lacking.length} Debian package(s) not installed: ${lacking.join(' ')}\n` +
        `Install with:  apt-get install -y ${lacking.join(' ')}   (as root; or: node scripts/setup.mjs --install --real-quay)\n`,
    );
    process.exit(1);
  }
  process.stderr.write('setup: the Debian packages real Quay runs on are installed\n');
}

let missing = missingOf();
if (missing.length > 0 && args.has('--install')) {
  install(missing);
  missing = missingOf();
}
if (missing.length > 0) {
  report(missing);
  process.exit(1);
}
process.stderr.write(`setup: ${wanted.map((entry) => entry.program).join(', ')} present\n`);
