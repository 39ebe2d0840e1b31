import { IAMClient } from '@aws-sdk/client-iam';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { S3Client } from '@aws-sdk/client-s3';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';

/** The SDK clients of AWS hosting, made once per Lambda instance and shared by its modules. */
export const lambda = new LambdaClient({});
export const iam = new IAMClient({});
export const sns = new SNSClient({});
export const sqs = new SQSClient({});
export const scheduler = new SchedulerClient({});
export const tagging = new ResourceGroupsTaggingAPIClient({});
export const s3 = new S3Client({});
