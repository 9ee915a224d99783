import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { message } from '../secrets/redactor.js';

/** Where a secret-valued config field takes its value from. */
export type SecretSource =
  | { kind: 'literal'; value: string }
  | { kind: 'env'; name: string }
  | { kind: 'file'; path: string };

/**
 * A secret from the config. It renders as `***` in every string and JSON form, so printing a config
 * object can never leak it; `reveal()` is the one way to the value, for the code that sends it.
 */
export class Secret {
  readonly source: SecretSource;
  #value: string | undefined;

  constructor(source: SecretSource) {
    this.source = source;
    if (source.kind === 'literal') this.#value = source.value;
  }

  static literal(value: string): Secret {
    return new Secret({ kind: 'literal', value });
  }

  get resolved(): boolean {
    return this.#value !== undefined;
  }

  /**
   * Reads an `{env}` or `{file}` reference. Returns an error message (no value in it) or undefined.
   * A file's single trailing newline is dropped: `kubectl create secret --from-file` and editors add one.
   */
  resolve(env: NodeJS.ProcessEnv): string | undefined {
    if (this.#value !== undefined) return undefined;
    const { source } = this;
    if (source.kind === 'env') {
      const value = env[source.name];
      if (value === undefined) return message`environment variable ${source.name} is not set`;
      if (value === '') return message`environment variable ${source.name} is empty`;
      this.#value = value;
      return undefined;
    }
    if (source.kind === 'file') {
      let text: string;
      try {
        text = readFileSync(source.path, 'utf8');
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? 'error';
        return message`cannot read file ${source.path} (${code})`;
      }
      const value = text.replace(/\r?\n$/, '');
      if (value === '') return message`file ${source.path} is empty`;
      this.#value = value;
      return undefined;
    }
    return undefined;
  }

  reveal(): string {
    if (this.#value === undefined)
      throw new Error(`secret from ${describeSource(this.source)} was never resolved`);
    return this.#value;
  }

  toString(): string {
    return '***';
  }

  toJSON(): string {
    return '***';
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Secret(${describeSource(this.source)})`;
  }
}

export function describeSource(source: SecretSource): string {
  if (source.kind === 'env') return `env ${source.name}`;
  if (source.kind === 'file') return `file ${source.path}`;
  return 'literal';
}

const envName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name')
  .meta({ examples: ['QUAY_TOKEN'] });

/** The marker tools and the config loader use to find secret-valued fields in the JSON Schema. */
export const SECRET_META_KEY = 'x-secret';

/**
 * A secret-valued field: a literal string, `{env: NAME}` or `{file: PATH}`
 * (a Tekton workspace or a mounted Kubernetes Secret).
 */
/** `exampleEnv` names the variable in the example an error shows (QUAY_PASSWORD for a password, …). */
export function secretValue(description: string, exampleEnv = 'QUAY_TOKEN') {
  return z
    .union([
      z.string().min(1),
      z.strictObject({ env: envName }),
      z.strictObject({
        file: z
          .string()
          .min(1)
          .meta({ examples: ['/workspace/quay-credentials/token'] }),
      }),
    ])
    .meta({
      description: `${description} — a string, {env: NAME} or {file: PATH}`,
      examples: [
        { env: exampleEnv },
        { file: `/workspace/credentials/${exampleEnv.toLowerCase().replaceAll('_', '-')}` },
      ],
      [SECRET_META_KEY]: true,
    })
    .transform((input): Secret => {
      if (typeof input === 'string') return Secret.literal(input);
      if ('env' in input) return new Secret({ kind: 'env', name: input.env });
      return new Secret({ kind: 'file', path: input.file });
    });
}
