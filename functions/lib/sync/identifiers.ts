/**
 * Which kind of person id each source was first synced with. Switching it (Lark's LARK_USER_ID_TYPE
 * from union_id to open_id) changes every externalId at once: each person would look new and each
 * RAM user gone, so the safeguard would hold the deletions and the creates would duplicate everyone.
 * A run configured with another kind therefore stops before planning and says how to migrate, and so
 * does every run while a migration is half done (some people linked by each kind).
 */
import { IdentifierTypeChangedError } from '../core/errors';
import type { SourceName } from '../core/model';
import type { Source, StateStore } from '../core/ports';

export interface IdentifierRecord {
  type: string;
  since: string;
  /** Set while a migration to this kind has re-linked some people but not all: nothing plans then. */
  migratingTo?: string;
}

export const identifierKey = (source: SourceName) => `source/${source}/identifier`;

/**
 * Throws `IdentifierTypeChangedError` for a source configured with another id type than recorded.
 * `record` (runs that write) stores the type of a source seen for the first time.
 */
export async function checkIdentifierTypes(sources: Source[], state: StateStore, options: { record: boolean }): Promise<void> {
  for (const source of sources) {
    if (!source.identifier) continue;
    const recorded = await state.get<IdentifierRecord>(identifierKey(source.name));
    if (!recorded) {
      if (options.record) await state.put<IdentifierRecord>(identifierKey(source.name), { type: source.identifier.type, since: new Date().toISOString() });
      continue;
    }
    if (recorded.migratingTo !== undefined || recorded.type !== source.identifier.type) {
      throw new IdentifierTypeChangedError(source.name, recorded, source.identifier.type, source.identifier.variable);
    }
  }
}
