import { SECTION_NAMES, SECTION_SCHEMAS, toJsonSchema } from './document.js';
import type { JsonSchemaNode } from './schema-lookup.js';
import { SECRET_META_KEY } from './secret.js';

/**
 * Renders the configuration reference (Markdown) from the zod schemas, so the README cannot drift from
 * what the loader accepts: a test compares the README with this output.
 */
export function renderConfigReference(): string {
  const out: string[] = [];
  for (const name of SECTION_NAMES) {
    const schema = toJsonSchema(SECTION_SCHEMAS[name], name);
    out.push(`#### \`${name}\``, '', String(schema.description ?? ''), '');
    out.push('| key | type | default | description | example |', '| --- | --- | --- | --- | --- |');
    const rows: string[] = [];
    walk(schema, schema, '', rows, 0);
    out.push(...rows, '');
  }
  return out.join('\n');
}

function walk(root: JsonSchemaNode, node: JsonSchemaNode, path: string, rows: string[], depth: number): void {
  const resolved = resolve(root, node);
  const objectLike = objectBranch(root, resolved);
  if (objectLike && depth < 6) {
    const props = objectLike.properties as Record<string, JsonSchemaNode> | undefined;
    if (props) {
      for (const [key, child] of Object.entries(props)) {
        const childPath = path === '' ? key : `${path}.${key}`;
        rows.push(row(root, childPath, child));
        walk(root, child, childPath, rows, depth + 1);
      }
      return;
    }
    const additional = objectLike.additionalProperties;
    if (additional && typeof additional === 'object') {
      const inner = resolve(root, additional as JsonSchemaNode);
      const namePath = path === '' ? '<name>' : `${path}.<name>`;
      const variants = Array.isArray(inner.oneOf) ? (inner.oneOf as JsonSchemaNode[]) : undefined;
      if (variants) walkVariants(root, variants, namePath, rows, depth + 1);
      else if (objectBranch(root, inner)?.properties) walk(root, inner, namePath, rows, depth + 1);
    }
    return;
  }
  const items = resolved.items;
  if (resolved.type === 'array' && items && typeof items === 'object' && depth < 6) {
    const itemObject = objectBranch(root, resolve(root, items as JsonSchemaNode));
    if (itemObject?.properties) walk(root, itemObject, `${path}[]`, rows, depth + 1);
  }
}

/**
 * The branches of a discriminated union (zod's `oneOf`): every key once, in branch order; a key several
 * branches share (the discriminator) lists all their values.
 */
function walkVariants(
  root: JsonSchemaNode,
  variants: readonly JsonSchemaNode[],
  path: string,
  rows: string[],
  depth: number,
): void {
  const shared = new Map<string, { index: number; values: unknown[]; node: JsonSchemaNode }>();
  for (const variant of variants) {
    const branch = objectBranch(root, resolve(root, variant));
    const props = branch?.properties as Record<string, JsonSchemaNode> | undefined;
    for (const [key, child] of Object.entries(props ?? {})) {
      const childPath = `${path}.${key}`;
      const resolved = resolve(root, child);
      const values = Array.isArray(resolved.enum)
        ? resolved.enum
        : 'const' in resolved
          ? [resolved.const]
          : undefined;
      const earlier = shared.get(childPath);
      if (earlier) {
        if (values) {
          earlier.values.push(...values);
          rows[earlier.index] = row(root, childPath, {
            ...earlier.node,
            enum: earlier.values,
            const: undefined,
          });
        }
        continue;
      }
      shared.set(childPath, { index: rows.length, values: [...(values ?? [])], node: resolved });
      rows.push(row(root, childPath, child));
      walk(root, child, childPath, rows, depth + 1);
    }
  }
}

/** The object-shaped branch of a node (itself, or the object option of a string-or-object union). */
function objectBranch(root: JsonSchemaNode, node: JsonSchemaNode): JsonSchemaNode | undefined {
  if (node[SECRET_META_KEY]) return undefined;
  if (node.type === 'object') return node;
  const options = node.anyOf;
  if (Array.isArray(options)) {
    for (const option of options) {
      const branch = resolve(root, option as JsonSchemaNode);
      if (branch.type === 'object' && (branch.properties || branch.additionalProperties)) return branch;
    }
  }
  return undefined;
}

function row(root: JsonSchemaNode, path: string, node: JsonSchemaNode): string {
  const resolved = resolve(root, node);
  const description = String(resolved.description ?? '');
  const def = resolved.default === undefined ? '' : `\`${JSON.stringify(resolved.default)}\``;
  const examples = resolved.examples;
  const example = Array.isArray(examples) && examples.length > 0 ? `\`${JSON.stringify(examples[0])}\`` : '';
  return `| \`${path}\` | ${typeOf(root, resolved)} | ${def} | ${escapeCell(description)} | ${escapeCell(example)} |`;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

function typeOf(root: JsonSchemaNode, node: JsonSchemaNode): string {
  if (node[SECRET_META_KEY]) return 'secret';
  if (Array.isArray(node.enum)) return node.enum.map((v) => `\`${String(v)}\``).join(' \\| ');
  if (Array.isArray(node.anyOf))
    return [...new Set(node.anyOf.map((o) => typeOf(root, resolve(root, o as JsonSchemaNode))))].join(' or ');
  if (node.type === 'array') {
    const items = node.items as JsonSchemaNode | undefined;
    return `list of ${items ? typeOf(root, resolve(root, items)) : 'any'}`;
  }
  if (node.type === 'object') return node.properties ? 'mapping' : 'map';
  return String(node.type ?? 'any');
}

function resolve(root: JsonSchemaNode, node: JsonSchemaNode): JsonSchemaNode {
  const ref = node.$ref;
  if (typeof ref !== 'string' || !ref.startsWith('#/')) return node;
  let target: unknown = root;
  for (const part of ref.slice(2).split('/')) target = (target as JsonSchemaNode | undefined)?.[part];
  return { ...(target as JsonSchemaNode), ...node, $ref: undefined };
}
