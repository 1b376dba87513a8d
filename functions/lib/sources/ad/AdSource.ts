/**
 * Active Directory as a Source for the engine: one user or group by objectGUID (for `push`), and
 * everything in scope, paged (for `full-sync`). Scope is `AD_BASE_DN` with `AD_USER_FILTER` /
 * `AD_GROUP_FILTER`: an object outside it is absent, exactly like a deleted one.
 *
 * Calls share one connection (AdConnection): a push reads every changed person and their groups
 * at once. `close()` ends it at the end of an invocation.
 */
import type { Client, Entry, Filter } from 'ldapts';
import type { Department, Identity } from '../../core/model';
import type { Source } from '../../core/ports';
import type { AdSourceConfig } from './config';
import { AdConnection, type AdConnectionOptions } from './AdConnection';
import { search } from './connection';
import { extendedDnControl } from './controls';
import { AdSourceError } from './errors';
import { and, guidFilter, scopeFilters } from './filters';
import { isGuidString } from './guid';
import { BUFFER_ATTRIBUTES, GROUP_ATTRIBUTES, toDepartment, toIdentity, USER_ATTRIBUTES } from './mapping';
import { attributeRequest, completeRangedAttributes } from './ranges';

export class AdSource implements Source {
  readonly name = 'ad' as const;
  readonly identifier = { type: 'objectGUID' };
  /** Parsed at the first search, so constructing the source does not load ldapts (see ldapts.ts). */
  private filters?: { user: Filter; group: Filter };
  /** memberOf of someone in more groups than MaxValRange (1500) arrives in ranges. */
  private readonly userAttributes: string[];
  private readonly connection: AdConnection;

  constructor(private readonly config: AdSourceConfig, options: AdConnectionOptions = {}) {
    this.connection = new AdConnection(config, options);
    this.userAttributes = USER_ATTRIBUTES.map((a) => (a === 'memberOf' ? attributeRequest(a, config.valueRangeStep) : a));
  }

  private get scope(): { user: Filter; group: Filter } {
    this.filters ??= scopeFilters(this.config);
    return this.filters;
  }

  async getUser(sourceId: string): Promise<Identity | undefined> {
    const entry = await this.findOne('user', sourceId, this.scope.user, this.userAttributes);
    return entry && toIdentity(entry);
  }

  async getDepartment(sourceId: string): Promise<Department | undefined> {
    const entry = await this.findOne('group', sourceId, this.scope.group, GROUP_ATTRIBUTES);
    return entry && toDepartment(entry);
  }

  async *listUsers(): AsyncIterable<Identity> {
    for await (const entry of this.listAll(this.scope.user, this.userAttributes)) yield toIdentity(entry);
  }

  async *listDepartments(): AsyncIterable<Department> {
    for await (const entry of this.listAll(this.scope.group, GROUP_ATTRIBUTES)) yield toDepartment(entry);
  }

  /** The object with this GUID under the base DN and matching the filter; the GUID goes on the wire as bytes. */
  private async findOne(kind: string, sourceId: string, scope: Filter, attributes: string[]): Promise<Entry | undefined> {
    // Not a GUID cannot be one of ours: absent, like any id the directory does not hold.
    if (!isGuidString(sourceId)) return undefined;
    return this.connection.read(async (client) => {
      const result = await search(client, `one ${kind}`, this.config.baseDn, {
        scope: 'sub', filter: and(guidFilter(sourceId), scope), attributes, explicitBufferAttributes: BUFFER_ATTRIBUTES, sizeLimit: 2,
      }, extendedDnControl());
      const entry = result.searchEntries[0];
      return entry && (await this.complete(client, entry));
    });
  }

  /** Ends the shared connection (the next call opens another). */
  close(): Promise<void> {
    return this.connection.close();
  }

  /** The rest of a ranged memberOf (a no-op for everyone in fewer groups than the DC's cap). */
  private complete(client: Client, entry: Entry): Promise<Entry> {
    return completeRangedAttributes(client, entry, ['memberOf'], { controls: [extendedDnControl()], step: this.config.valueRangeStep });
  }

  private async *listAll(scope: Filter, attributes: string[]): AsyncIterable<Entry> {
    const client = await this.connection.acquire();
    try {
      const pages = client.searchPaginated(this.config.baseDn, {
        scope: 'sub', filter: scope, attributes, explicitBufferAttributes: BUFFER_ATTRIBUTES, paged: { pageSize: this.config.pageSize },
      }, extendedDnControl());
      try {
        for await (const page of pages) {
          for (const entry of page.searchEntries) yield await this.complete(client, entry);
        }
      } catch (error) {
        throw new AdSourceError('ldap', `AD listing failed: ${error instanceof Error ? error.name : 'unknown error'}`, { cause: error });
      }
    } finally {
      this.connection.release();
    }
  }
}

export function createAdSource(config: AdSourceConfig): AdSource {
  return new AdSource(config);
}
