/** DigestClient through SipStack over loopback: SHA-256 preferred, preemptive reuse, stale nonces, the auth loop. */
import { createHash } from "node:crypto";
import type { Core } from "sip.js";
import { afterEach, describe, expect, it } from "vitest";
import { DigestClient, type DigestCredential } from "../../../src/sip/digest-client.js";
import { SipStack } from "../../../src/sip/stack.js";
import { captureLogger, LOOPBACK } from "./helpers.js";

const stacks: SipStack[] = [];
afterEach(async () => {
  await Promise.all(stacks.splice(0).map((s) => s.stop()));
});

const h = (algorithm: string, text: string): string => createHash(algorithm).update(text).digest("hex");
const params = (value: string): Record<string, string> =>
  Object.fromEntries([...value.matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]+))/g)].map((m) => [m[1] ?? "", m[2] ?? m[3] ?? ""]));

interface Seen {
  readonly cseq: number;
  readonly authorization: string | undefined;
}

/**
 * A registrar-like UAS: challenges with 407 (SHA-256 and MD5 offered), checks the answer by the
 * RFC 7616 formula on its own, and hands out a new nonce once `nonceLifetime` uses are spent.
 */
async function challengingServer(password: string, nonceLifetime = 100): Promise<{ stack: SipStack; seen: Seen[]; uri: string }> {
  const stack = await SipStack.start({ transport: { udp: { host: LOOPBACK, port: 0 } }, aor: `sip:pbx@${LOOPBACK}`, version: "t", logger: captureLogger() });
  stacks.push(stack);
  const seen: Seen[] = [];
  let nonce = "n-1";
  let uses = 0;
  const challenge = (uas: Core.UserAgentServer, stale: boolean): Core.OutgoingResponse => uas.reject({
    statusCode: 407,
    extraHeaders: [
      // SHA-256 first: sip.js's parser keeps only the last (MD5) one; we must read both.
      `Proxy-Authenticate: Digest realm="pbx", nonce="${nonce}", qop="auth", algorithm=SHA-256${stale ? ", stale=true" : ""}`,
      `Proxy-Authenticate: Digest realm="pbx", nonce="${nonce}", qop="auth", algorithm=MD5${stale ? ", stale=true" : ""}`,
    ],
  });
  stack.onIncomingRequest((request) => {
    const authorization = request.getHeader("proxy-authorization");
    seen.push({ cseq: request.cseq, authorization });
    const uas = stack.serverTransaction(request);
    if (authorization === undefined) {
      challenge(uas, false);
      return "handled";
    }
    const p = params(authorization);
    if (p.nonce !== nonce || uses >= nonceLifetime) {
      nonce = `n-${Number(nonce.slice(2)) + 1}`;
      uses = 0;
      challenge(uas, true);
      return "handled";
    }
    const ha1 = h("sha256", `${p.username}:pbx:${password}`);
    const ha2 = h("sha256", `${request.method}:${p.uri}`);
    const ok = p.algorithm === "SHA-256" && p.response === h("sha256", `${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:auth:${ha2}`);
    uses++;
    if (ok) uas.accept({ statusCode: 200 });
    else challenge(uas, false);
    return "handled";
  });
  return { stack, seen, uri: stack.contactUri.replace("sip:pbx@", "sip:1001@") };
}

async function client(credentials: DigestCredential[]): Promise<{ stack: SipStack; digest: DigestClient; logger: ReturnType<typeof captureLogger> }> {
  const logger = captureLogger();
  const digest = new DigestClient(credentials, { logger });
  const stack = await SipStack.start({ transport: { udp: { host: LOOPBACK, port: 0 } }, aor: `sip:gw@${LOOPBACK}`, version: "t", logger, authenticator: digest });
  stacks.push(stack);
  return { stack, digest, logger };
}

const publish = (stack: SipStack, uri: string, from: string): Core.OutgoingRequestMessage =>
  stack.makeRequest({ method: "PUBLISH", requestUri: uri, from, extraHeaders: ["Event: presence"], body: { contentType: "application/pidf+xml", content: "<presence/>" } });

describe("DigestClient over SipStack", () => {
  it("answers the strongest challenge (SHA-256), then sends credentials preemptively: one round trip per later request", async () => {
    const server = await challengingServer("s3cret");
    const { stack, digest } = await client([{ realm: "pbx", username: "1001", password: "s3cret" }]);
    const first = publish(stack, server.uri, `sip:1001@${LOOPBACK}`);
    expect((await stack.send(first)).statusCode).toBe(200);
    expect(first.cseq).toBe(2);
    for (let i = 0; i < 3; i++) expect((await stack.send(publish(stack, server.uri, `sip:1001@${LOOPBACK}`))).statusCode).toBe(200);
    expect(server.seen.map((s) => s.authorization === undefined)).toEqual([true, false, false, false, false]);
    expect(server.seen.slice(1).map((s) => params(s.authorization ?? "").nc)).toEqual(["00000001", "00000002", "00000003", "00000004"]);
    expect(digest.counters).toEqual({ preemptive: 3, challenged: 1, gaveUp: 0 });
  });

  it("takes a stale nonce as a new nonce, not as a failure", async () => {
    const server = await challengingServer("s3cret", 1);
    const { stack } = await client([{ realm: "pbx", username: "1001", password: "s3cret" }]);
    expect((await stack.send(publish(stack, server.uri, `sip:1001@${LOOPBACK}`))).statusCode).toBe(200);
    // The cached nonce is spent: the preemptive try gets stale=true, the retry with the new nonce passes.
    expect((await stack.send(publish(stack, server.uri, `sip:1001@${LOOPBACK}`))).statusCode).toBe(200);
    expect(server.seen.map((s) => params(s.authorization ?? "").nonce ?? "-")).toEqual(["-", "n-1", "n-1", "n-2"]);
  });

  it("gives up after a second rejection (auth loop) and reports it", async () => {
    const server = await challengingServer("right");
    const { stack, logger } = await client([{ realm: "pbx", username: "1001", password: "wrong" }]);
    const outcome = await stack.send(publish(stack, server.uri, `sip:1001@${LOOPBACK}`));
    expect(outcome.statusCode).toBe(407);
    expect(server.seen).toHaveLength(2);
    expect(logger.lines.filter((l) => l.event === "sip.digest.rejected")).toHaveLength(1);
  });

  it("picks the credential whose username is the From user (one identity per bridged user)", async () => {
    const server = await challengingServer("pw-1002");
    const { stack } = await client([
      { realm: "pbx", username: "1001", password: "pw-1001" },
      { realm: "pbx", username: "1002", password: "pw-1002" },
    ]);
    expect((await stack.send(publish(stack, server.uri, `sip:1002@${LOOPBACK}`))).statusCode).toBe(200);
    expect(params(server.seen[1]?.authorization ?? "").username).toBe("1002");
  });

  it("lets the challenge through when no credential fits the realm", async () => {
    const server = await challengingServer("s3cret");
    const { stack, logger } = await client([{ realm: "elsewhere", username: "1001", password: "s3cret" }]);
    expect((await stack.send(publish(stack, server.uri, `sip:1001@${LOOPBACK}`))).statusCode).toBe(407);
    expect(server.seen).toHaveLength(1);
    expect(logger.lines.find((l) => l.event === "sip.digest.no-credentials")?.fields).toMatchObject({ realm: "pbx,pbx" });
  });
});
