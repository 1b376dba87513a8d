/** The two AD request controls the source sends; ldapts knows neither. */
import type { BerWriter, Control } from 'ldapts';
import { ldapts } from './ldapts';

/** LDAP_SERVER_SHOW_DELETED_OID: tombstones become visible (no value). */
export const SHOW_DELETED_OID = '1.2.840.113556.1.4.417';
/** LDAP_SERVER_EXTENDED_DN_OID: DN values come back as `<GUID=…>;<SID=…>;CN=…`. */
export const EXTENDED_DN_OID = '1.2.840.113556.1.4.529';

export function showDeletedControl(): Control {
  return new (ldapts().Control)(SHOW_DELETED_OID, { critical: true });
}

// The class extends ldapts' Control, so it is defined when first asked for (see ldapts.ts).
let ExtendedDn: (new () => Control) | undefined;

/**
 * Extended DN with option 1 (GUIDs in standard string form): memberOf, member and manager then
 * carry each target's objectGUID, so no lookup per DN is needed, and renames cannot stale them.
 */
export function extendedDnControl(): Control {
  ExtendedDn ??= defineExtendedDn();
  return new ExtendedDn();
}

function defineExtendedDn(): new () => Control {
  const { Ber, BerWriter: Writer, Control: Base } = ldapts();
  return class ExtendedDnControl extends Base {
    constructor() {
      super(EXTENDED_DN_OID, { critical: true });
    }

    protected override writeControl(writer: BerWriter): void {
      const inner = new Writer();
      inner.startSequence();
      inner.writeInt(1);
      inner.endSequence();
      writer.writeBuffer(inner.buffer, Ber.OctetString);
    }
  };
}
