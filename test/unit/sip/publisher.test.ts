/** SipPublisher over loopback against a scriptable ESC: the SIP-ETag life cycle on the wire, coalescing, 412, refresh. */
import type { Core } from "sip.js";
import { afterEach, describe, expect, it } from "vitest";
import type { SipPublicationStatus } from "../../../src/gateway/ports.js";
import { SipPublisher } from "../../../src/sip/publisher.js";
import { SipStack } from "../../../src/sip/stack.js";
import { captureLogger, LOOPBACK, ManualClock, until } from "./helpers.js";

const stacks: SipStack[] = [];
afterEach(async () => {
  await Promise.all(stacks.splice(0).map((s) => s.stop()));
});

interface PublishSeen {
  readonly ifMatch: string | undefined;
  readonly expires: string | undefined;
  readonly body: string;
  readonly contentType: string | undefined;
  readonly from: string;
}

/** An RFC 3903 ESC: issues entity-tags, answers 412 to unknown ones; `hold` keeps answers back until released. */
class FakeEsc {
  readonly seen: PublishSeen[] = [];
  readonly etags = new Map<string, string>();
  body: string | undefined;
  hold = false;
  private held: (() => void)[] = [];
  private n = 0;

  constructor(readonly stack: SipStack) {
    stack.onIncomingRequest((request) => {
      if (request.method !== "PUBLISH") return "pass";
      this.seen.push({
        ifMatch: request.getHeader("sip-if-match"), expires: request.getHeader("expires"), body: request.body,
        contentType: request.getHeader("content-type"), from: request.from.uri.toString(),
      });
      const uas = stack.serverTransaction(request);
      const answer = (): void => this.answer(request, uas);
      if (this.hold) this.held.push(answer);
      else answer();
      return "handled";
    });
  }

  uri(user: string): string {
    return this.stack.contactUri.replace(/^sip:[^@]*@/, `sip:${user}@`);
  }

  release(): void {
    const held = this.held.splice(0);
    for (const answer of held) answer();
  }

  forget(): void {
    this.etags.clear();
  }

  private answer(request: Core.IncomingRequestMessage, uas: Core.UserAgentServer): void {
    const ifMatch = request.getHeader("sip-if-match");
    if (ifMatch !== undefined && !this.etags.has(ifMatch)) {
      uas.reject({ statusCode: 412 });
      return;
    }
    if (ifMatch !== undefined) this.etags.delete(ifMatch);
    if (request.getHeader("expires") === "0") {
      this.body = undefined;
      uas.accept({ statusCode: 200, extraHeaders: ["Expires: 0"] });
      return;
    }
    if (request.body !== "") this.body = request.body;
    const etag = `e${++this.n}`;
    this.etags.set(etag, this.body ?? "");
    uas.accept({ statusCode: 200, extraHeaders: [`SIP-ETag: ${etag}`, "Expires: 60"] });
  }
}

async function setup(clock?: ManualClock) {
  const make = async (name: string): Promise<SipStack> => {
    const s = await SipStack.start({
      transport: { tcp: { host: LOOPBACK, port: 0 } }, aor: `sip:${name}@${LOOPBACK}`, version: "t", logger: captureLogger(),
      ...(clock && name === "gw" ? { clock } : {}),
    });
    stacks.push(s);
    return s;
  };
  const gw = await make("gw");
  const esc = new FakeEsc(await make("esc"));
  const statuses: SipPublicationStatus[] = [];
  const publisher = new SipPublisher({ stack: gw, expires: 60, events: { onPublicationStatus: (_p, _e, s) => statuses.push(s) } });
  return { esc, publisher, statuses };
}

const body = (note: string) => ({ contentType: "application/pidf+xml", content: `<presence><note>${note}</note></presence>` });

describe("SipPublisher", () => {
  it("initial with body, modify with SIP-If-Match, remove with Expires: 0", async () => {
    const { esc, publisher, statuses } = await setup();
    const alice = esc.uri("alice");
    publisher.publish(alice, body("one"));
    await until(() => statuses.some((s) => s.state === "published"), "published");
    expect(esc.seen[0]).toEqual({ ifMatch: undefined, expires: "60", body: body("one").content, contentType: "application/pidf+xml", from: alice });
    publisher.publish(alice, body("two"));
    await until(() => esc.seen.length === 2 && publisher.stateOf(alice)?.state === "published", "the modify");
    expect(esc.seen[1]).toMatchObject({ ifMatch: "e1", body: body("two").content });
    publisher.unpublish(alice);
    await until(() => statuses.at(-1)?.state === "removed", "removed");
    expect(esc.seen[2]).toMatchObject({ ifMatch: "e2", expires: "0", body: "" });
    expect(esc.body).toBeUndefined();
  });

  it("refuses a presentity that is not a SIP URI (invalid-uri) and sends nothing", async () => {
    const { esc, publisher } = await setup();
    expect(publisher.publish("alice@example.com", body("x"))).toMatchObject({ ok: false, error: { code: "invalid-uri" } });
    expect(publisher.stateOf("alice@example.com")).toBeUndefined();
    expect(esc.seen).toHaveLength(0);
  });

  it("coalesces: 100 changes during one PUBLISH in flight become one modify with the last body", async () => {
    const { esc, publisher } = await setup();
    const alice = esc.uri("alice");
    esc.hold = true;
    publisher.publish(alice, body("0"));
    await until(() => esc.seen.length === 1, "the first PUBLISH");
    for (let i = 1; i <= 100; i++) publisher.publish(alice, body(String(i)));
    esc.hold = false;
    esc.release();
    await until(() => publisher.stateOf(alice)?.state === "published" && esc.seen.length === 2, "settled");
    expect(esc.seen.map((s) => s.body)).toEqual([body("0").content, body("100").content]);
    expect(esc.body).toBe(body("100").content);
    expect(publisher.sent).toEqual({ initial: 1, modify: 1, refresh: 0, remove: 0 });
  });

  it("412 after the ESC lost its state → publishes afresh with the latest body", async () => {
    const { esc, publisher } = await setup();
    const alice = esc.uri("alice");
    publisher.publish(alice, body("one"));
    await until(() => publisher.stateOf(alice)?.state === "published", "published");
    esc.forget();
    esc.body = undefined;
    publisher.publish(alice, body("two"));
    await until(() => esc.seen.length === 3 && publisher.stateOf(alice)?.state === "published", "republished");
    expect(esc.seen.map((s) => s.ifMatch)).toEqual([undefined, "e1", undefined]);
    expect(esc.body).toBe(body("two").content);
  });

  it("refreshes before expiry with no body and SIP-If-Match (simulated clock)", async () => {
    const clock = new ManualClock();
    const { esc, publisher } = await setup(clock);
    const alice = esc.uri("alice");
    publisher.publish(alice, body("one"));
    await until(() => publisher.stateOf(alice)?.state === "published", "published");
    clock.advance(54_999);
    expect(esc.seen).toHaveLength(1);
    clock.advance(1);
    await until(() => esc.seen.length === 2, "the refresh");
    expect(esc.seen[1]).toMatchObject({ ifMatch: "e1", body: "", expires: "60" });
  });
});
