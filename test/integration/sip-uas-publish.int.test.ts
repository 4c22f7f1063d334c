/**
 * The PUBLISH receiver (RFC 3903 ESC) against sipsak, a real independent SIP client,
 * with bodies as Asterisk and phones send them: initial, refresh, modify, remove, 412,
 * bad bodies, and a digest challenge of our own; over UDP and TCP.
 */
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { sipsak, type SipsakResult } from "../servers/sipsak.js";
import { startUas, type Uas } from "../unit/sip/uas-fixture.js";

type Protocol = "udp" | "tcp";
const fixture = (name: string): string => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), "utf8");
const ON_THE_PHONE = fixture("asterisk-20-pidf-on-the-phone.xml");
const IDLE = fixture("asterisk-20-pidf-idle.xml");
const DIALOG_EARLY = fixture("asterisk-20-dialog-info-early.xml");
const ALICE = "sip:alice@bridge.test";

const running: Uas[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((u) => u.stop()));
});

/** The last response's header, from sipsak's verbose output. */
function lastHeader(result: SipsakResult, name: string): string | undefined {
  const responses = result.output.split(/^(?=SIP\/2\.0 \d{3})/m).slice(1);
  const last = responses.at(-1) ?? "";
  return new RegExp(`^${name}:\\s*(.*?)\\s*$`, "im").exec(last.split(/\r?\n\r?\n/)[0] ?? "")?.[1];
}

describe.each<Protocol>(["udp", "tcp"])("PUBLISH from sipsak to the receiver (%s)", (protocol) => {
  async function receiver(options: object = {}): Promise<{ uas: Uas; publish: (headers: [string, string][], body?: string, auth?: { user: string; password: string }) => Promise<SipsakResult> }> {
    const uas = await startUas({ protocol, ...options });
    running.push(uas);
    const publish = (headers: [string, string][], body?: string, auth?: { user: string; password: string }): Promise<SipsakResult> =>
      sipsak({
        host: "127.0.0.1", port: uas.port, transport: protocol, method: "PUBLISH", uri: ALICE, from: "sip:1001@pbx.example.com",
        headers, ...(body === undefined ? {} : { body }), ...(auth === undefined ? {} : { auth }),
      });
    return { uas, publish };
  }

  it("initial (Asterisk's PIDF) → SIP-ETag; refresh; modify; remove; 412 for a stale entity-tag", async () => {
    const { uas, publish } = await receiver();
    const initial = await publish([["Event", "presence"], ["Expires", "600"], ["Content-Type", "application/pidf+xml"]], ON_THE_PHONE);
    expect(initial.code).toBe(200);
    const etag1 = lastHeader(initial, "SIP-ETag");
    expect(etag1).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(lastHeader(initial, "Expires")).toBe("600");
    const [presentity, publications] = uas.gateway.published.at(-1)!;
    expect(presentity).toBe("alice@example.com");
    const doc = publications[0]?.document;
    expect(doc?.kind === "pidf" && [doc.tuples[0]?.basic, doc.persons[0]?.activities]).toEqual(["closed", ["on-the-phone"]]);
    expect(publications[0]?.publisher).toBe("sip:1001@pbx.example.com");

    const refresh = await publish([["Event", "presence"], ["Expires", "600"], ["SIP-If-Match", etag1!]]);
    expect(refresh.code).toBe(200);
    const etag2 = lastHeader(refresh, "SIP-ETag");
    expect(etag2).toBeDefined();
    expect(etag2).not.toBe(etag1);
    expect(uas.gateway.published).toHaveLength(1);

    const stale = await publish([["Event", "presence"], ["SIP-If-Match", etag1!]]);
    expect(stale.code).toBe(412);

    const modify = await publish([["Event", "presence"], ["SIP-If-Match", etag2!], ["Content-Type", "application/pidf+xml"]], IDLE);
    expect(modify.code).toBe(200);
    const etag3 = lastHeader(modify, "SIP-ETag");
    const modified = uas.gateway.published.at(-1)![1][0]?.document;
    expect(modified?.kind === "pidf" && modified.tuples[0]?.basic).toBe("open");

    const remove = await publish([["Event", "presence"], ["Expires", "0"], ["SIP-If-Match", etag3!]]);
    expect([remove.code, lastHeader(remove, "Expires")]).toEqual([200, "0"]);
    expect(uas.gateway.published.at(-1)).toEqual(["alice@example.com", []]);
    expect((await publish([["Event", "presence"], ["SIP-If-Match", etag3!]])).code).toBe(412);
  });

  it("Event: dialog from Asterisk; 489, 415 and 400 for what it cannot take, and serves on", async () => {
    const { uas, publish } = await receiver();
    expect((await publish([["Event", "dialog"], ["Content-Type", "application/dialog-info+xml"]], DIALOG_EARLY)).code).toBe(200);
    expect(uas.gateway.published.at(-1)?.[1][0]?.document.kind).toBe("dialog-info");
    const badEvent = await publish([["Event", "message-summary"], ["Content-Type", "application/simple-message-summary"]], "Messages-Waiting: no\r\n");
    expect([badEvent.code, lastHeader(badEvent, "Allow-Events")]).toEqual([489, "presence, dialog"]);
    const badType = await publish([["Event", "presence"], ["Content-Type", "text/plain"]], "online");
    expect([badType.code, lastHeader(badType, "Accept")]).toEqual([415, "application/pidf+xml, application/xpidf+xml, application/cpim-pidf+xml"]);
    for (const hostile of ["hostile-0-billion-laughs.xml", "hostile-0-xxe-system-entity.xml"]) {
      const refused = await publish([["Event", "presence"], ["Content-Type", "application/pidf+xml"]], fixture(hostile));
      expect(refused.code).toBe(400);
      expect(refused.output).toMatch(/^SIP\/2\.0 400 Bad Presence Body \(/m);
    }
    const truncated = await publish([["Event", "presence"], ["Content-Type", "application/pidf+xml"]], ON_THE_PHONE.slice(0, 200));
    expect(truncated.code).toBe(400);
    expect(uas.gateway.published).toHaveLength(1);
    expect((await publish([["Event", "presence"], ["Content-Type", "application/pidf+xml"]], IDLE)).code).toBe(200);
  });

  it("a digest challenge of our own: 401, then 200 with sipsak's MD5 answer; 403 for strangers without users", async () => {
    const { uas, publish } = await receiver({ access: { digest: { realm: "bridge.test", users: [{ user: "1001", password: "s3cret" }], algorithms: ["MD5"] } } });
    const body = ON_THE_PHONE;
    const anonymous = await publish([["Event", "presence"], ["Content-Type", "application/pidf+xml"]], body);
    expect(anonymous.codes).toEqual([401]);
    const wrong = await publish([["Event", "presence"], ["Content-Type", "application/pidf+xml"]], body, { user: "1001", password: "guess" });
    expect(wrong.codes).toEqual([401, 401]);
    expect(uas.gateway.published).toEqual([]);
    const right = await publish([["Event", "presence"], ["Content-Type", "application/pidf+xml"]], body, { user: "1001", password: "s3cret" });
    expect(right.codes).toEqual([401, 200]);
    expect(uas.gateway.published).toHaveLength(1);

    const closed = await receiver({ access: { trustedNetworks: ["192.0.2.0/24", "2001:db8::/32"] } });
    expect((await closed.publish([["Event", "presence"], ["Content-Type", "application/pidf+xml"]], body)).codes).toEqual([403]);
  });
});
