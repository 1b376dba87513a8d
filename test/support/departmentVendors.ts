/**
 * DingTalk, Lark and WeCom behind one driver, for the department scenarios (the local-stack test and
 * the department bench): each starts its API fake, seeds departments and people by number, moves,
 * renames and deletes them at the source, and builds the signed callback the vendor would send —
 * always with the current time, since the webhooks refuse callbacks outside their replay window.
 */
import { randomBytes } from 'node:crypto';
import { type DingtalkApiFake, startDingtalkApi } from './dingtalkApi';
import { type LarkApiFake, larkRequest, larkUser, startLarkApi, v2Event } from './larkApi';
import { type WecomApiFake, startWecomApi } from './wecomApi';
import { DINGTALK_KEYS, WEBHOOK_ENV as DINGTALK_WEBHOOK_ENV, dingtalkCallback } from '../lib/sources/dingtalk/callbacks';
import { KEYS as WECOM_KEYS, contactEvent, eventPost, webhookEnv as wecomWebhookEnv } from '../lib/sources/wecom/oracle';

export type VendorName = 'dingtalk' | 'lark' | 'wecom';
export const VENDORS: readonly VendorName[] = ['dingtalk', 'lark', 'wecom'];

/** A request as the vendor POSTs it to the local stack. */
export interface VendorRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
}

/** Departments are numbered (≥ 2; 1 is each vendor's root), people too; the driver maps numbers to vendor ids. */
export interface VendorDriver {
  source: VendorName;
  /** The stack's variables for this vendor: webhook keys and API credentials. */
  env(): Record<string, string>;
  addDepartment(id: number, name: string, parent?: number): void;
  /** Seeds person `n` (name `person.n`, active) in `department`; answers their RAM externalId. */
  addPerson(n: number, department: number): string;
  externalId(n: number): string;
  /** The vendor's id of department `id`, as push logs it. */
  departmentId(id: number): string;
  movePerson(n: number, department: number): void;
  setDisplayName(n: number, displayName: string): void;
  moveDepartment(id: number, parent: number): void;
  renameDepartment(id: number, name: string): void;
  deleteDepartment(id: number): void;
  departmentCallback(id: number, change: 'modified' | 'deleted'): VendorRequest;
  personCallback(n: number): VendorRequest;
  /** Vendor API calls answered so far (tokens included), by path. */
  calls(): Record<string, number>;
  close(): Promise<void>;
}

const LARK = { verificationToken: 'lark-verification-token', encryptKey: 'lark-encrypt-key' };
const JSON_HEADERS = { 'content-type': 'application/json' };
const pad = (n: number) => String(n).padStart(4, '0');

export async function startVendor(source: VendorName): Promise<VendorDriver> {
  if (source === 'dingtalk') return dingtalkDriver(await startDingtalkApi({ appKey: DINGTALK_KEYS.appKey }));
  if (source === 'lark') return larkDriver(await startLarkApi());
  const fake = await startWecomApi({ corpId: WECOM_KEYS.corpId });
  fake.departments.set(1, { id: 1, name: 'Example Corp', parentid: 0 });
  return wecomDriver(fake);
}

const tally = (paths: string[]) => paths.reduce<Record<string, number>>((acc, p) => ({ ...acc, [p]: (acc[p] ?? 0) + 1 }), {});

function dingtalkDriver(fake: DingtalkApiFake): VendorDriver {
  const userid = (n: number) => `p${pad(n)}`;
  const callback = (plaintext: object): VendorRequest => {
    const c = dingtalkCallback({ ...plaintext, TimeStamp: String(Date.now()) });
    return { url: c.url, body: c.body, headers: JSON_HEADERS };
  };
  const user = (n: number) => fake.users.get(userid(n))!;
  return {
    source: 'dingtalk',
    env: () => ({ ...DINGTALK_WEBHOOK_ENV, DINGTALK_APP_SECRET: 'app-secret-0001', DINGTALK_API_URL: fake.url }),
    addDepartment: (id, name, parent = 1) => { fake.departments.set(id, { dept_id: id, name, parent_id: parent }); },
    addPerson(n, department) {
      fake.users.set(userid(n), { userid: userid(n), name: `Person ${n}`, email: `person.${n}@example.cn`, dept_id_list: [department], active: true });
      return `dingtalk:${userid(n)}`;
    },
    externalId: (n) => `dingtalk:${userid(n)}`,
    departmentId: String,
    movePerson: (n, department) => { fake.users.set(userid(n), { ...user(n), dept_id_list: [department] }); },
    setDisplayName: (n, displayName) => { fake.users.set(userid(n), { ...user(n), name: displayName }); },
    moveDepartment: (id, parent) => fake.moveDepartment(id, parent),
    renameDepartment: (id, name) => fake.renameDepartment(id, name),
    deleteDepartment: (id) => fake.deleteDepartment(id),
    departmentCallback: (id, change) => callback({ EventType: change === 'deleted' ? 'org_dept_remove' : 'org_dept_modify', DeptId: [id] }),
    personCallback: (n) => callback({ EventType: 'user_modify_org', UserId: [userid(n)] }),
    calls: () => tally(fake.calls),
    close: () => fake.close(),
  };
}

function larkDriver(fake: LarkApiFake): VendorDriver {
  const departmentId = (id: number) => (id === 1 ? '0' : `od-${pad(id)}`);
  const user = (n: number) => fake.users.find((u) => u.union_id === larkUser(n).union_id)!;
  const request = (eventType: string, object: object): VendorRequest => {
    const r = larkRequest(v2Event(eventType, { object }, LARK.verificationToken), LARK);
    return { url: '/lark', body: r.body, headers: r.headers };
  };
  return {
    source: 'lark',
    env: () => ({
      LARK_APP_ID: 'cli_fake_app', LARK_APP_SECRET: 'fake-app-secret', LARK_API_URL: fake.url,
      LARK_VERIFICATION_TOKEN: LARK.verificationToken, LARK_ENCRYPT_KEY: LARK.encryptKey,
    }),
    addDepartment(id, name, parent = 1) {
      fake.departments.push({ open_department_id: departmentId(id), name, parent_department_id: departmentId(parent) });
    },
    addPerson(n, department) {
      fake.users.push(larkUser(n, {
        name: `Person ${n}`, en_name: `Person ${n}`, email: `person.${n}@example.cn`, enterprise_email: undefined, department_ids: [departmentId(department)],
      }));
      return `lark:${larkUser(n).union_id}`;
    },
    externalId: (n) => `lark:${larkUser(n).union_id}`,
    departmentId,
    movePerson: (n, department) => { user(n).department_ids = [departmentId(department)]; },
    setDisplayName: (n, displayName) => { user(n).name = displayName; },
    moveDepartment: (id, parent) => fake.moveDepartment(departmentId(id), departmentId(parent)),
    renameDepartment: (id, name) => fake.renameDepartment(departmentId(id), name),
    deleteDepartment: (id) => fake.deleteDepartment(departmentId(id)),
    departmentCallback(id, change) {
      const department = fake.departments.find((d) => d.open_department_id === departmentId(id))!;
      return request(change === 'deleted' ? 'contact.department.deleted_v3' : 'contact.department.updated_v3', department);
    },
    personCallback: (n) => request('contact.user.updated_v3', user(n)),
    calls: () => ({ ...fake.calls }),
    close: () => fake.close(),
  };
}

function wecomDriver(fake: WecomApiFake): VendorDriver {
  const userid = (n: number) => `p${pad(n)}`;
  const user = (n: number) => fake.users.get(userid(n))!;
  const post = (fields: Record<string, string>): VendorRequest => {
    // A fresh nonce each time: two callbacks in the same second must not look like one replayed.
    const e = eventPost(contactEvent(fields), WECOM_KEYS, { nonce: String(randomBytes(4).readUInt32BE()) });
    return { url: e.url, body: e.body, headers: { 'content-type': 'text/xml' } };
  };
  return {
    source: 'wecom',
    env: () => ({ ...wecomWebhookEnv(WECOM_KEYS), WECOM_SECRET: fake.secret, WECOM_API_URL: fake.url }),
    addDepartment: (id, name, parent = 1) => { fake.departments.set(id, { id, name, parentid: parent }); },
    addPerson(n, department) {
      fake.users.set(userid(n), { userid: userid(n), name: `Person ${n}`, department: [department], email: `person.${n}@example.cn`, status: 1 });
      return `wecom:${userid(n)}`;
    },
    externalId: (n) => `wecom:${userid(n)}`,
    departmentId: String,
    movePerson: (n, department) => { fake.users.set(userid(n), { ...user(n), department: [department] }); },
    setDisplayName: (n, displayName) => { fake.users.set(userid(n), { ...user(n), name: displayName }); },
    moveDepartment: (id, parent) => fake.moveDepartment(id, parent),
    renameDepartment: (id, name) => fake.renameDepartment(id, name),
    deleteDepartment: (id) => fake.deleteDepartment(id),
    departmentCallback: (id, change) => post({ ChangeType: change === 'deleted' ? 'delete_party' : 'update_party', Id: String(id) }),
    personCallback: (n) => post({ ChangeType: 'update_user', UserID: userid(n) }),
    calls: () => tally(fake.calls.map((c) => c.path)),
    close: () => fake.close(),
  };
}
