/**
 * Lark's contact API, as the source needs it (reference/webhooks.md §2.3): one user or department
 * by id, every department under the root, and the members of a department, paged. Sent through
 * the vendor client (../vendorClient.ts) with Lark's table (errcodes.ts).
 */
import { retryPolicy } from '../../core/retryPolicy';
import { type VendorApiOptions, VendorClient } from '../vendorClient';
import type { LarkSourceConfig } from './config';
import { DEPARTMENT_ID_TYPE, type LarkUserIdType, ROOT_DEPARTMENT_ID } from './constants';
import { LARK_CODES, LARK_TABLE, type LarkRequest } from './errcodes';
import { LarkApiError } from './errors';
import type { LarkDepartment, LarkUser } from './types';

/** `data` of a successful answer (the whole body for the token endpoint). */
type Data = Record<string, unknown>;

export interface LarkApiOptions extends VendorApiOptions {
  /** Page size for listings (Lark allows at most 50); default 50. */
  pageSize?: number;
}

export class LarkApi {
  private readonly client: VendorClient<LarkRequest>;
  private readonly pageSize: number;

  constructor(private readonly config: LarkSourceConfig, options: LarkApiOptions = {}) {
    this.pageSize = options.pageSize ?? 50;
    this.client = new VendorClient({
      baseUrl: config.apiUrl,
      timeoutMs: options.timeoutMs,
      // No jitter: Lark's limits are per app, and its reset header says when to come back.
      retry: retryPolicy({ maxAttempts: 6, baseMs: 500, capMs: 60_000, jitter: 'none', ...options.retry }),
      token: {
        issue: () => this.issueToken(), now: options.now,
        // Lark hands out a new tenant token once less than 30 minutes remain: renew then (halfway for short ones).
        renewEarly: (s) => Math.min(1800, s / 2),
      },
    }, LARK_TABLE);
  }

  /**
   * The user, or undefined when Lark says there is no such user. Outside the app's contact scope
   * (41050) is a `NotVisibleError`: Lark hides the person, which does not mean they left.
   * `idType` names the kind of `id` (default the configured one); every id the app may see comes back.
   */
  async getUser(id: string, idType: LarkUserIdType = this.config.userIdType): Promise<LarkUser | undefined> {
    const data = await this.client.request<Data>({
      method: 'GET', label: 'GET /contact/v3/users/:user_id', path: `/contact/v3/users/${encodeURIComponent(id)}`,
      query: this.idTypes(idType), absent: LARK_CODES.userAbsent, notVisible: { kind: 'user', id, codes: LARK_CODES.userNotVisible },
    });
    return data ? (data.user as LarkUser | undefined) : undefined;
  }

  /** The department, or undefined when there is no such department; outside the scope (40004) is a `NotVisibleError`. */
  async getDepartment(id: string): Promise<LarkDepartment | undefined> {
    const data = await this.client.request<Data>({
      method: 'GET', label: 'GET /contact/v3/departments/:department_id', path: `/contact/v3/departments/${encodeURIComponent(id)}`,
      query: this.idTypes(), absent: LARK_CODES.departmentAbsent,
      notVisible: { kind: 'department', id, codes: LARK_CODES.departmentNotVisible },
    });
    return data ? (data.department as LarkDepartment | undefined) : undefined;
  }

  /** Every department below `parentId` (default the root, `0`), all levels (`fetch_child=true`). */
  departments(parentId: string = ROOT_DEPARTMENT_ID): AsyncIterable<LarkDepartment> {
    return this.pages<LarkDepartment>({
      method: 'GET', label: 'GET /contact/v3/departments/:department_id/children',
      path: `/contact/v3/departments/${encodeURIComponent(parentId)}/children`,
      query: { ...this.idTypes(), fetch_child: 'true' },
    });
  }

  /** The department's direct members. */
  usersInDepartment(departmentId: string): AsyncIterable<LarkUser> {
    return this.pages<LarkUser>({
      method: 'GET', label: 'GET /contact/v3/users/find_by_department', path: '/contact/v3/users/find_by_department',
      query: { ...this.idTypes(), department_id: departmentId },
    });
  }

  private idTypes(userIdType: LarkUserIdType = this.config.userIdType): Record<string, string> {
    return { user_id_type: userIdType, department_id_type: DEPARTMENT_ID_TYPE };
  }

  private async *pages<T>(call: LarkRequest): AsyncIterable<T> {
    let pageToken: string | undefined;
    const seen = new Set<string>();
    do {
      const query = { ...call.query, page_size: String(this.pageSize), ...(pageToken && { page_token: pageToken }) };
      const data = (await this.client.request<Data>({ ...call, query }))!;
      const items = Array.isArray(data.items) ? data.items as T[] : [];
      yield* items;
      pageToken = data.has_more === true && typeof data.page_token === 'string' && data.page_token ? data.page_token : undefined;
      if (pageToken !== undefined) {
        // A server handing back a token it already gave would page forever.
        if (seen.has(pageToken)) {
          throw new LarkApiError({ code: 'InvalidAnswer', retryable: true, reason: `${call.label} repeated a page_token` });
        }
        seen.add(pageToken);
      }
    } while (pageToken !== undefined);
  }

  private async issueToken(): Promise<{ token: string; expiresIn: number }> {
    const data = await this.client.request<Data>({
      method: 'POST', label: 'POST /auth/v3/tenant_access_token/internal', path: '/auth/v3/tenant_access_token/internal',
      json: { app_id: this.config.appId, app_secret: this.config.appSecret }, anonymous: true,
    });
    const token = data?.tenant_access_token;
    const expire = data?.expire;
    if (typeof token !== 'string' || !token || typeof expire !== 'number' || expire <= 0) {
      const reason = 'the tenant_access_token answer lacks tenant_access_token or expire';
      throw new LarkApiError({ code: 'InvalidAnswer', retryable: true, reason });
    }
    return { token, expiresIn: expire };
  }
}
