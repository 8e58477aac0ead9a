// s3rver (an S3 emulator, npm) on a free loopback port, in a temporary directory removed at the end,
// for tests of S3 on-failure destinations. Path-style addressing (`endpoint/bucket/key`).
//
// It runs in a child Node process started with --openssl-legacy-provider: s3rver makes the
// continuation tokens of truncated listings with DES, which OpenSSL 3 only offers through its legacy
// provider (without it every listing longer than a page answers 500). s3rver knows only its own
// access key: the tests' key is registered with it (it does not check SigV4 signatures).
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { TEST_CREDENTIALS, TEST_REGION } from "./ddb.js";

const require = createRequire(import.meta.url);

export interface S3Emulator {
  endpoint: string;
  client: S3Client;
  /** Creates a bucket and puts the objects (key → body). */
  bucket(name: string, objects?: Record<string, string>): Promise<void>;
  stop(): Promise<void>;
}

const SERVER = `
const S3rver = require(process.env.S3RVER_MAIN);
const account = require(process.env.S3RVER_ACCOUNT);
account.DUMMY_ACCOUNT.createKeyPair(process.env.KEY_ID, process.env.KEY_SECRET);
new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory: process.env.S3RVER_DIR, vhostBuckets: false })
  .run()
  .then((a) => process.stdout.write("PORT " + a.port + "\\n"));
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
`;

/** Starts s3rver; `stop()` ends it and removes its directory. */
export async function startS3(): Promise<S3Emulator> {
  const directory = mkdtempSync(join(tmpdir(), "dynastream-s3rver-"));
  const child: ChildProcess = spawn(process.execPath, ["--openssl-legacy-provider", "-e", SERVER], {
    env: {
      PATH: process.env.PATH ?? "",
      S3RVER_MAIN: require.resolve("s3rver"),
      S3RVER_ACCOUNT: require.resolve("s3rver/lib/models/account.js"),
      S3RVER_DIR: directory,
      KEY_ID: TEST_CREDENTIALS.accessKeyId,
      KEY_SECRET: TEST_CREDENTIALS.secretAccessKey,
    },
    stdio: ["pipe", "pipe", "inherit"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout?.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      const m = /PORT (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.on("exit", (code) => reject(new Error(`s3rver exited with ${code}`)));
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint,
    region: TEST_REGION,
    credentials: TEST_CREDENTIALS,
    forcePathStyle: true,
  });
  return {
    endpoint,
    client,
    async bucket(name, objects = {}) {
      await client.send(new CreateBucketCommand({ Bucket: name }));
      for (const [Key, Body] of Object.entries(objects)) {
        await client.send(new PutObjectCommand({ Bucket: name, Key, Body }));
      }
    },
    async stop() {
      client.destroy();
      const ended = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.stdin?.end();
      await ended;
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
