/**
 * The one way the suite builds an S3 client (@aws-sdk/client-s3), for the stack's bucket
 * and for the scenarios' object stores alike.
 *
 * Checksums are computed only when S3 requires them (`WHEN_REQUIRED`): the SDK's default
 * sends stream bodies `aws-chunked` with a trailer, which some S3 servers store verbatim.
 */
import { S3Client } from '@aws-sdk/client-s3';

export interface S3Access {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export function s3Client(s3: S3Access): S3Client {
  return new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}
