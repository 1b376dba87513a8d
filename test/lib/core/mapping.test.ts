import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { CONFLICT_REASON, mapIdentities } from '../../../functions/lib/core/mapping';
import type { Department, Identity, RamUser } from '../../../functions/lib/core/model';
import { RAM_DISPLAY_NAME_MAX, RAM_USER_NAME_PATTERN, codePointLength } from '../../../functions/lib/core/names';
import { DEFAULT_MAPPING_RULES, type MappingRules } from '../../../functions/lib/core/rules';
import { TemplateError } from '../../../functions/lib/core/template';

/** The first `n` hex digits of sha256(externalId): the suffix a loser gets. */
function hex(externalId: string, n = 6): string {
  return createHash('sha256').update(externalId).digest('hex').slice(0, n);
}

function person(sourceId: string, fields: Partial<Identity> = {}): Identity {
  return { source: 'ad', sourceId, departmentIds: [], status: 'active', ...fields };
}

function rules(partial: Partial<MappingRules> = {}): MappingRules {
  return { ...DEFAULT_MAPPING_RULES, ...partial };
}

function map(identities: Identity[], actual: RamUser[] = [], mappingRules = rules(), departments?: Department[]) {
  return mapIdentities({ identities, actual, rules: mappingRules, departments });
}

function nameOf(result: ReturnType<typeof map>, externalId: string): string | undefined {
  return result.desired.find((d) => d.externalId === externalId)?.userName;
}

describe('mapIdentities: userName', () => {
  it('takes the email local part, lowercased, without its +tag', () => {
    const result = map([person('g1', { email: 'Alice.Liu+RAM@Corp.Example', userName: 'aliu' })]);
    expect(result.desired[0]).toMatchObject({ externalId: 'ad:g1', source: 'ad', sourceId: 'g1', userName: 'alice.liu' });
  });

  it('falls through an empty email to the next template', () => {
    expect(nameOf(map([person('g1', { email: '', userName: 'ALiu' })]), 'ad:g1')).toBe('aliu');
    expect(nameOf(map([person('g1', { email: '@corp.example', userName: 'ALiu' })]), 'ad:g1')).toBe('aliu');
  });

  it('gives a person with a Chinese name and no email their source id', () => {
    const result = map([person('zhangwei01', { userName: '张伟', displayName: '张伟' })]);
    expect(result.desired[0]).toMatchObject({ userName: 'zhangwei01', displayName: '张伟' });
  });

  it('does not take a name that lost letters on the way (王ming is not "ming")', () => {
    expect(nameOf(map([person('wm-7', { email: '王ming@corp.example' })]), 'ad:wm-7')).toBe('wm-7');
  });

  it('falls back to u-<12 hex> when even the source id has no usable letters', () => {
    const result = map([person('张伟', { source: 'dingtalk' })]);
    expect(result.desired[0]?.userName).toBe(`u-${hex('dingtalk:张伟', 12)}`);
  });

  it('drops emoji and keeps the rest', () => {
    expect(nameOf(map([person('g1', { email: '🚀rocket.dev🚀@corp.example' })]), 'ad:g1')).toBe('rocket.dev');
  });

  it('cuts a name over 64 characters', () => {
    const result = map([person('g1', { email: `${'a'.repeat(80)}@corp.example` })]);
    expect(result.desired[0]?.userName).toBe('a'.repeat(64));
  });

  it('applies templates with literal text, in order', () => {
    const withLiterals = rules({ userName: ['ext-{employeeId}', '{email.local}'] });
    const result = map([person('g1', { employeeId: '0042', email: 'a@x' }), person('g2', { email: 'Bob@x' })], [], withLiterals);
    expect(nameOf(result, 'ad:g1')).toBe('ext-0042');
    expect(nameOf(result, 'ad:g2')).toBe('bob');
  });

  it('reports an unknown template field as a TemplateError', () => {
    expect(() => map([person('g1')], [], rules({ userName: ['{mail}'] }))).toThrow(TemplateError);
    expect(() => map([person('g1')], [], rules({ displayName: ['{nick}'] }))).toThrow(TemplateError);
  });
});

describe('mapIdentities: displayName, status, groups', () => {
  it('takes the first non-empty displayName template, sanitized', () => {
    const result = map([person('g1', { email: 'a@x', displayName: '  Alice \n Liu ' })]);
    expect(result.desired[0]?.displayName).toBe('Alice Liu');
  });

  it('falls back to the final userName, conflict suffix included', () => {
    const result = map([person('a', { email: 'same@x' }), person('b', { email: 'same@x' })]);
    expect(result.desired.map((d) => d.displayName)).toEqual(['same', `same-${hex('ad:b')}`]);
  });

  it('cuts a long display name to 128 code points', () => {
    const result = map([person('g1', { email: 'a@x', displayName: '张'.repeat(300) })]);
    expect(result.desired[0]?.displayName).toBe('张'.repeat(RAM_DISPLAY_NAME_MAX));
  });

  it('copies the status and maps departments to groups', () => {
    const departments: Department[] = [
      { source: 'ad', sourceId: 'eng', name: 'Engineering' },
      { source: 'ad', sourceId: 'fe', name: 'Frontend', parentId: 'eng' },
    ];
    const withGroups = rules({ groups: [{ department: 'Engineering', group: 'devs' }, { department: 'fe', group: 'web' }] });
    const result = map([person('g1', { email: 'a@x', status: 'disabled', departmentIds: ['fe'] })], [], withGroups, departments);
    expect(result.desired[0]).toMatchObject({ status: 'disabled', groups: ['devs', 'web'] });
  });
});

describe('mapIdentities: scope', () => {
  const departments: Department[] = [
    { source: 'ad', sourceId: 'eng', name: 'Engineering' },
    { source: 'ad', sourceId: 'ct', name: 'Contractors', parentId: 'eng' },
  ];

  it('leaves people out of scope out of desired, and counts them', () => {
    const scoped = rules({ scope: { includeDepartments: ['Engineering'], excludeDepartments: ['ct'], statuses: ['active'] } });
    const result = map([
      person('in', { email: 'in@x', departmentIds: ['eng'] }),
      person('contractor', { email: 'c@x', departmentIds: ['ct'] }),
      person('disabled', { email: 'd@x', departmentIds: ['eng'], status: 'disabled' }),
      person('elsewhere', { email: 'e@x', departmentIds: ['hr'] }),
    ], [], scoped, departments);
    expect(result.desired.map((d) => d.externalId)).toEqual(['ad:in']);
    expect(result.outOfScope).toBe(3);
  });

  it('does not let an out-of-scope person hold a name', () => {
    const scoped = rules({ scope: { includeDepartments: [], excludeDepartments: [], statuses: ['active'] } });
    const result = map([person('a', { email: 'x@x', status: 'disabled' }), person('b', { email: 'x@x' })], [], scoped);
    expect(result.desired).toHaveLength(1);
    expect(nameOf(result, 'ad:b')).toBe('x');
    expect(result.conflicts).toEqual([]);
  });
});

describe('mapIdentities: name collisions', () => {
  it('gives a name two people want to the lowest externalId, and suffixes the other', () => {
    const result = map([person('b', { email: 'Alice@x' }), person('a', { email: 'alice@y' })]);
    expect(nameOf(result, 'ad:a')).toBe('alice');
    expect(nameOf(result, 'ad:b')).toBe(`alice-${hex('ad:b')}`);
    expect(result.conflicts).toEqual([{
      userName: 'alice', holder: 'ad:a', reason: CONFLICT_REASON.lowestExternalId,
      renamed: [{ externalId: 'ad:b', userName: `alice-${hex('ad:b')}` }],
    }]);
  });

  it('never takes a name held by a console user, whoever wants it', () => {
    const consoleUser: RamUser = { id: '2764', userName: 'Admin', displayName: 'Admin' };
    const result = map([person('a', { email: 'admin@x' }), person('b', { userName: 'ADMIN' })], [consoleUser]);
    expect(nameOf(result, 'ad:a')).toBe(`admin-${hex('ad:a')}`);
    expect(nameOf(result, 'ad:b')).toBe(`admin-${hex('ad:b')}`);
    expect(result.conflicts).toEqual([{
      userName: 'admin', holder: 'ram-user:2764', reason: CONFLICT_REASON.consoleUser,
      renamed: [{ externalId: 'ad:a', userName: `admin-${hex('ad:a')}` }, { externalId: 'ad:b', userName: `admin-${hex('ad:b')}` }],
    }]);
  });

  it('lets the existing RAM user keep its name against a lower externalId', () => {
    const existing: RamUser = { id: '1', userName: 'alice', displayName: 'Alice', externalId: 'ad:z' };
    const result = map([person('a', { email: 'alice@x' }), person('z', { email: 'alice@y' })], [existing]);
    expect(nameOf(result, 'ad:z')).toBe('alice');
    expect(nameOf(result, 'ad:a')).toBe(`alice-${hex('ad:a')}`);
    expect(result.conflicts[0]).toMatchObject({ holder: 'ad:z', reason: CONFLICT_REASON.ownUser });
  });

  it('does not move a name from one person to another within one run', () => {
    // ad:z's RAM user is "alice" but ad:z now wants "alicia"; ad:a wants "alice": it stays reserved.
    const existing: RamUser = { id: '1', userName: 'alice', displayName: 'Alice', externalId: 'ad:z' };
    const result = map([person('a', { email: 'alice@x' }), person('z', { email: 'alicia@y' })], [existing]);
    expect(nameOf(result, 'ad:z')).toBe('alicia');
    expect(nameOf(result, 'ad:a')).toBe(`alice-${hex('ad:a')}`);
    expect(result.conflicts[0]).toMatchObject({ holder: 'ad:z', reason: CONFLICT_REASON.otherUser });
  });

  it('never takes a name held by a RAM user with an externalId of another system', () => {
    // "pingone" is no source of this product: another tool provisioned this RAM user.
    const foreign: RamUser = { id: '9', userName: 'bob', displayName: 'Bob', externalId: 'pingone:00u1' };
    const result = map([person('a', { email: 'bob@x' })], [foreign]);
    expect(nameOf(result, 'ad:a')).toBe(`bob-${hex('ad:a')}`);
    expect(result.conflicts[0]).toMatchObject({ holder: 'pingone:00u1', reason: CONFLICT_REASON.foreignUser });
  });

  it('keeps a loser\'s suffixed name stable once RAM holds it', () => {
    const first = map([person('a', { email: 'alice@x' }), person('b', { email: 'alice@y' })]);
    const actual = first.desired.map((d, i) => ({ id: String(i), userName: d.userName, displayName: d.displayName, externalId: d.externalId }));
    const second = map([person('a', { email: 'alice@x' }), person('b', { email: 'alice@y' })], actual);
    expect(second.desired).toEqual(first.desired);
  });

  it('cuts the base so a suffixed name fits 64', () => {
    const long = 'x'.repeat(64);
    const result = map([person('a', { email: `${long}@x` }), person('b', { email: `${long}@y` })]);
    expect(nameOf(result, 'ad:b')).toBe(`${'x'.repeat(57)}-${hex('ad:b')}`);
  });

  it('extends the hash when even the suffixed name is taken', () => {
    const squatter: RamUser = { id: '5', userName: `alice-${hex('ad:b')}`, displayName: 'x' };
    const result = map([person('a', { email: 'alice@x' }), person('b', { email: 'alice@y' })], [squatter]);
    expect(nameOf(result, 'ad:b')).toBe(`alice-${hex('ad:b', 7)}`);
  });

  it('keeps a person who wants a suffixed-looking name ahead of a loser', () => {
    const result = map([
      person('a', { email: 'alice@x' }), person('b', { email: 'alice@y' }),
      person('c', { email: `alice-${hex('ad:b')}@z` }),
    ]);
    expect(nameOf(result, 'ad:c')).toBe(`alice-${hex('ad:b')}`);
    expect(nameOf(result, 'ad:b')).toBe(`alice-${hex('ad:b', 7)}`);
  });

  it('maps a person listed twice (DingTalk lists per department) once, whatever the order', () => {
    const one = person('a', { email: 'a@x', departmentIds: ['d1'] });
    const two = person('a', { email: 'a@x', departmentIds: ['d2'] });
    const forward = map([one, two]);
    expect(forward.desired).toHaveLength(1);
    expect(map([two, one])).toEqual(forward);
  });
});

// ---- properties --------------------------------------------------------------------------------

const namePool = ['alice', 'Alice', 'BOB', '张伟', '王ming', 'ＪＯＳÉ', '🚀', 'a'.repeat(70), '--', 'x.y', 'ext-1', ''];
const arbIdentity: fc.Arbitrary<Identity> = fc.record({
  source: fc.constantFrom('ad' as const, 'dingtalk' as const, 'lark' as const),
  sourceId: fc.oneof(fc.constantFrom('1', '2', '3', 'u1', '张三', '😀'), fc.string({ maxLength: 8 })),
  email: fc.option(fc.tuple(fc.constantFrom(...namePool), fc.constantFrom('', '+tag', '+x+y'), fc.constantFrom('@corp.example', '@X.cn', ''))
    .map(([n, tag, domain]) => `${n}${tag}${domain}`), { nil: undefined }),
  userName: fc.option(fc.constantFrom(...namePool), { nil: undefined }),
  displayName: fc.option(fc.oneof(fc.constantFrom(...namePool), fc.string({ unit: 'binary', maxLength: 200 })), { nil: undefined }),
  departmentIds: fc.constant([] as string[]),
  status: fc.constantFrom('active' as const, 'disabled' as const),
}, { requiredKeys: ['source', 'sourceId', 'departmentIds', 'status'] });

// RAM holds each name once (case-insensitively) and each SCIM id once.
const arbActual = (identities: Identity[]): fc.Arbitrary<RamUser[]> => fc.uniqueArray(fc.record({
  id: fc.string({ minLength: 1, maxLength: 4 }),
  userName: fc.constantFrom('alice', 'ALICE', 'bob', 'x.y', '1', 'u1', `alice-${hex('ad:1')}`, 'zz'),
  displayName: fc.constant('someone'),
  externalId: fc.option(fc.oneof(
    fc.constantFrom(...identities.map((p) => `${p.source}:${p.sourceId}`), 'okta:1'),
  ), { nil: undefined }),
}, { requiredKeys: ['id', 'userName', 'displayName'] }), { maxLength: 6, selector: (u) => u.userName.toLowerCase() })
  .map((users) => users.map((u, i) => ({ ...u, id: `${i}-${u.id}` })));

const scenario = fc.array(arbIdentity, { maxLength: 25 }).chain((identities) =>
  fc.tuple(fc.constant(identities), arbActual(identities)));

describe('mapIdentities: properties', () => {
  it('gives everyone a valid RAM userName, unique case-insensitively, never one a foreign RAM user holds', () => {
    fc.assert(fc.property(scenario, ([identities, actual]) => {
      const { desired } = map(identities, actual);
      for (const d of desired) {
        expect(d.userName).toMatch(RAM_USER_NAME_PATTERN);
        const holders = actual.filter((u) => u.userName.toLowerCase() === d.userName);
        for (const holder of holders) expect(holder.externalId).toBe(d.externalId);
      }
      expect(new Set(desired.map((d) => d.userName.toLowerCase())).size).toBe(desired.length);
    }), { numRuns: 1000 });
  });

  it('gives display names of 1–128 code points', () => {
    fc.assert(fc.property(scenario, ([identities, actual]) => {
      for (const d of map(identities, actual).desired) {
        expect(codePointLength(d.displayName)).toBeGreaterThanOrEqual(1);
        expect(codePointLength(d.displayName)).toBeLessThanOrEqual(RAM_DISPLAY_NAME_MAX);
      }
    }), { numRuns: 1000 });
  });

  it('does not depend on the order of people or RAM users', () => {
    const shuffled = scenario.chain(([identities, actual]) => fc.tuple(
      fc.constant(identities), fc.constant(actual),
      fc.shuffledSubarray(identities, { minLength: identities.length }),
      fc.shuffledSubarray(actual, { minLength: actual.length }),
    ));
    fc.assert(fc.property(shuffled, ([identities, actual, identities2, actual2]) => {
      expect(map(identities2, actual2)).toEqual(map(identities, actual));
    }), { numRuns: 1000 });
  });

  it('reports every renamed person in exactly one conflict', () => {
    fc.assert(fc.property(scenario, ([identities, actual]) => {
      const { desired, conflicts } = map(identities, actual);
      const renamed = conflicts.flatMap((c) => c.renamed);
      expect(new Set(renamed.map((r) => r.externalId)).size).toBe(renamed.length);
      for (const r of renamed) expect(desired.find((d) => d.externalId === r.externalId)?.userName).toBe(r.userName);
      for (const c of conflicts) expect(renamed.some((r) => r.userName === c.userName)).toBe(false);
    }), { numRuns: 1000 });
  });
});

describe('mapIdentities: scale', () => {
  // Speed is measured by `npm run bench`, never asserted here; this checks correctness at volume.
  it('maps 100,000 people, a tenth of them colliding, to unique names', () => {
    const departments: Department[] = Array.from({ length: 500 }, (_, i) => ({
      source: 'ad', sourceId: `d${i}`, name: `Dept ${i}`, parentId: i === 0 ? undefined : `d${Math.floor(i / 2)}`,
    }));
    const identities = Array.from({ length: 100_000 }, (_, i) => person(`id${i}`, {
      email: `user${i % 90_000}@corp.example`, displayName: `User ${i}`, departmentIds: [`d${i % 500}`],
    }));
    const actual: RamUser[] = Array.from({ length: 50_000 }, (_, i) => ({
      id: String(i), userName: `user${i}`, displayName: `User ${i}`, externalId: `ad:id${i}`,
    }));
    const scaled = rules({ groups: [{ department: 'd1', group: 'all' }, { department: 'Dept 3', group: 'three' }] });
    const result = map(identities, actual, scaled, departments);
    expect(result.desired).toHaveLength(100_000);
    expect(result.conflicts).toHaveLength(10_000);
    expect(new Set(result.desired.map((d) => d.userName)).size).toBe(100_000);
  });
});
