/**
 * An S3 on-failure destination: Lambda writes one object per discarded batch, under
 * `aws/lambda/<mapping UUID>/<shard id>/YYYY/MM/DD/…`, holding the on-failure record and the
 * invocation payload (the records)
 * (https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html).
 * The prefix is listed (ListObjectsV2, all pages) and each object read (GetObject).
 * IAM: s3:ListBucket, s3:GetObject, s3:DeleteObject (--delete).
 */
import type { S3Location } from "../../core/arn.js";
import { type DynastreamError, NotFoundError } from "../../errors.js";
import { awsErrorName, translateAwsError } from "../errors.js";
import { type AwsRun, listAll } from "../streams.js";

/** The prefix under which Lambda writes the on-failure objects of mapping `uuid`. */
export function mappingPrefix(uuid: string): string {
  return `aws/lambda/${uuid}/`;
}

/** What a location is called in messages: `s3://<bucket>/<prefix>`. */
function subjectOf(loc: S3Location): string {
  return `s3://${loc.bucket}/${loc.prefix}`;
}

function translate(run: AwsRun, e: unknown, loc: S3Location): DynastreamError {
  const name = awsErrorName(e);
  if (name === "NoSuchBucket")
    return new NotFoundError(
      `bucket ${loc.bucket} not found`,
      "check the bucket name, --region and --profile",
      e,
    );
  return translateAwsError(e, subjectOf(loc), run.clients.settings.endpointUrl);
}

/** Every object key under the prefix (ListObjectsV2, all pages), in listing (key) order. */
export async function listObjects(
  run: AwsRun,
  loc: S3Location,
  opts: { pageSize?: number } = {},
): Promise<string[]> {
  const { ListObjectsV2Command } = await import("@aws-sdk/client-s3");
  const s3 = await run.clients.s3();
  const objects = await listAll(
    run,
    subjectOf(loc),
    (token, abortSignal) =>
      s3
        .send(
          new ListObjectsV2Command({
            Bucket: loc.bucket,
            ...(loc.prefix ? { Prefix: loc.prefix } : {}),
            ContinuationToken: token,
            ...(opts.pageSize ? { MaxKeys: opts.pageSize } : {}),
          }),
          { abortSignal },
        )
        .catch((e: unknown) => Promise.reject(translate(run, e, loc))),
    {
      next: (out) => (out.IsTruncated ? out.NextContinuationToken : undefined),
      items: (out) => out.Contents,
    },
  );
  const keys: string[] = [];
  for (const o of objects) if (o.Key && !o.Key.endsWith("/")) keys.push(o.Key);
  return keys;
}

/** The text of one object. */
export async function readObject(run: AwsRun, bucket: string, key: string): Promise<string> {
  const { GetObjectCommand } = await import("@aws-sdk/client-s3");
  const s3 = await run.clients.s3();
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }), {
      abortSignal: run.signal,
    });
    return (await out.Body?.transformToString("utf-8")) ?? "";
  } catch (e) {
    throw translate(run, e, { bucket, prefix: key });
  }
}

/** Deletes one object. */
export async function deleteObject(run: AwsRun, bucket: string, key: string): Promise<void> {
  const { DeleteObjectCommand } = await import("@aws-sdk/client-s3");
  const s3 = await run.clients.s3();
  try {
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: run.signal });
  } catch (e) {
    throw translate(run, e, { bucket, prefix: key });
  }
}
