/**
 * Okta's Link header (RFC 8288, reference/idp.md §2.3): the `next` page is a whole URL to follow as
 * given, never one to build. `fetch` joins repeated `link` headers with ", ".
 *
 * @example
 * nextLink('<https://acme.okta.com/api/v1/users?limit=200>; rel="self", <https://acme.okta.com/api/v1/users?after=00u9&limit=200>; rel="next"')
 * // 'https://acme.okta.com/api/v1/users?after=00u9&limit=200'
 */
const LINK = /<([^>]*)>\s*((?:;\s*[^;,]+)*)/g;

export function nextLink(header: string | null): string | undefined {
  if (!header) return undefined;
  for (const [, url, params] of header.matchAll(LINK)) {
    const rel = /;\s*rel\s*=\s*"?([^";,]+)"?/i.exec(params ?? '')?.[1];
    if (rel?.split(/\s+/).includes('next')) return url;
  }
  return undefined;
}
