import { ScanCommand, type ScanCommandOutput, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from './client.ts';
import { keys } from './keys.ts';

type Item = Record<string, unknown>;

/** The listing key an older credential lacks: clients by tenant, store tokens by store. */
const indexKeyOf = (item: Item) =>
  String(item.PK).startsWith('CLIENT#')
    ? keys.clientByTenant(String(item.tenant), String(item.createdAt), String(item.clientId))
    : keys.storeTokenByTenant(String(item.tenant), String(item.createdAt), String(item.id));

/**
 * Credentials made before they were listed per tenant (API clients and store tokens of an older
 * version) have no GSI1 key, so `GET /api-clients`, `GET …/access-tokens` and the DELETE by id
 * cannot find them, though they still authenticate. This gives each its key, once: a scan of
 * the credential items that lack one. `npm start` runs it on every start (a local table is
 * small); on AWS, `npm run credentials:index` once after upgrading. Returns how many it indexed.
 */
export const indexOlderCredentials = async (tableName: string): Promise<number> => {
  let indexed = 0;
  let start: Item | undefined;
  do {
    const page: ScanCommandOutput = await documentClient.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression:
          '(begins_with(PK, :client) OR begins_with(PK, :token)) AND attribute_not_exists(GSI1PK)',
        ExpressionAttributeValues: { ':client': 'CLIENT#', ':token': 'STORETOKEN#' },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) {
      const { GSI1PK, GSI1SK } = indexKeyOf(item);
      await documentClient.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { PK: item.PK, SK: item.SK },
          UpdateExpression: 'SET GSI1PK = :pk, GSI1SK = :sk',
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeValues: { ':pk': GSI1PK, ':sk': GSI1SK },
        }),
      );
      indexed++;
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return indexed;
};
