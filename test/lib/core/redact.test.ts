import { createHash } from 'node:crypto';
import { maskExternalId, maskId } from '../../../functions/lib/core/redact';

describe('maskId and maskExternalId', () => {
  it('shows an id as # and 8 hex of its SHA-256, the same wherever it appears', () => {
    expect(maskId('e1003')).toBe(`#${createHash('sha256').update('e1003').digest('hex').slice(0, 8)}`);
    expect(maskId('张三丰')).toMatch(/^#[0-9a-f]{8}$/);
    expect(maskId('张三丰')).not.toBe(maskId('张三'));
  });

  it('keeps the source and what comes before it, masking everything after the first colon', () => {
    expect(maskExternalId('file:张三丰')).toBe(`file:${maskId('张三丰')}`);
    expect(maskExternalId('suspension/file:a/b:c')).toBe(`suspension/file:${maskId('a/b:c')}`);
    expect(maskExternalId('safeguard/ledger')).toBe('safeguard/ledger');
  });
});
