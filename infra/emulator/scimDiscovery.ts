/**
 * `/ResourceTypes` and `/Schemas`, which RAM serves without authentication. Only the User resource
 * exists, with the four attributes RAM maps.
 */
export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

const attribute = (name: string, opts: { required: boolean; uniqueness: string; mutability: string; caseExact: boolean }) => ({
  name,
  type: 'string',
  multiValued: false,
  required: opts.required,
  caseExact: opts.caseExact,
  mutability: opts.mutability,
  returned: 'default',
  uniqueness: opts.uniqueness,
});

export function userResourceType(baseUrl: string): Record<string, unknown> {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
    id: 'User',
    name: 'User',
    endpoint: '/Users',
    description: 'RAM user',
    schema: USER_SCHEMA,
    meta: { location: `${baseUrl}/ResourceTypes/User`, resourceType: 'ResourceType' },
  };
}

export function userSchema(baseUrl: string): Record<string, unknown> {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'],
    id: USER_SCHEMA,
    name: 'User',
    description: 'RAM user',
    attributes: [
      attribute('userName', { required: true, uniqueness: 'server', mutability: 'readWrite', caseExact: false }),
      attribute('displayName', { required: true, uniqueness: 'none', mutability: 'readWrite', caseExact: true }),
      attribute('externalId', { required: false, uniqueness: 'server', mutability: 'readWrite', caseExact: true }),
    ],
    meta: { location: `${baseUrl}/Schemas/${USER_SCHEMA}`, resourceType: 'Schema' },
  };
}

export function listOf(resources: unknown[]): Record<string, unknown> {
  return {
    schemas: [LIST_SCHEMA],
    totalResults: resources.length,
    itemsPerPage: resources.length,
    startIndex: 1,
    Resources: resources,
  };
}
