import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { awsClientDefaults } from '../../config.ts';

/**
 * One document client per process. The endpoint comes from `AWS_ENDPOINT_URL_DYNAMODB`
 * when set (DynamoDB Local), so no code here knows where it runs.
 */
export const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient(awsClientDefaults()), {
  marshallOptions: { removeUndefinedValues: true },
});
