/**
 * Where push's dead-letter queue is and how the operator reaches it, from environment variables.
 *
 * | variable                                  | default                                                          |
 * |-------------------------------------------|------------------------------------------------------------------|
 * | `PUSH_DLQ_ARN`                            | required (as for s.yaml): `acs:mns:<region>:<account>:/queues/<name>/messages` |
 * | `PUSH_DLQ_URL`                            | instead of the ARN: `https://<account>.mns.<region>.aliyuncs.com/queues/<name>` (http:// only to loopback) |
 * | `ALIBABA_CLOUD_ACCESS_KEY_ID` / `_SECRET` | required: the operator's (MNS receive/delete/visibility on the queue; fc:InvokeFunction on push for a replay) |
 * | `ALIBABA_CLOUD_SECURITY_TOKEN`            | none (set with STS credentials)                                  |
 * | `FC_ACCOUNT_ID`, `FC_REGION`              | the ARN's account and region: the endpoint `<account>.<region>.fc.aliyuncs.com` |
 * | `FC_INVOKE_ENDPOINT`                      | instead of the two above (a URL or host)                         |
 * | `PUSH_FUNCTION_NAME`, `PUSH_QUALIFIER`    | `<FC_PREFIX or ram-scim-sync>-push`, as s.yaml names it / LATEST  |
 */
import { envReader, isAllowedUrl, type Env } from '../../functions/lib/core/config';
import { ConfigProblems } from '../../functions/lib/core/errors';
import type { CloudCredentials } from '../../functions/lib/core/ports';
import { operatorFcAccess } from './remote';

export interface DeadLetterConfig {
  /** `https://<account>.mns.<region>.aliyuncs.com` */
  mnsEndpoint: string;
  queueName: string;
  credentials: CloudCredentials;
  /** Present when a replay can reach FC. */
  push?: { endpoint: string; functionName: string; qualifier?: string };
}

const ARN = /^acs:mns:([a-z0-9-]+):(\d+):\/queues\/([A-Za-z0-9-]{1,256})(\/messages)?$/;
const QUEUE_URL = /^(https?:\/\/[^/]+)\/queues\/([A-Za-z0-9-]{1,256})\/?$/;
const FC_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,127}$/;
const PURPOSE = 'to read the dead-letter queue: the operator\'s credentials';

/** @param forReplay also the FC endpoint and push's name, for re-publishing */
export function parseDeadLetterConfig(env: Env, forReplay: boolean): DeadLetterConfig {
  const problems = new ConfigProblems();
  const read = envReader(env, problems);
  const queue = readQueue(read, problems);
  const fcEnv = { FC_ACCOUNT_ID: queue?.account, FC_REGION: queue?.region, ...definedOnly(env) };
  // A listing needs only the credentials: a placeholder endpoint keeps FC's variables from being asked for.
  const access = operatorFcAccess(forReplay ? fcEnv : { ...fcEnv, FC_INVOKE_ENDPOINT: 'not-used' }, problems, PURPOSE);
  const functionName = read.matching('PUSH_FUNCTION_NAME', FC_NAME, 'must be an FC function name (letters, digits, _ and -, 1-128)') ??
    `${read.text('FC_PREFIX') ?? 'ram-scim-sync'}-push`;
  const qualifier = read.matching('PUSH_QUALIFIER', /^[A-Za-z0-9_][A-Za-z0-9_-]{0,127}$/, 'must be a version number, LATEST or an alias name');
  problems.throwIfAny();
  return {
    mnsEndpoint: queue!.endpoint,
    queueName: queue!.name,
    credentials: access!.credentials,
    ...(forReplay && { push: { endpoint: access!.endpoint, functionName, ...(qualifier && { qualifier }) } }),
  };
}

interface QueueLocation { endpoint: string; name: string; account?: string; region?: string }

function readQueue(read: ReturnType<typeof envReader>, problems: ConfigProblems): QueueLocation | undefined {
  const url = read.text('PUSH_DLQ_URL');
  if (url !== undefined) {
    const match = QUEUE_URL.exec(url);
    if (!match || !isAllowedUrl(match[1]!)) {
      problems.add({ variable: 'PUSH_DLQ_URL', problem: 'must be https://<account>.mns.<region>.aliyuncs.com/queues/<name> (http:// only to a loopback host)' });
      return undefined;
    }
    const host = /^https?:\/\/(\d+)\.mns\.([a-z0-9-]+?)(-internal)?(-vpc)?\.aliyuncs\.com$/i.exec(match[1]!);
    return { endpoint: match[1]!, name: match[2]!, ...(host && { account: host[1], region: host[2] }) };
  }
  const arn = read.required('PUSH_DLQ_ARN', 'is required (or PUSH_DLQ_URL): push\'s dead-letter queue, as s.yaml reads it');
  if (arn === undefined) return undefined;
  const match = ARN.exec(arn);
  if (!match) {
    problems.add({ variable: 'PUSH_DLQ_ARN', problem: 'must be acs:mns:<region>:<account>:/queues/<name>/messages (a queue, not a topic)' });
    return undefined;
  }
  const [, region, account, name] = match;
  return { endpoint: `https://${account}.mns.${region}.aliyuncs.com`, name: name!, account, region };
}

/** `...env` must not overwrite a default with an unset variable. */
function definedOnly(env: Env): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[1].trim() !== ''));
}
