import { EmulatorState } from '../../../infra/emulator/store';
import { parseScimFilter, usersMatchingScimFilter } from '../../../infra/emulator/scimFilter';

/** The account's indexes (users by id, name and externalId; memberships both ways) answer as a scan would. */
describe('EmulatorState lookups', () => {
  const refused = (run: () => unknown): string => {
    try {
      run();
    } catch (err) {
      return `${(err as { code?: string }).code}: ${(err as Error).message}`;
    }
    throw new Error('not refused');
  };
  const names = (users: readonly { userName: string }[]): string[] => users.map((u) => u.userName);

  it('finds a user by id, by name in any case and by externalId, following renames and deletes', () => {
    const state = new EmulatorState();
    const alice = state.createUser({ userName: 'Alice', displayName: 'A', externalId: 'ad:1' }, 'scim');
    state.createUser({ userName: 'bob', displayName: 'B', externalId: 'ad:2' }, 'scim');
    expect(state.userByName('ALICE')?.id).toBe(alice.id);
    expect(state.userByExternalId('ad:1')?.id).toBe(alice.id);
    expect(state.userByExternalId('AD:1')).toBeUndefined(); // externalId is exact

    state.replaceUser(alice.id, { userName: 'alice.w', displayName: 'A', externalId: 'ad:9' });
    expect(state.userByName('alice')).toBeUndefined();
    expect(state.userByExternalId('ad:1')).toBeUndefined();
    expect(state.userByName('Alice.W')?.id).toBe(alice.id);
    expect(state.userByExternalId('ad:9')?.id).toBe(alice.id);
    // The old name and externalId are free again.
    const reused = state.createUser({ userName: 'alice', displayName: 'A2', externalId: 'ad:1' }, 'scim');
    expect(state.userByName('alice')?.id).toBe(reused.id);

    state.replaceUser(alice.id, { userName: 'alice.w', displayName: 'A' }); // externalId dropped
    expect(state.userByExternalId('ad:9')).toBeUndefined();
    state.deleteUser(alice.id);
    expect(state.userById(alice.id)).toBeUndefined();
    expect(state.userByName('alice.w')).toBeUndefined();
    expect(() => state.requireUser('alice.w')).toThrow('The user does not exist.');
  });

  it('refuses a taken name or externalId, naming the earlier-created holder when two users hold them', () => {
    const state = new EmulatorState();
    state.createUser({ userName: 'first', displayName: 'F', externalId: 'x:first' }, 'scim');
    const second = state.createUser({ userName: 'second', displayName: 'S', externalId: 'x:second' }, 'scim');
    expect(refused(() => state.createUser({ userName: 'FIRST', displayName: 'N', externalId: 'x:second' }, 'scim'))).toBe(
      'EntityAlreadyExists.User: A user with this name already exists.',
    );
    expect(refused(() => state.createUser({ userName: 'second', displayName: 'N', externalId: 'x:first' }, 'scim'))).toBe(
      'EntityAlreadyExists.User: A user with this externalId already exists.',
    );
    // A user keeps its own name and externalId on a replace.
    expect(state.replaceUser(second.id, { userName: 'SECOND', displayName: 'S2', externalId: 'x:second' }).userName).toBe('SECOND');
  });

  it('lists users in creation order, through renames and deletes', () => {
    const state = new EmulatorState();
    const ids = ['c', 'a', 'b', 'd'].map((n) => state.createUser({ userName: n, displayName: n, externalId: `x:${n}` }, 'scim').id);
    state.replaceUser(ids[0]!, { userName: 'z', displayName: 'z', externalId: 'x:z' });
    state.deleteUser(ids[2]!);
    state.createUser({ userName: 'e', displayName: 'e' }, 'scim');
    expect(names(state.users())).toEqual(['z', 'a', 'd', 'e']);
    expect(names(state.userList())).toEqual(['z', 'a', 'd', 'e']);
  });

  it('keeps memberships in join order per user and per group; leaving and joining again moves one last', () => {
    const state = new EmulatorState();
    for (const n of ['ann', 'ben']) state.createUser({ userName: n, displayName: n }, 'scim');
    for (const g of ['ops', 'dev', 'qa']) state.createGroup(g, '');
    state.addUserToGroup('ann', 'ops');
    state.addUserToGroup('ben', 'ops');
    state.addUserToGroup('ann', 'dev');
    state.addUserToGroup('ann', 'qa');
    state.removeUserFromGroup('ANN', 'ops');
    state.addUserToGroup('ann', 'ops');
    expect(state.groupsForUser('ann').map((m) => m.group.name)).toEqual(['dev', 'qa', 'ops']);
    expect(state.usersForGroup('ops').map((m) => m.user.userName)).toEqual(['ben', 'ann']);
    const groupName = new Map(state.groups().map((g) => [g.id, g.name]));
    const userName = new Map(state.users().map((u) => [u.id, u.userName]));
    expect(state.toJSON().memberships.map((m) => `${userName.get(m.userId)}/${groupName.get(m.groupId)}`)).toEqual([
      'ben/ops', 'ann/dev', 'ann/qa', 'ann/ops',
    ]);
    expect(refused(() => state.addUserToGroup('ann', 'dev'))).toBe(
      'EntityAlreadyExists.User.Group: The user is already a member of the group.',
    );
    expect(refused(() => state.removeUserFromGroup('ben', 'dev'))).toBe('EntityNotExist.User.Group: The user is not a member of the group.');
    expect(refused(() => state.deleteGroup('qa'))).toBe('DeleteConflict.Group.User: The group still has members.');
    state.removeUserFromGroup('ann', 'qa');
    state.deleteGroup('qa');
    expect(refused(() => state.deleteUser(state.userByName('ben')!.id))).toBe(
      'DeleteConflict.User.Group: The user still belongs to one or more groups.',
    );
  });

  it('rebuilds its indexes from a state file saved before they existed', () => {
    // The v1 layout as written by the scanning store: nothing but rows.
    const saved = {
      v: 1, nextId: 10,
      users: [
        { id: '2764000000000001', userName: 'Ann', displayName: 'Ann', externalId: 'ad:ann', createdBy: 'scim', createDate: 'd', updateDate: 'd' },
        { id: '2764000000000002', userName: 'root', displayName: 'Root', createdBy: 'console', createDate: 'd', updateDate: 'd' },
      ],
      groups: [{ id: '2835000000000003', name: 'ops', comments: '', createDate: 'd', updateDate: 'd' }],
      memberships: [{ userId: '2764000000000001', groupId: '2835000000000003', joinDate: 'd' }],
      accessKeys: [], loginProfiles: [], policies: [], mfaDevices: [],
    };
    const state = EmulatorState.fromJSON(saved);
    expect(state.userByName('ann')?.id).toBe('2764000000000001');
    expect(state.userByExternalId('ad:ann')?.userName).toBe('Ann');
    expect(state.groupsForUser('ANN').map((m) => m.group.name)).toEqual(['ops']);
    expect(state.usersForGroup('ops').map((m) => m.user.userName)).toEqual(['Ann']);
    expect(refused(() => state.createUser({ userName: 'ROOT', displayName: 'R' }, 'scim'))).toMatch(/name already exists/);
    expect(refused(() => state.createUser({ userName: 'new', displayName: 'N', externalId: 'ad:ann' }, 'scim'))).toMatch(
      /externalId already exists/,
    );
    expect(refused(() => state.deleteUser('2764000000000001'))).toMatch(/^DeleteConflict.User.Group/);
    expect(state.toJSON()).toEqual(saved);
  });

  it('answers a SCIM filter from the index of its first term, checking the others', () => {
    const state = new EmulatorState();
    const ann = state.createUser({ userName: 'Ann', displayName: 'Ann', externalId: 'ad:ann' }, 'scim');
    state.createUser({ userName: 'bob', displayName: 'Bob', externalId: 'ad:bob' }, 'scim');
    const matching = (filter: string) => names(usersMatchingScimFilter(parseScimFilter(filter), state));
    expect(matching('userName eq "ANN"')).toEqual(['Ann']);
    expect(matching('externalId eq "ad:bob"')).toEqual(['bob']);
    expect(matching(`id eq "${ann.id}" and externalId eq "ad:ann"`)).toEqual(['Ann']);
    expect(matching('userName eq "ann" and externalId eq "ad:bob"')).toEqual([]);
    expect(matching('externalId eq "AD:ANN"')).toEqual([]);
    expect(matching('userName eq "nobody"')).toEqual([]);
  });
});
