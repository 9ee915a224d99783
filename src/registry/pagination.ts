/**
 * `Link: <url>; rel="next"` (RFC 8288), how the tag list, `_catalog` and referrers paginate (OCI
 * distribution-spec "Listing Tags"). Clients must follow the link rather than build `last=` themselves:
 * Quay's `_catalog` page token is opaque (mirror-anchors.md §2.7).
 */

/** The `rel="next"` target of one or more Link header values, or undefined. */
export function nextLink(values: string | readonly string[] | undefined): string | undefined {
  if (values === undefined) return undefined;
  const list = typeof values === 'string' ? [values] : values;
  for (const value of list) {
    for (const match of value.matchAll(/<([^>]*)>((?:\s*;\s*[^;,]+)*)/g)) {
      const params = match[2] ?? '';
      const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(params);
      const relations = (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/);
      if (relations.includes('next')) return match[1];
    }
  }
  return undefined;
}
