/**
 * RAM's OAuth server for SCIM: `POST /v1/token` (client credentials for server apps, authorization
 * code and rotating refresh tokens for native apps) and `GET /oauth2/v1/auth`, which consents at
 * once. Token answers are byte-for-byte RAM's shape, `expires_in` included as a JSON string.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { formBody, header, json, type EmulatorReply, type EmulatorRequest } from './http';
import { randomToken, requestId } from './ids';
import type { EmulatorClient } from './types';

export const SCIM_SCOPE = '/acs/scim';
/** Scopes a RAM app may ask for; only /acs/scim opens the SCIM API. */
const KNOWN_SCOPES = new Set([SCIM_SCOPE, 'openid', 'aliuid', 'profile']);
const CODE_TTL_MS = 5 * 60_000;
const REFRESH_TTL_MS = 90 * 24 * 3600_000; // RAM's default for native apps

interface Grant {
  clientId: string;
  scope: string;
  expiresAt: number;
}
interface CodeGrant extends Grant {
  redirectUri: string;
  challenge?: { value: string; method: 'plain' | 'S256' };
}

export type BearerCheck = { ok: true; scope: string } | { ok: false; reason: 'missing' | 'invalid' | 'expired' };

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function oauthError(status: number, error: string, description: string, basic = false): EmulatorReply {
  const headers: Record<string, string> = { 'cache-control': 'no-store' };
  if (status === 401 && basic) headers['www-authenticate'] = 'Basic realm="oauth"';
  return json(status, { error, error_description: description }, headers);
}

/** A JWT-shaped opaque token, as RAM's `eyJ…` access tokens look; clients must not parse it. */
function accessTokenValue(clientId: string, exp: number): string {
  const part = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ cid: clientId, exp, jti: randomToken(9) })}.${randomToken(32)}`;
}

export class OAuthServer {
  private readonly clients: Map<string, EmulatorClient>;
  private readonly accessTokens = new Map<string, Grant>();
  private readonly refreshTokens = new Map<string, Grant>();
  private readonly codes = new Map<string, CodeGrant>();

  constructor(
    clients: EmulatorClient[],
    private readonly accessTokenTtlSeconds: number,
  ) {
    this.clients = new Map(clients.map((c) => [c.clientId, c]));
  }

  /** Checks an `Authorization: Bearer …` header for the SCIM surface. */
  checkBearer(authorization: string | undefined): BearerCheck {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match?.[1]) return { ok: false, reason: 'missing' };
    const grant = this.accessTokens.get(match[1]);
    if (!grant) return { ok: false, reason: 'invalid' };
    if (grant.expiresAt <= Date.now()) {
      this.accessTokens.delete(match[1]);
      return { ok: false, reason: 'expired' };
    }
    return { ok: true, scope: grant.scope };
  }

  /** `GET /oauth2/v1/auth`: no login page, the emulated admin consents at once. */
  authorize(req: EmulatorRequest): EmulatorReply {
    const q = req.query;
    const client = this.clients.get(q.get('client_id') ?? '');
    if (!client) return oauthError(400, 'invalid_client', 'unknown client_id');
    const redirectUri = q.get('redirect_uri') ?? '';
    if (!this.redirectAllowed(client, redirectUri)) {
      return oauthError(400, 'invalid_request', 'redirect_uri is not registered for this application');
    }
    const back = (params: Record<string, string>): EmulatorReply => {
      const target = new URL(redirectUri);
      for (const [k, v] of Object.entries(params)) target.searchParams.set(k, v);
      const state = q.get('state');
      if (state !== null) target.searchParams.set('state', state);
      return { status: 302, headers: { location: target.toString() } };
    };
    if (client.type !== 'native') return back({ error: 'unauthorized_client' });
    if (q.get('response_type') !== 'code') return back({ error: 'unsupported_response_type' });
    const scope = this.grantedScope(q.get('scope'));
    if (!scope) return back({ error: 'invalid_scope' });
    const challenge = q.get('code_challenge');
    const method = q.get('code_challenge_method') ?? 'plain';
    if (challenge !== null && method !== 'plain' && method !== 'S256') return back({ error: 'invalid_request' });
    const code = randomToken(18);
    this.codes.set(code, {
      clientId: client.clientId,
      scope,
      redirectUri,
      expiresAt: Date.now() + CODE_TTL_MS,
      ...(challenge !== null ? { challenge: { value: challenge, method: method as 'plain' | 'S256' } } : {}),
    });
    return back({ code });
  }

  /** `POST /v1/token`: parameters from the query string or a form body. */
  token(req: EmulatorRequest): EmulatorReply {
    if (req.method !== 'POST') return oauthError(405, 'invalid_request', 'use POST');
    const form = formBody(req);
    const param = (name: string): string | undefined => req.query.get(name) ?? form.get(name) ?? undefined;
    const basic = this.parseBasic(header(req, 'authorization'));
    const clientId = param('client_id');
    if (!clientId) return oauthError(400, 'invalid_request', 'client_id is required');
    if (basic && basic.id !== clientId) return oauthError(401, 'invalid_client', 'client_id mismatch', true);
    const secret = basic?.secret ?? param('client_secret');
    const client = this.clients.get(clientId);
    if (!client || secret === undefined || !safeEqual(secret, client.clientSecret)) {
      return oauthError(401, 'invalid_client', 'client authentication failed', basic !== undefined);
    }
    switch (param('grant_type')) {
      case undefined:
        return oauthError(400, 'invalid_request', 'grant_type is required');
      case 'client_credentials': {
        if (client.type !== 'server') return oauthError(400, 'unauthorized_client', 'grant not allowed for this app');
        const scope = this.grantedScope(param('scope') ?? null);
        if (!scope) return oauthError(400, 'invalid_scope', 'unknown scope');
        return this.issue(client.clientId, scope, false);
      }
      case 'authorization_code':
        return this.exchangeCode(client, param('code'), param('redirect_uri'), param('code_verifier'));
      case 'refresh_token':
        return this.refresh(client, param('refresh_token'));
      default:
        return oauthError(400, 'unsupported_grant_type', 'unsupported grant_type');
    }
  }

  private exchangeCode(
    client: EmulatorClient,
    code: string | undefined,
    redirectUri: string | undefined,
    verifier: string | undefined,
  ): EmulatorReply {
    if (client.type !== 'native') return oauthError(400, 'unauthorized_client', 'grant not allowed for this app');
    if (!code) return oauthError(400, 'invalid_request', 'code is required');
    const grant = this.codes.get(code);
    this.codes.delete(code); // single use, whatever happens next
    if (!grant || grant.clientId !== client.clientId || grant.expiresAt <= Date.now()) {
      return oauthError(400, 'invalid_grant', 'authorization code is invalid, used or expired');
    }
    if (redirectUri !== grant.redirectUri) return oauthError(400, 'invalid_grant', 'redirect_uri does not match');
    if (grant.challenge) {
      const expected =
        grant.challenge.method === 'S256' && verifier !== undefined
          ? createHash('sha256').update(verifier).digest('base64url')
          : verifier;
      if (expected === undefined || !safeEqual(expected, grant.challenge.value)) {
        return oauthError(400, 'invalid_grant', 'code_verifier does not match');
      }
    }
    return this.issue(client.clientId, grant.scope, true);
  }

  private refresh(client: EmulatorClient, token: string | undefined): EmulatorReply {
    if (!token) return oauthError(400, 'invalid_request', 'refresh_token is required');
    const grant = this.refreshTokens.get(token);
    this.refreshTokens.delete(token); // rotation: a refresh token works once
    if (!grant || grant.clientId !== client.clientId || grant.expiresAt <= Date.now()) {
      return oauthError(400, 'invalid_grant', 'refresh token is invalid, used or expired');
    }
    return this.issue(client.clientId, grant.scope, true);
  }

  private issue(clientId: string, scope: string, withRefresh: boolean): EmulatorReply {
    const ttl = this.accessTokenTtlSeconds;
    const expiresAt = Date.now() + ttl * 1000;
    const accessToken = accessTokenValue(clientId, Math.floor(expiresAt / 1000));
    this.accessTokens.set(accessToken, { clientId, scope, expiresAt });
    const body: Record<string, string> = {
      scope,
      request_id: requestId(),
      access_token: accessToken,
      token_type: 'Bearer',
      // RAM answers "3599" for a 3600 s token, and as a string.
      expires_in: String(Math.max(0, ttl - 1)),
    };
    if (withRefresh) {
      const refreshToken = randomToken(32);
      this.refreshTokens.set(refreshToken, { clientId, scope, expiresAt: Date.now() + REFRESH_TTL_MS });
      body.refresh_token = refreshToken;
    }
    return json(200, body, { 'cache-control': 'no-store' });
  }

  /** The scope to grant, or undefined when an unknown scope is asked for. Default /acs/scim. */
  private grantedScope(requested: string | null): string | undefined {
    if (requested === null || requested.trim() === '') return SCIM_SCOPE;
    const scopes = requested.trim().split(/\s+/);
    return scopes.every((s) => KNOWN_SCOPES.has(s)) ? scopes.join(' ') : undefined;
  }

  private redirectAllowed(client: EmulatorClient, redirectUri: string): boolean {
    if (client.redirectUris?.includes(redirectUri)) return true;
    if (client.type !== 'native') return false;
    try {
      const url = new URL(redirectUri);
      return url.protocol === 'http:' && (url.hostname === '127.0.0.1' || url.hostname === 'localhost');
    } catch {
      return false; // not a URL at all: refused like any unregistered URI
    }
  }

  private parseBasic(authorization: string | undefined): { id: string; secret: string } | undefined {
    const match = /^Basic\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match?.[1]) return undefined;
    const decoded = Buffer.from(match[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon < 0 ? { id: decoded, secret: '' } : { id: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
  }
}
