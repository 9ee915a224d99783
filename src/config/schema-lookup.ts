/**
 * Finds the JSON Schema node that describes a value at a key path, to draw the expected type and an
 * example from it for error messages. Works on the plain JSON produced by `z.toJSONSchema`.
 */
export type JsonSchemaNode = Record<string, unknown>;

export function schemaAt(root: JsonSchemaNode, path: readonly PropertyKey[]): JsonSchemaNode | undefined {
  const nodes = nodesAt(root, path);
  if (nodes.length === 0) return undefined;
  return nodes.flatMap((n) => expand(root, n)).find((n) => 'examples' in n || 'description' in n) ?? nodes[0];
}

/** Every node a key path can lead to (each branch of a union on the way). */
function nodesAt(root: JsonSchemaNode, path: readonly PropertyKey[]): JsonSchemaNode[] {
  let nodes: JsonSchemaNode[] = [root];
  for (const segment of path) {
    const next: JsonSchemaNode[] = [];
    for (const node of nodes.flatMap((n) => expand(root, n))) {
      const child = childOf(node, segment);
      if (child) next.push(child);
    }
    if (next.length === 0) return [];
    nodes = next;
  }
  return nodes;
}

/** The property names a node allows, for "expected one of …" on unknown keys. */
export function knownKeys(root: JsonSchemaNode, path: readonly PropertyKey[], value?: unknown): string[] {
  const keys = new Set<string>();
  const branches = nodesAt(root, path).flatMap((node) => expand(root, node));
  for (const n of branches.filter((branch) => fitsDiscriminator(root, branch, value))) {
    const props = n.properties;
    if (props && typeof props === 'object') for (const key of Object.keys(props)) keys.add(key);
  }
  return [...keys];
}

function expand(root: JsonSchemaNode, node: JsonSchemaNode): JsonSchemaNode[] {
  const resolved = resolveRef(root, node);
  const out: JsonSchemaNode[] = [resolved];
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const options = resolved[key];
    if (Array.isArray(options)) {
      for (const option of options) if (isNode(option)) out.push(...expand(root, option));
    }
  }
  return out;
}

function resolveRef(root: JsonSchemaNode, node: JsonSchemaNode): JsonSchemaNode {
  const ref = node.$ref;
  if (typeof ref !== 'string' || !ref.startsWith('#/')) return node;
  let target: unknown = root;
  for (const part of ref.slice(2).split('/')) {
    target = isNode(target) ? target[part] : undefined;
  }
  return isNode(target) ? { ...target, ...withoutRef(node) } : node;
}

function withoutRef(node: JsonSchemaNode): JsonSchemaNode {
  const { $ref: _ref, ...rest } = node;
  return rest;
}

function childOf(node: JsonSchemaNode, segment: PropertyKey): JsonSchemaNode | undefined {
  if (typeof segment === 'number') {
    return isNode(node.items) ? node.items : undefined;
  }
  const props = node.properties;
  if (isNode(props) && isNode(props[String(segment)])) return props[String(segment)] as JsonSchemaNode;
  if (isNode(node.additionalProperties)) return node.additionalProperties;
  return undefined;
}

function isNode(value: unknown): value is JsonSchemaNode {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * A branch of a discriminated union (a `type` property with fixed values) fits a mapping whose `type` is one
 * of them (or is absent and the branch defaults it): the keys of `{type: oci-layout, url: …}` are those of
 * the oci-layout branch only.
 */
function fitsDiscriminator(root: JsonSchemaNode, branch: JsonSchemaNode, value: unknown): boolean {
  const props = branch.properties as Record<string, JsonSchemaNode> | undefined;
  const discriminator = props?.type ? resolveRef(root, props.type) : undefined;
  if (!discriminator || value === null || typeof value !== 'object') return true;
  const allowed = Array.isArray(discriminator.enum)
    ? discriminator.enum
    : 'const' in discriminator
      ? [discriminator.const]
      : undefined;
  if (!allowed) return true;
  const given = (value as Record<string, unknown>).type;
  return given === undefined ? discriminator.default !== undefined : allowed.includes(given);
}
