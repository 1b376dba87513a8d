/**
 * The AD source's shared connection (../ldapClient/SharedConnection.ts), opened with openAdClient.
 */
import type { Client } from 'ldapts';
import { SharedConnection } from '../ldapClient/SharedConnection';
import type { AdSourceConfig } from './config';
import { openAdClient } from './connection';

export interface AdConnectionOptions {
  open?: (config: AdSourceConfig) => Promise<Client>;
  /** Closed after this long unused. Default 1 s. */
  idleMs?: number;
}

export class AdConnection extends SharedConnection {
  constructor(config: AdSourceConfig, options: AdConnectionOptions = {}) {
    const open = options.open ?? openAdClient;
    super(() => open(config), options.idleMs);
  }
}
