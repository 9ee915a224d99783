/**
 * Just enough Kubernetes protobuf to read what kubectl's typed clients send (`application/vnd.kubernetes.protobuf`):
 * `kubectl create secret|configmap|namespace|serviceaccount` and `kubectl auth can-i|whoami`. These have no JSON
 * fallback (a 415 fails the command). The envelope is `k8s\0` + runtime.Unknown{typeMeta, raw}; field numbers come
 * from k8s.io/api `generated.proto`. Replies stay JSON, which kubectl also accepts.
 */
import { KubeError } from './errors.js';

type Field =
  | {
      name: string;
      type: 'string' | 'bytes' | 'int' | 'bool' | 'time' | 'strings' | 'stringMap' | 'bytesMap';
    }
  | { name: string; type: 'message'; schema: Schema };
type Schema = Record<number, Field>;

const TIME: Schema = { 1: { name: 'seconds', type: 'int' }, 2: { name: 'nanos', type: 'int' } };
const OBJECT_META: Schema = {
  1: { name: 'name', type: 'string' },
  2: { name: 'generateName', type: 'string' },
  3: { name: 'namespace', type: 'string' },
  5: { name: 'uid', type: 'string' },
  6: { name: 'resourceVersion', type: 'string' },
  11: { name: 'labels', type: 'stringMap' },
  12: { name: 'annotations', type: 'stringMap' },
  14: { name: 'finalizers', type: 'strings' },
};
const META = { name: 'metadata', type: 'message', schema: OBJECT_META } as const;

const SCHEMAS: Record<string, Schema> = {
  'v1/Secret': {
    1: META,
    2: { name: 'data', type: 'bytesMap' },
    3: { name: 'type', type: 'string' },
    4: { name: 'stringData', type: 'stringMap' },
    5: { name: 'immutable', type: 'bool' },
  },
  'v1/ConfigMap': {
    1: META,
    2: { name: 'data', type: 'stringMap' },
    3: { name: 'binaryData', type: 'bytesMap' },
    4: { name: 'immutable', type: 'bool' },
  },
  'v1/Namespace': {
    1: META,
    2: { name: 'spec', type: 'message', schema: { 1: { name: 'finalizers', type: 'strings' } } },
  },
  'v1/ServiceAccount': { 1: META },
  'authentication.k8s.io/v1/SelfSubjectReview': { 1: META },
  'authorization.k8s.io/v1/SelfSubjectAccessReview': {
    1: META,
    2: {
      name: 'spec',
      type: 'message',
      schema: {
        1: {
          name: 'resourceAttributes',
          type: 'message',
          schema: {
            1: { name: 'namespace', type: 'string' },
            2: { name: 'verb', type: 'string' },
            3: { name: 'group', type: 'string' },
            4: { name: 'version', type: 'string' },
            5: { name: 'resource', type: 'string' },
            6: { name: 'subresource', type: 'string' },
            7: { name: 'name', type: 'string' },
          },
        },
      },
    },
  },
};

interface RawField {
  field: number;
  varint?: bigint;
  bytes?: Buffer;
}

function readFields(buf: Buffer): RawField[] {
  const out: RawField[] = [];
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = buf[pos++];
      if (byte === undefined) throw KubeError.badRequest('truncated protobuf');
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  while (pos < buf.length) {
    const key = Number(varint());
    const field = key >>> 3;
    switch (key & 7) {
      case 0:
        out.push({ field, varint: varint() });
        break;
      case 1:
        pos += 8;
        break;
      case 2: {
        const len = Number(varint());
        out.push({ field, bytes: buf.subarray(pos, pos + len) });
        pos += len;
        break;
      }
      case 5:
        pos += 4;
        break;
      default:
        throw KubeError.badRequest(`unsupported protobuf wire type ${key & 7}`);
    }
  }
  return out;
}

function mapEntry(bytes: Buffer): { key: string; value: Buffer } {
  const fields = readFields(bytes);
  const key = fields.find((f) => f.field === 1)?.bytes?.toString('utf8') ?? '';
  return { key, value: fields.find((f) => f.field === 2)?.bytes ?? Buffer.alloc(0) };
}

function decodeMessage(buf: Buffer, schema: Schema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const raw of readFields(buf)) {
    const spec = schema[raw.field];
    if (!spec) continue;
    const bytes = raw.bytes ?? Buffer.alloc(0);
    switch (spec.type) {
      case 'string':
        // proto2 sends empty optional strings; JSON (omitempty) has none.
        if (bytes.length > 0) out[spec.name] = bytes.toString('utf8');
        break;
      case 'bytes':
        out[spec.name] = bytes.toString('base64');
        break;
      case 'int':
        out[spec.name] = Number(raw.varint ?? 0n);
        break;
      case 'bool':
        out[spec.name] = raw.varint === 1n;
        break;
      case 'time': {
        const t = decodeMessage(bytes, TIME);
        out[spec.name] = new Date(Number(t.seconds ?? 0) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
        break;
      }
      case 'strings':
        out[spec.name] = [...((out[spec.name] as string[] | undefined) ?? []), bytes.toString('utf8')];
        break;
      case 'stringMap':
      case 'bytesMap': {
        const { key, value } = mapEntry(bytes);
        const map = (out[spec.name] as Record<string, string> | undefined) ?? {};
        map[key] = spec.type === 'stringMap' ? value.toString('utf8') : value.toString('base64');
        out[spec.name] = map;
        break;
      }
      case 'message':
        out[spec.name] = decodeMessage(bytes, spec.schema);
        break;
    }
  }
  return out;
}

/** Decodes a `k8s\0`-enveloped object of one of the kinds above into its JSON form; 415 for any other kind. */
export function decodeKubeProtobuf(body: Buffer, contentType: string): Record<string, unknown> {
  if (body.subarray(0, 4).toString('latin1') !== 'k8s\0') throw KubeError.unsupportedMediaType(contentType);
  const unknown = decodeMessage(body.subarray(4), {
    1: {
      name: 'typeMeta',
      type: 'message',
      schema: { 1: { name: 'apiVersion', type: 'string' }, 2: { name: 'kind', type: 'string' } },
    },
    2: { name: 'raw', type: 'bytes' },
  });
  const typeMeta = (unknown.typeMeta ?? {}) as { apiVersion?: string; kind?: string };
  const schema = SCHEMAS[`${typeMeta.apiVersion}/${typeMeta.kind}`];
  if (!schema)
    throw KubeError.unsupportedMediaType(`${contentType} (${typeMeta.apiVersion}/${typeMeta.kind})`);
  const raw = Buffer.from(String(unknown.raw ?? ''), 'base64');
  return { apiVersion: typeMeta.apiVersion, kind: typeMeta.kind, ...decodeMessage(raw, schema) };
}
