/**
 * The SLS index: FC ships each stdout line as the `message` field, so our fields are json_keys of it,
 * analysable (doc_value) and tokenised so an externalId or a userName stays one token.
 */
import { readFileSync } from 'node:fs';
import { SLS_INDEX_PATH } from '../../../infra/deploy/plan';

interface KeyIndex { type: string; token?: string[]; doc_value?: boolean; json_keys?: Record<string, { type: string; doc_value: boolean }> }
const index = JSON.parse(readFileSync(SLS_INDEX_PATH, 'utf8')) as { line: unknown; keys: Record<string, KeyIndex> };

describe('infra/deploy/sls-index.json', () => {
  const message = index.keys.message!;

  it('indexes every provisioning field inside message, each analysable', () => {
    const fields = ['action', 'status', 'externalId', 'userName', 'source', 'reason', 'runId', 'changeId', 'level', 'msg', 'requestId', 'departmentId'];
    expect(message.type).toBe('json');
    for (const field of fields) expect({ field, index: message.json_keys?.[field] }).toEqual({ field, index: { type: 'text', doc_value: true } });
  });

  it('keeps ids whole: no token splits dingtalk:0123, alice.wang or ram-scim-sync-push', () => {
    for (const token of [':', '.', '-', '_', '@', '/']) expect(message.token).not.toContain(token);
    expect(index.keys.functionName).toMatchObject({ type: 'text', doc_value: true });
  });
});
