import fc from 'fast-check';
import type { Identity } from '../../../functions/lib/core/model';
import { TemplateError, compileTemplate, emailLocalPart } from '../../../functions/lib/core/template';

const alice: Identity = {
  source: 'ad',
  sourceId: '5f1c-guid',
  userName: 'ALiu',
  displayName: 'Alice Liu',
  email: 'Alice.Liu+ram@Corp.Example',
  employeeId: '0042',
  departmentIds: [],
  status: 'active',
  attributes: { userPrincipalName: 'aliu@corp.example', costCenter: '' },
};

describe('compileTemplate', () => {
  it('fills every known field', () => {
    expect(compileTemplate('{userName}')(alice)).toBe('ALiu');
    expect(compileTemplate('{email}')(alice)).toBe('Alice.Liu+ram@Corp.Example');
    expect(compileTemplate('{email.local}')(alice)).toBe('Alice.Liu');
    expect(compileTemplate('{employeeId}')(alice)).toBe('0042');
    expect(compileTemplate('{sourceId}')(alice)).toBe('5f1c-guid');
    expect(compileTemplate('{displayName}')(alice)).toBe('Alice Liu');
    expect(compileTemplate('{attr.userPrincipalName}')(alice)).toBe('aliu@corp.example');
  });

  it('keeps literal text around and between fields', () => {
    expect(compileTemplate('ext-{employeeId}')(alice)).toBe('ext-0042');
    expect(compileTemplate('{userName}.{employeeId}@x')(alice)).toBe('ALiu.0042@x');
    expect(compileTemplate('{ employeeId }')(alice)).toBe('0042');
  });

  it('answers undefined when any field it names is missing or blank', () => {
    const noEmail: Identity = { ...alice, email: undefined };
    expect(compileTemplate('{email.local}')(noEmail)).toBeUndefined();
    expect(compileTemplate('ext-{employeeId}')({ ...alice, employeeId: '  ' })).toBeUndefined();
    expect(compileTemplate('{attr.costCenter}')(alice)).toBeUndefined();
    expect(compileTemplate('{attr.missing}')(alice)).toBeUndefined();
    expect(compileTemplate('{userName}-{employeeId}')({ ...alice, employeeId: undefined })).toBeUndefined();
  });

  it('rejects an unknown field at compile time, naming the known ones', () => {
    expect(() => compileTemplate('{mail}')).toThrow(TemplateError);
    expect(() => compileTemplate('{mail}')).toThrow(/unknown field \{mail\}.*\{email\.local\}/);
    expect(() => compileTemplate('{attr.}')).toThrow(TemplateError);
    expect(() => compileTemplate('{}')).toThrow(TemplateError);
  });

  it('rejects unbalanced braces', () => {
    expect(() => compileTemplate('{email')).toThrow(/unbalanced "\{"/);
    expect(() => compileTemplate('email}')).toThrow(/unbalanced "\}"/);
    expect(() => compileTemplate('{a{email}}')).toThrow(TemplateError);
  });

  it('rejects a template without a field, which would give everyone the same name', () => {
    expect(() => compileTemplate('admin')).toThrow(/names no field/);
    expect(() => compileTemplate('')).toThrow(TemplateError);
  });

  it('reproduces literal text exactly for any literal without braces', () => {
    const literal = fc.string({ maxLength: 30 }).filter((s) => !s.includes('{') && !s.includes('}'));
    fc.assert(fc.property(literal, literal, fc.stringMatching(/^[a-z0-9]{1,10}$/), (before, after, id) => {
      expect(compileTemplate(`${before}{employeeId}${after}`)({ ...alice, employeeId: id })).toBe(`${before}${id}${after}`);
    }), { numRuns: 1000 });
  });
});

describe('emailLocalPart', () => {
  it('takes the text before the last @ and removes a +tag', () => {
    expect(emailLocalPart('Alice+ram@corp.example')).toBe('Alice');
    expect(emailLocalPart('"a@b"@corp.example')).toBe('"a@b"');
    expect(emailLocalPart('alice+a+b@corp.example')).toBe('alice');
  });

  it('takes a value without @ as a bare local part', () => {
    expect(emailLocalPart('alice')).toBe('alice');
  });

  it('finds nothing in an empty address or one that is only a tag', () => {
    expect(emailLocalPart('')).toBeUndefined();
    expect(emailLocalPart('@corp.example')).toBeUndefined();
    expect(emailLocalPart('+tag@corp.example')).toBeUndefined();
    expect(emailLocalPart(undefined)).toBeUndefined();
  });
});
