/**
 * The programs outside Node that the tests and the image check run, and the Debian package of each:
 * the one list that `npm test` (scripts/setup.mjs --check), `npm run setup` and `.ci/run` use.
 *
 * `path` is where the tests look for the program (an absolute path when the tests call it so, with the
 * environment variable that moves it); otherwise the program is looked up on PATH as the tests do.
 * `package: null` means Debian does not carry a version the tests can use: the entry says where to get it.
 */
export const OUTSIDE_PROGRAMS = [
  {
    program: 'docker-registry',
    package: 'docker-registry',
    path: { env: 'DOCKER_REGISTRY_BIN', default: '/usr/bin/docker-registry' },
    why: 'the real registry (distribution 2.8) the registry client and mirror-repos are tested against',
    for: 'test',
  },
  {
    program: 'htpasswd',
    package: 'apache2-utils',
    why: 'bcrypt password files for the registries with Basic auth',
    for: 'test',
  },
  {
    program: 'openssl',
    package: 'openssl',
    path: { default: '/usr/bin/openssl' },
    why: 'the CAs and certificates of the TLS tests',
    for: 'test',
  },
  {
    program: 'skopeo',
    package: 'skopeo',
    why: 'a second client that reads what mirror-repos copied',
    for: 'test',
  },
  {
    program: 'podman',
    package: 'podman',
    why: "what mirror-repos' engine: podman drives",
    for: 'test',
  },
  {
    program: 'kubectl',
    package: null,
    path: { env: 'KUBE_EMULATOR_KUBECTL', default: '/usr/bin/kubectl' },
    why: 'the real kubectl the cluster tests drive against the emulated API server',
    install:
      "part of this machine's image (Debian's kubernetes-client is 1.20, too old): put kubectl ≥ 1.28 from https://dl.k8s.io at /usr/bin/kubectl",
    for: 'test',
  },
  {
    program: 'buildah',
    package: 'buildah',
    why: 'builds the container image that .ci/image checks',
    for: 'image',
  },
  {
    program: 'busybox',
    package: 'busybox-static',
    why: "the image check's stand-in base image (/bin/sh)",
    for: 'image',
  },
];

/** Packages installed alongside, without a program of their own to look for. */
export const SUPPORT_PACKAGES = ['ca-certificates'];
