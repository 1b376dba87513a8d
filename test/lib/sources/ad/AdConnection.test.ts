/**
 * The AD source's shared connection, with stand-in clients: how many connections it opens, when it
 * closes them, and what it does with a connection that died (AD drops idle ones after 900 s).
 */
import type { Client } from 'ldapts';
import { AdConnection } from '../../../../functions/lib/sources/ad/AdConnection';
import type { AdSourceConfig } from '../../../../functions/lib/sources/ad/config';

const CONFIG = {} as AdSourceConfig;

class FakeClient {
  isConnected = true;
  unbinds = 0;
  constructor(readonly n: number) {}
  async unbind(): Promise<void> {
    this.unbinds++;
    this.isConnected = false;
  }
}

function opener(failFirst = 0) {
  const opened: FakeClient[] = [];
  let failures = failFirst;
  const open = async (): Promise<Client> => {
    if (failures-- > 0) throw new Error('DC unreachable');
    const client = new FakeClient(opened.length + 1);
    opened.push(client);
    return client as unknown as Client;
  };
  return { opened, open };
}

const n = (client: Client) => (client as unknown as FakeClient).n;
const until = async (done: () => boolean) => {
  for (let i = 0; i < 200 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
};

describe('AdConnection', () => {
  it('opens one connection for many reads at once, and reuses it for the next ones', async () => {
    const { opened, open } = opener();
    const connection = new AdConnection(CONFIG, { open });
    const used = await Promise.all(Array.from({ length: 20 }, () => connection.read(async (client) => n(client))));
    expect(new Set(used)).toEqual(new Set([1]));
    expect(await connection.read(async (client) => n(client))).toBe(1);
    expect(opened).toHaveLength(1);
    await connection.close();
  });

  it('unbinds after an idle spell, and on close(); the next read opens a new connection', async () => {
    const { opened, open } = opener();
    const connection = new AdConnection(CONFIG, { open, idleMs: 5 });
    await connection.read(async () => undefined);
    await until(() => opened[0]!.unbinds > 0);
    expect(opened[0]!.unbinds).toBe(1);
    expect(await connection.read(async (client) => n(client))).toBe(2);
    await connection.close();
    expect(opened[1]!.unbinds).toBe(1);
    expect(await connection.read(async (client) => n(client))).toBe(3);
    await connection.close();
  });

  it('does not close a connection a listing still holds', async () => {
    const { opened, open } = opener();
    const connection = new AdConnection(CONFIG, { open, idleMs: 5 });
    const held = await connection.acquire();
    await connection.read(async () => undefined);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(opened[0]!.unbinds).toBe(0);
    connection.release();
    await until(() => opened[0]!.unbinds > 0);
    expect(n(held)).toBe(1);
  });

  it('repeats a read once on a fresh connection when the connection died under it', async () => {
    const { opened, open } = opener();
    const connection = new AdConnection(CONFIG, { open });
    await connection.read(async () => undefined);
    let calls = 0;
    const result = await connection.read(async (client) => {
      calls++;
      if (n(client) === 1) {
        opened[0]!.isConnected = false; // the DC closed it while we were away
        throw new Error('socket closed');
      }
      return n(client);
    });
    expect({ result, calls, opened: opened.length }).toEqual({ result: 2, calls: 2, opened: 2 });
    await connection.close();
  });

  it('does not repeat a read that failed on a live connection (the DC answered: repeating would not help)', async () => {
    const { opened, open } = opener();
    const connection = new AdConnection(CONFIG, { open });
    let calls = 0;
    await expect(connection.read(async () => { calls++; throw new Error('insufficient access'); })).rejects.toThrow('insufficient access');
    expect({ calls, opened: opened.length }).toEqual({ calls: 1, opened: 1 });
    await connection.close();
  });

  it('replaces a connection found dead before use, and keeps no failed open', async () => {
    const { opened, open } = opener(1);
    const connection = new AdConnection(CONFIG, { open });
    await expect(connection.read(async () => undefined)).rejects.toThrow('DC unreachable');
    expect(await connection.read(async (client) => n(client))).toBe(1);
    opened[0]!.isConnected = false;
    expect(await connection.read(async (client) => n(client))).toBe(2);
    await connection.close();
  });
});
