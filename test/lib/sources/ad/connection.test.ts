/**
 * What an operator reads when the bind fails. Samba in CI accepts plain binds (the harness turns
 * "strong auth" off), so a DC that demands encryption is played by a minimal LDAP responder that
 * answers every bind with the result code under test; a real DC's wrong password and untrusted CA
 * are in AdSource.samba.test.ts.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { openAdClient } from '../../../../functions/lib/sources/ad/connection';
import type { AdSourceConfig } from '../../../../functions/lib/sources/ad/config';

const PASSWORD = 'hunter2-sentinel';

/** BER: a definite length (short or long form). */
function length(n: number): Buffer {
  return n < 0x80 ? Buffer.from([n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
}
function tlv(tag: number, value: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), length(value.length), value]);
}

/** LDAPMessage ::= SEQUENCE { messageID INTEGER, … }: the bytes of the first INTEGER inside. */
function messageIdOf(request: Buffer): Buffer {
  const sequenceLength = request[1]!;
  const integerAt = 2 + (sequenceLength & 0x80 ? sequenceLength & 0x7f : 0);
  return request.subarray(integerAt + 2, integerAt + 2 + request[integerAt + 1]!);
}

/** An LDAP server whose every BindResponse carries `resultCode` (RFC 4511 4.2.2); `silent` never answers. */
async function fakeDc(answer: { resultCode: number; message?: string } | 'silent'): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('data', (request) => {
      if (answer === 'silent') return;
      const bindResponse = tlv(0x61, Buffer.concat([
        tlv(0x0a, Buffer.from([answer.resultCode])), tlv(0x04, Buffer.alloc(0)), tlv(0x04, Buffer.from(answer.message ?? '')),
      ]));
      socket.write(tlv(0x30, Buffer.concat([tlv(0x02, messageIdOf(request)), bindResponse])));
    });
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `ldap://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

const config = (url: string, overrides: Partial<AdSourceConfig> = {}): AdSourceConfig => ({
  url, transport: 'plain', bindDn: 'CN=svc-ram-sync,OU=Service,DC=corp,DC=example', bindPassword: PASSWORD,
  baseDn: 'DC=corp,DC=example', userFilter: '(objectClass=user)', groupFilter: '(objectClass=group)', timeoutMs: 2_000, pageSize: 500, ...overrides,
});

async function bindFailure(settings: AdSourceConfig): Promise<{ kind: string; message: string; retryable: boolean }> {
  try {
    const client = await openAdClient(settings);
    await client.unbind();
  } catch (error) {
    return error as { kind: string; message: string; retryable: boolean };
  }
  throw new Error('the bind succeeded');
}

describe('openAdClient: a failed bind, explained', () => {
  it.each([
    [49, 'invalid-credentials', /wrong AD_BIND_DN or AD_BIND_PASSWORD/],
    [8, 'strong-auth-required', /requires transport encryption; use ldaps:\/\/ or ldap:\/\/ with StartTLS/],
    [13, 'strong-auth-required', /requires transport encryption/],
  ])('LDAP result %i is %s, with what to do and never the password', async (resultCode, kind, advice) => {
    const dc = await fakeDc({ resultCode, message: '00002028: LdapErr: DSID-0C090259, comment: The server requires binds to turn on integrity checking' });
    try {
      const error = await bindFailure(config(dc.url));
      expect(error).toMatchObject({ kind, retryable: false, message: expect.stringMatching(advice) });
      expect(JSON.stringify(error) + error.message).not.toContain(PASSWORD);
    } finally {
      await dc.close();
    }
  });

  it('a DC that cannot be reached is unreachable, and worth retrying', async () => {
    const dc = await fakeDc({ resultCode: 0 });
    const { url } = dc;
    await dc.close();
    expect(await bindFailure(config(url))).toMatchObject({ kind: 'unreachable', retryable: true, message: expect.stringMatching(/could not be reached.*AD_URL/) });
  });

  it('a DC that never answers is given up after AD_TIMEOUT_MS, as unreachable', async () => {
    const dc = await fakeDc('silent');
    try {
      expect(await bindFailure(config(dc.url, { timeoutMs: 300 }))).toMatchObject({ kind: 'unreachable', retryable: true });
    } finally {
      await dc.close();
    }
  });
});
