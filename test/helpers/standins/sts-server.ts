/**
 * In-memory stand-in for AWS STS's GetCallerIdentity, the one STS call `dynastream doctor` makes. No
 * emulator offers STS; this speaks the real awsQuery protocol that `@aws-sdk/client-sts` uses:
 *
 * - Request: `POST /`, `content-type: application/x-www-form-urlencoded`, body
 *   `Action=GetCallerIdentity&Version=2011-06-15`, signed with SigV4 for the service `sts`
 *   (`Authorization: AWS4-HMAC-SHA256 Credential=<key id>/<date>/<region>/sts/aws4_request, …`).
 * - Response: 200, `text/xml`, `<GetCallerIdentityResponse><GetCallerIdentityResult><Arn/><UserId/>
 *   <Account/></GetCallerIdentityResult><ResponseMetadata><RequestId/></ResponseMetadata></…>`
 *   (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html).
 * - Errors: `<ErrorResponse><Error><Type>Sender</Type><Code>…</Code><Message>…</Message></Error>
 *   <RequestId>…</RequestId></ErrorResponse>`; an unknown access key id is 403 InvalidClientTokenId,
 *   as AWS answers it. GetCallerIdentity needs no permission, so it is never AccessDenied.
 *
 * The signature itself is not verified (the key id is): the SDK signs; what is checked is that it
 * signed for STS, with the key the test expected.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

export interface StsIdentity {
  arn: string;
  account: string;
  userId: string;
}

export interface StsStandin {
  endpoint: string;
  /** Every Action received, in order. */
  actions: string[];
  stop(): Promise<void>;
}

const NS = "https://sts.amazonaws.com/doc/2011-06-15/";

function xmlEscape(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function errorXml(code: string, message: string, type = "Sender"): string {
  return `<ErrorResponse xmlns="${NS}">\n  <Error>\n    <Type>${type}</Type>\n    <Code>${code}</Code>\n    <Message>${xmlEscape(message)}</Message>\n  </Error>\n  <RequestId>${randomUUID()}</RequestId>\n</ErrorResponse>\n`;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (d: string) => {
      body += d;
    });
    req.on("end", () => resolve(body));
    req.on("error", reject);
  });
}

/** Starts the stand-in; `identities` maps an access key id to the identity GetCallerIdentity returns. */
export async function startStsStandin(identities: Record<string, StsIdentity>): Promise<StsStandin> {
  const actions: string[] = [];
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    const send = (status: number, xml: string): void => {
      res.writeHead(status, {
        "content-type": "text/xml",
        "x-amzn-requestid": randomUUID(),
        "content-length": Buffer.byteLength(xml),
      });
      res.end(xml);
    };
    const form = new URLSearchParams(body);
    const action = form.get("Action") ?? "";
    actions.push(action);
    if (
      req.method !== "POST" ||
      !String(req.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded")
    ) {
      send(400, errorXml("InvalidAction", "Expected a form-encoded POST"));
      return;
    }
    const auth = String(req.headers.authorization ?? "");
    const cred = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(auth);
    if (!cred) {
      send(400, errorXml("MissingAuthenticationToken", "Request is missing Authentication Token"));
      return;
    }
    if (cred[3] !== "sts") {
      send(400, errorXml("SignatureDoesNotMatch", `Credential should be scoped to correct service: 'sts'.`));
      return;
    }
    if (action !== "GetCallerIdentity" || form.get("Version") !== "2011-06-15") {
      send(
        400,
        errorXml("InvalidAction", `Could not find operation ${action} for version ${form.get("Version")}`),
      );
      return;
    }
    const who = identities[cred[1] ?? ""];
    if (!who) {
      send(403, errorXml("InvalidClientTokenId", "The security token included in the request is invalid."));
      return;
    }
    send(
      200,
      `<GetCallerIdentityResponse xmlns="${NS}">\n  <GetCallerIdentityResult>\n    <Arn>${xmlEscape(who.arn)}</Arn>\n    <UserId>${xmlEscape(who.userId)}</UserId>\n    <Account>${xmlEscape(who.account)}</Account>\n  </GetCallerIdentityResult>\n  <ResponseMetadata>\n    <RequestId>${randomUUID()}</RequestId>\n  </ResponseMetadata>\n</GetCallerIdentityResponse>\n`,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    actions,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
