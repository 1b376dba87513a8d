/**
 * Field names as HR exports spell them. Matching ignores case, spaces, `_`, `-` and `.`, so
 * `user_id`, `User ID` and `userId` all mean `id`.
 */

/** The fields of a person record, in the order of the documented CSV header. */
export const PERSON_FIELDS = [
  'id', 'userName', 'displayName', 'email', 'mobile', 'employeeId', 'title', 'departments', 'status', 'manager',
  'enabled', 'attributes',
] as const;
export type PersonField = (typeof PERSON_FIELDS)[number];

export const DEPARTMENT_FIELDS = ['id', 'name', 'parentId'] as const;
export type DepartmentField = (typeof DEPARTMENT_FIELDS)[number];

/** Spellings per field, already folded by `foldFieldName`. The field's own name is always accepted. */
const PERSON_ALIASES: Readonly<Record<PersonField, readonly string[]>> = {
  id: ['userid', 'uid'],
  userName: ['login', 'loginname', 'account', 'accountname'],
  displayName: ['name', 'fullname'],
  email: ['mail', 'emailaddress', 'workemail'],
  mobile: ['phone', 'mobilephone', 'cellphone', 'telephone'],
  employeeId: ['employeeno', 'employeenumber', 'jobnumber', 'staffid', 'staffno'],
  title: ['jobtitle', 'position'],
  departments: ['department', 'dept', 'depts', 'departmentid', 'departmentids', 'deptid', 'deptids', 'deptidlist'],
  status: ['state'],
  manager: ['managerid', 'manageruserid'],
  // `enabled` and `active` are booleans that say the same as `status`.
  enabled: ['isenabled', 'active', 'isactive'],
  attributes: [],
};

const DEPARTMENT_ALIASES: Readonly<Record<DepartmentField, readonly string[]>> = {
  id: ['deptid', 'departmentid'],
  name: ['deptname', 'departmentname', 'displayname'],
  parentId: ['parent', 'parentdeptid', 'parentdepartmentid'],
};

/** `User_ID` → `userid`: the form aliases are compared in. */
export function foldFieldName(name: string): string {
  return name.toLowerCase().replace(/[\s_.-]+/g, '');
}

function lookupTable<F extends string>(aliases: Readonly<Record<F, readonly string[]>>): ReadonlyMap<string, F> {
  const table = new Map<string, F>();
  for (const field of Object.keys(aliases) as F[]) {
    for (const spelling of [foldFieldName(field), ...aliases[field]]) table.set(spelling, field);
  }
  return table;
}

const PERSON_LOOKUP = lookupTable(PERSON_ALIASES);
const DEPARTMENT_LOOKUP = lookupTable(DEPARTMENT_ALIASES);

/** The person field a column or key names, or undefined for anything else (an attribute). */
export function personFieldOf(name: string): PersonField | undefined {
  return PERSON_LOOKUP.get(foldFieldName(name));
}

/** The department field a column or key names, or undefined. */
export function departmentFieldOf(name: string): DepartmentField | undefined {
  return DEPARTMENT_LOOKUP.get(foldFieldName(name));
}
