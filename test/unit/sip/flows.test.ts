/** Two sip.js UserAgents over each transport: SUBSCRIBE→200→NOTIFY and PUBLISH→200 with SIP-ETag. */
import { Core, Messager, Publisher, PublisherState, Subscriber, UserAgent } from "sip.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SipProtocol } from "../../../src/sip/transport/index.js";
import { pidf, startAgent, stopAgents, TestNotifierDialog, until, type TestAgent } from "./helpers.js";
import { makeTlsMaterial, type TlsMaterial } from "./tls-material.js";

class PublishServer extends Core.UserAgentServer {
  constructor(core: Core.UserAgentCore, message: Core.IncomingRequestMessage) {
    super(Core.NonInviteServerTransaction, core, message);
  }
}

/** Answers PUBLISH (sip.js 405s it before any delegate) with an entity tag, as an RFC 3903 ESC would. */
function acceptPublish(bob: TestAgent, seen: Core.IncomingRequestMessage[]): void {
  const core = bob.ua.userAgentCore;
  const original = core.receiveIncomingRequestFromTransport.bind(core);
  core.receiveIncomingRequestFromTransport = (message: Core.IncomingRequestMessage): void => {
    if (message.method !== "PUBLISH") return original(message);
    seen.push(message);
    new PublishServer(core, message).accept({ statusCode: 200, extraHeaders: [`SIP-ETag: etag-${seen.length}`, "Expires: 60"] });
  };
}

let tls: TlsMaterial;
beforeAll(async () => {
  tls = await makeTlsMaterial();
});
afterAll(() => tls.cleanup());

describe.each<SipProtocol>(["udp", "tcp", "tls"])("two UserAgents over %s", (protocol) => {
  let alice: TestAgent | undefined;
  let bob: TestAgent | undefined;
  afterAll(() => stopAgents(alice, bob));

  it("SUBSCRIBE gets 200 and a NOTIFY with the UTF-8 PIDF intact; PUBLISH gets 200 with SIP-ETag", async () => {
    const tlsOptions = { host: "127.0.0.1", port: 0, ca: tls.cert, cert: tls.cert, key: tls.key };
    const extra = protocol === "tls" ? { tls: tlsOptions } : {};
    const body = pidf("pres:bob@127.0.0.1", "Zürich ☕");
    let subscribes = 0;
    bob = await startAgent("bob", protocol, extra, {
      delegate: {
        onSubscribeRequest: (uas) => {
          subscribes++;
          TestNotifierDialog.accept(bob?.ua.userAgentCore as Core.UserAgentCore, uas, bob?.ua.contact.toString() ?? "", body);
        },
      },
    });
    alice = await startAgent("alice", protocol, extra);
    const published: Core.IncomingRequestMessage[] = [];
    acceptPublish(bob, published);

    const notes: string[] = [];
    const subscriber = new Subscriber(alice.ua, UserAgent.makeURI(bob.uri) as never, "presence", {
      expires: 60, extraHeaders: ["Accept: application/pidf+xml"],
    });
    subscriber.delegate = { onNotify: (n) => { notes.push(n.request.body); void n.accept(); } };
    await subscriber.subscribe();
    await until(() => notes.length > 0, "the NOTIFY");
    expect(subscribes).toBe(1);
    expect(notes[0]).toBe(body);

    const publisher = new Publisher(alice.ua, UserAgent.makeURI(bob.uri) as never, "presence", {
      expires: 60, contentType: "application/pidf+xml",
    });
    await publisher.publish(pidf("pres:alice@127.0.0.1", "in a meeting"));
    await until(() => publisher.state === PublisherState.Published, "the PUBLISH 200");
    expect(published).toHaveLength(1);
    expect(published[0]?.body).toContain("in a meeting");
    await publisher.publish(pidf("pres:alice@127.0.0.1", "back"));
    await until(() => published.length === 2, "the modifying PUBLISH");
    expect(published[1]?.getHeader("SIP-If-Match")).toBe("etag-1");
  });
});

describe("TLS certificate checks", () => {
  let alice: TestAgent | undefined;
  let bob: TestAgent | undefined;
  afterAll(() => stopAgents(alice, bob));

  it("refuses a server whose certificate the client does not trust: sip.js sees a transport error (503)", async () => {
    const other = await makeTlsMaterial();
    try {
      bob = await startAgent("bob", "tls", { tls: { host: "127.0.0.1", port: 0, cert: tls.cert, key: tls.key } });
      alice = await startAgent("alice", "tls", { tls: { host: "127.0.0.1", port: 0, ca: other.cert, cert: other.cert, key: other.key } });
      let status = 0;
      await new Messager(alice.ua, UserAgent.makeURI(bob.uri) as never, "hello")
        .message({ requestDelegate: { onReject: (r) => { status = r.message.statusCode ?? 0; } } });
      await until(() => status !== 0, "the rejection");
      expect(status).toBe(503);
    } finally {
      await other.cleanup();
    }
  });
});
