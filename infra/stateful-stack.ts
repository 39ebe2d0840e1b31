import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AttributeType, Billing, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  HttpMethods,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { TABLE_SCHEMA } from '../functions/adapters/dynamodb/schema.ts';

export interface StatefulStackProps extends StackProps {
  /** Development stacks can be destroyed with their data; others retain it. */
  dev: boolean;
}

/**
 * What holds data: the single table (from the same schema module the local stack uses)
 * and the artifacts bucket. Kept apart from the stateless stack so that redeploying
 * functions never puts data at risk.
 */
export class StatefulStack extends Stack {
  readonly table: TableV2;
  readonly bucket: Bucket;
  readonly logBucket: Bucket;
  /** Encrypts the table and the artifacts. */
  readonly dataKey: Key;
  /** Encrypts secured configuration values (envelope encryption, bound to project and deployment). */
  readonly secretsKey: Key;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const removalPolicy = props.dev ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;

    // Customer-managed keys, rotated yearly: data at rest, and secured configuration apart
    // from it (only the functions that seal or run with secrets may use the second).
    this.dataKey = new Key(this, 'DataKey', {
      description: 'Slipway: the table and the artifacts bucket',
      enableKeyRotation: true,
      removalPolicy,
    });
    this.secretsKey = new Key(this, 'SecretsKey', {
      description: 'Slipway: secured configuration values',
      enableKeyRotation: true,
      removalPolicy,
    });

    this.table = new TableV2(this, 'Table', {
      partitionKey: { name: TABLE_SCHEMA.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE_SCHEMA.sortKey, type: AttributeType.STRING },
      globalSecondaryIndexes: TABLE_SCHEMA.globalSecondaryIndexes.map((gsi) => ({
        indexName: gsi.indexName,
        partitionKey: { name: gsi.partitionKey, type: AttributeType.STRING },
        sortKey: { name: gsi.sortKey, type: AttributeType.STRING },
      })),
      timeToLiveAttribute: TABLE_SCHEMA.timeToLiveAttribute,
      billing: Billing.onDemand(),
      encryption: TableEncryptionV2.customerManagedKey(this.dataKey),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: !props.dev,
      removalPolicy,
    });

    // Who read or wrote which artifact: server access logs, in a bucket of their own.
    this.logBucket = new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy,
      autoDeleteObjects: props.dev,
    });
    this.bucket = new Bucket(this, 'Artifacts', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.KMS,
      encryptionKey: this.dataKey,
      bucketKeyEnabled: true,
      lifecycleRules: [
        // Uploads live under projects/<id>/uploads/; what consumes one copies it first, so an
        // upload not consumed within a week is no longer needed.
        { id: 'ExpireUploads', prefix: 'projects/', expiration: Duration.days(7) },
        { id: 'AbortIncompleteMultipartUploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      // Browsers PUT artifacts straight to presigned URLs.
      cors: [
        {
          allowedMethods: [HttpMethods.PUT],
          allowedOrigins: ['*'],
          allowedHeaders: ['*'],
          exposedHeaders: ['ETag'],
          maxAge: 3000,
        },
      ],
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 'artifacts/',
      removalPolicy,
      autoDeleteObjects: props.dev,
    });

    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'BucketName', { value: this.bucket.bucketName });
  }
}
