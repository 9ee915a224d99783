#!/usr/bin/env node
import { isMainModule, runMain } from '../src/cli/main.js';
import type { TaskDefinition } from '../src/cli/task.js';
import type { SectionName } from '../src/config/document.js';
import { fullDocumentSchema, toJsonSchema } from '../src/config/document.js';
import { renderConfigReference } from '../src/config/reference-doc.js';
import { packageVersion } from '../src/version.js';

/** One binary for GitHub Actions and Tekton steps: `quay-tasks <task> [flags]`. */
const TASKS: Record<string, () => Promise<{ definition: TaskDefinition<SectionName> }>> = {
  'apply-ordered': () => import('./apply-ordered.js') as Promise<{ definition: TaskDefinition<SectionName> }>,
  'quay-init': () => import('./quay-init.js') as Promise<{ definition: TaskDefinition<SectionName> }>,
  'create-robots': () => import('./create-robots.js') as Promise<{ definition: TaskDefinition<SectionName> }>,
  proxycache: () => import('./proxycache.js') as Promise<{ definition: TaskDefinition<SectionName> }>,
  'quay-config': () => import('./quay-config.js') as Promise<{ definition: TaskDefinition<SectionName> }>,
  'mirror-repos': () => import('./mirror-repos.js') as Promise<{ definition: TaskDefinition<SectionName> }>,
  'pipeline-report': () =>
    import('./pipeline-report.js') as Promise<{ definition: TaskDefinition<SectionName> }>,
};

const HELP = `quay-tasks — install, configure and mirror Red Hat Quay on OpenShift

Usage: quay-tasks <task> [flags]      (each task is also its own command)

Tasks:
  apply-ordered   apply a folder of manifests in order, waiting for readiness
  quay-init       first user, organizations, super users, ownership, config bundle
  create-robots   robot accounts with repository permissions and pull secrets
  proxycache      proxy-cache configuration of organizations
  quay-config     teams, default permissions, repositories, notifications and quota
  mirror-repos    mirror repositories and tags between Quay instances
  pipeline-report add up the shard reports of the quay-mirror Pipeline (its finally task)

  quay-tasks <task> --help      flags of one task
  quay-tasks --print-schema     JSON Schema of a whole config file (every section)
  quay-tasks --print-config-reference   the configuration reference as Markdown
  quay-tasks --version
`;

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    process.stdout.write(HELP);
    return first === undefined ? 2 : 0;
  }
  if (first === '--version') {
    process.stdout.write(`quay-tasks ${packageVersion()}\n`);
    return 0;
  }
  if (first === '--print-schema') {
    process.stdout.write(
      `${JSON.stringify(toJsonSchema(fullDocumentSchema(), 'quay-tasks configuration'), null, 2)}\n`,
    );
    return 0;
  }
  if (first === '--print-config-reference') {
    process.stdout.write(renderConfigReference());
    return 0;
  }
  const load = TASKS[first];
  if (!load) {
    process.stderr.write(
      `quay-tasks: usage error: unknown task "${first}"; expected one of: ${Object.keys(TASKS).join(', ')}\n`,
    );
    return 2;
  }
  const { definition } = await load();
  await runMain(definition, rest);
  return typeof process.exitCode === 'number' ? process.exitCode : 0;
}

if (isMainModule(import.meta.url)) process.exitCode = await main(process.argv.slice(2));
