/**
 * The stack's S3 object store (MinIO), reached with @aws-sdk/client-s3: each scenario
 * gets a bucket of its own (`gmp-<sid>`), created on first use and emptied and removed
 * by the scenario's teardown.
 * The client comes from support/base/s3-client.ts.
 */
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NotFound,
  PutObjectCommand,
  S3Client,
  type HeadObjectCommandOutput,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { createHash } from 'node:crypto';
import got from 'got';
import { s3Client } from '../base/s3-client.js';
import type { GenroWorld } from '../cucumber/world.js';

export interface StoredObject {
  key: string;
  size: number;
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}


export class ObjectStore {
  private created: Promise<void> | undefined;

  constructor(
    private readonly client: S3Client,
    /** The scenario's bucket. */
    readonly bucket: string,
  ) {}

  static forScenario(world: GenroWorld): ObjectStore {
    const client = s3Client(world.session.endpoints.s3);
    const store = new ObjectStore(client, `gmp-${world.sid}`);
    world.teardown.push(`remove bucket ${store.bucket}`, async () => {
      try {
        if (store.created) await store.remove();
      } finally {
        client.destroy();
      }
    });
    return store;
  }

  /** Creates the scenario's bucket (once) and returns its name. */
  async ensureBucket(): Promise<string> {
    this.created ??= this.client.send(new CreateBucketCommand({ Bucket: this.bucket })).then(() => undefined);
    await this.created;
    return this.bucket;
  }

  /** The bucket as an fsspec/S3 URL, e.g. s3://gmp-x/prefix. */
  url(prefix = ''): string {
    return `s3://${this.bucket}${prefix ? `/${prefix.replace(/^\/+|\/+$/g, '')}` : ''}`;
  }

  async put(key: string, body: Buffer | string, contentType?: string): Promise<void> {
    await this.ensureBucket();
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }));
  }

  /** Every object whose key starts with `prefix`. */
  async list(prefix = ''): Promise<StoredObject[]> {
    await this.ensureBucket();
    const objects: StoredObject[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }));
      for (const o of page.Contents ?? []) objects.push({ key: o.Key!, size: o.Size ?? 0 });
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return objects;
  }

  /** The object's metadata, or undefined when there is no such object. */
  async head(key: string): Promise<HeadObjectCommandOutput | undefined> {
    await this.ensureBucket();
    try {
      return await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (error) {
      if (error instanceof NotFound || (error as { name?: string }).name === 'NotFound') return undefined;
      throw error;
    }
  }

  async get(key: string): Promise<Buffer> {
    await this.ensureBucket();
    const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    return Buffer.from(await out.Body!.transformToByteArray());
  }

  /** A presigned GET URL for the object, valid for `seconds`. */
  async presignedUrl(key: string, seconds = 600): Promise<string> {
    await this.ensureBucket();
    return getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.bucket, Key: key }), { expiresIn: seconds });
  }

  /** Downloads any URL (a presigned link, a download link in a mail) without credentials. */
  static async download(url: string): Promise<{ status: number; body: Buffer }> {
    const response = await got(url, { throwHttpErrors: false, retry: { limit: 0 }, timeout: { request: 15_000 }, responseType: 'buffer' });
    return { status: response.statusCode, body: response.body };
  }

  /** Empties and removes the bucket. */
  async remove(): Promise<void> {
    const objects = await this.list();
    for (let i = 0; i < objects.length; i += 1000) {
      await this.client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: objects.slice(i, i + 1000).map((o) => ({ Key: o.key })) } }));
    }
    await this.client.send(new DeleteBucketCommand({ Bucket: this.bucket }));
  }
}
