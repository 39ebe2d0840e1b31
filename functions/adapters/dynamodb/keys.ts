/** Every key of the single table is built here, next to nothing else. */

export const keys = {
  client: (clientId: string) => ({ PK: `CLIENT#${clientId}`, SK: 'CLIENT' }),
  storeToken: (tokenHash: string) => ({ PK: `STORETOKEN#${tokenHash}`, SK: 'STORETOKEN' }),
  tenantPartition: (tenant: string) => `TENANT#${tenant}`,
  project: (tenant: string, key: string) => ({ PK: `TENANT#${tenant}`, SK: `PROJECT#${key}` }),
  projectPrefix: 'PROJECT#',
  upload: (id: string) => ({ PK: `UPLOAD#${id}`, SK: 'UPLOAD' }),
  /** GSI1: project by its uuid (the BigCommerce dialect addresses projects by uuid). */
  projectById: (id: string) => ({ GSI1PK: `PROJECTID#${id}`, GSI1SK: 'PROJECT' }),
} as const;
