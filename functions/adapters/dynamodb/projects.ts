import { DeleteCommand, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Project, ProjectRepository } from '../../core/projects/ports.ts';
import { DuplicateField } from '../../core/shared/errors.ts';
import type { Page, PageRequest } from '../../core/shared/listing.ts';
import { documentClient } from './client.ts';
import { isConditionFailure } from './errors.ts';
import { keys } from './keys.ts';
import { pagedQuery } from './pager.ts';

const toItem = (p: Project) => ({
  ...keys.project(p.tenant, p.key),
  ...keys.projectById(p.id),
  type: 'Project',
  id: p.id,
  key: p.key,
  name: p.name,
  tenant: p.tenant,
  version: p.version,
  ...(p.strictScripts === undefined ? {} : { strictScripts: p.strictScripts }),
  createdAt: p.createdAt,
  lastModifiedAt: p.lastModifiedAt,
});

const fromItem = (item: Record<string, unknown>): Project => ({
  id: String(item.id),
  key: String(item.key),
  name: String(item.name),
  tenant: String(item.tenant),
  version: Number(item.version),
  ...(typeof item.strictScripts === 'boolean' ? { strictScripts: item.strictScripts } : {}),
  createdAt: String(item.createdAt),
  lastModifiedAt: String(item.lastModifiedAt),
});

export const dynamoProjectRepository = (tableName: () => string): ProjectRepository => ({
  async create(project) {
    try {
      await documentClient.send(
        new PutCommand({
          TableName: tableName(),
          Item: toItem(project),
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new DuplicateField('key', project.key);
      throw error;
    }
  },

  async delete(project) {
    try {
      await documentClient.send(
        new DeleteCommand({
          TableName: tableName(),
          Key: keys.project(project.tenant, project.key),
          ConditionExpression: 'id = :id',
          ExpressionAttributeValues: { ':id': project.id },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  },

  async get(tenant, key) {
    const out = await documentClient.send(
      new GetCommand({ TableName: tableName(), Key: keys.project(tenant, key), ConsistentRead: true }),
    );
    return out.Item ? fromItem(out.Item) : undefined;
  },

  async getById(id) {
    const out = await documentClient.send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: 'GSI1',
        KeyConditionExpression: 'GSI1PK = :pk AND GSI1SK = :sk',
        ExpressionAttributeValues: { ':pk': keys.projectById(id).GSI1PK, ':sk': keys.projectById(id).GSI1SK },
      }),
    );
    const [item] = out.Items ?? [];
    return item ? fromItem(item) : undefined;
  },

  list(tenant, page: PageRequest): Promise<Page<Project>> {
    const partition = keys.tenantPartition(tenant);
    return pagedQuery(
      {
        input: {
          TableName: tableName(),
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
          ExpressionAttributeValues: { ':pk': partition, ':prefix': keys.projectPrefix },
          ConsistentRead: true,
        },
        partitionAttr: 'PK',
        partitionValue: partition,
      },
      page,
      fromItem,
    );
  },
});
