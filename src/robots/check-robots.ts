import { readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError, type ConfigIssue } from '../config/errors.js';
import type { CreateRobotsConfig } from '../config/sections/create-robots.js';

/**
 * Checks a robots list can be applied as a whole before anything is created: each robot is declared once
 * (a robot both present and absent has no meaning), and each auth file can be written (not a folder, not
 * a file that is not JSON, not under a file), so a run cannot create a robot and then fail to hand on
 * its credentials.
 */
export function checkRobots(robots: CreateRobotsConfig['robots'], section = 'create-robots'): void {
  const first = new Map<string, number>();
  const issues: ConfigIssue[] = [];
  robots.forEach((robot, i) => {
    const fullName = `${robot.organization ?? robot.user}+${robot.name}`;
    const earlier = first.get(fullName);
    if (earlier === undefined) first.set(fullName, i);
    else {
      const other = robots[earlier];
      issues.push({
        path: `${section}.robots[${i}]`,
        message:
          other?.state === robot.state
            ? `declares robot ${fullName} again (robots[${earlier}] does already)`
            : `declares robot ${fullName} ${robot.state}, and robots[${earlier}] declares it ${other?.state}`,
        expected: 'each robot once',
      });
    }
    if (robot.authFile !== undefined) {
      const problem = authFileProblem(robot.authFile);
      if (problem) issues.push({ path: `${section}.robots[${i}].authFile`, message: problem });
    }
  });
  if (issues.length > 0) throw new ConfigError(issues);
}

function authFileProblem(path: string): string | undefined {
  const stats = statOrUndefined(path);
  if (stats?.isDirectory()) return `${path} is a folder; expected the path of an auth.json file in it`;
  if (stats?.isFile()) {
    try {
      JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      const why =
        error instanceof SyntaxError
          ? 'is not JSON'
          : `cannot be read (${(error as NodeJS.ErrnoException).code})`;
      return `${path} ${why}; expected a containers auth.json (or no file yet)`;
    }
    return undefined;
  }
  if (stats !== undefined) return `${path} is not a regular file`;
  // Not there yet: the nearest existing parent must be a folder.
  for (let parent = dirname(path); ; parent = dirname(parent)) {
    const parentStats = statOrUndefined(parent);
    if (parentStats !== undefined)
      return parentStats.isDirectory()
        ? undefined
        : `${parent} is not a folder, so ${path} cannot be created`;
    if (dirname(parent) === parent) return undefined;
  }
}

function statOrUndefined(path: string) {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
