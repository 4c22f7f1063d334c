/**
 * The grammar fast paths (src/sip/transport/fast-grammar.ts) on what real
 * servers send: every value sip.js hands to Grammar.parse while Kamailio 5.6
 * answers and NOTIFYs our subscriber (sipsak PUBLISHes the changes) and while
 * baresip SUBSCRIBEs to the bridge (and sipsak sends it an OPTIONS) is recorded, then parsed again with the
 * grammar alone and with the fast paths; both must give the same objects.
 */
import { Grammar } from "sip.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BAIL, FAST_RULE_NAMES, fastPath, grammarParse } from "../../src/sip/transport/fast-grammar.js";
import { startBaresip } from "../servers/baresip.js";
import { startKamailio, type Kamailio } from "../servers/kamailio.js";
import { pidf } from "../servers/sip-message.js";
import { sipsak, sipsakPublish } from "../servers/sipsak.js";
import { canonical } from "../unit/sip/fast-grammar-arbitraries.js";
import { available, startUas } from "../unit/sip/uas-fixture.js";
import { notified, startUac, until } from "./sip-uac-helpers.js";

type Recorded = { readonly value: string; readonly rule: string };

/** Every Grammar.parse call sip.js makes while `run` runs, the fast paths still in place. */
async function recordGrammarCalls(run: () => Promise<void>): Promise<Recorded[]> {
  const recorded: Recorded[] = [];
  const installed = Grammar.parse;
  (Grammar as { parse: unknown }).parse = (value: string, rule: string) => {
    recorded.push({ value, rule });
    return installed(value, rule);
  };
  try {
    await run();
  } finally {
    (Grammar as { parse: unknown }).parse = installed;
  }
  return recorded;
}

let kamailio: Kamailio;
beforeAll(async () => {
  kamailio = await startKamailio();
});
afterAll(async () => {
  await kamailio?.stop();
});

describe.each(["udp", "tcp"] as const)("grammar fast paths on real traffic over %s", (transport) => {
  it("Kamailio's 200 OKs and NOTIFYs and baresip's SUBSCRIBE parse the same with and without the fast paths", async () => {
    const recorded = await recordGrammarCalls(async () => {
      const uac = await startUac(kamailio, { transport });
      const uas = await startUas({ protocol: transport });
      const bob = await startBaresip({ server: { host: "127.0.0.1", port: uas.port }, transport, account: { user: "bob" }, pubint: 0, watch: ["sip:alice@bridge.test"] });
      try {
        const presentity = `sip:1001-fast-${transport}@example.com`;
        uac.subscriber.subscribe({ presentity, event: "presence", watcher: "juliet@capulet.lit" });
        await until(() => uac.statuses.some((s) => s.presentity === presentity && s.status.state === "active"), "active");
        const target = { host: kamailio.host, port: kamailio.port, transport };
        expect((await sipsakPublish(target, presentity, pidf(presentity, "open", "fast paths"))).code).toBe(200);
        await until(() => notified(uac, presentity, "fast paths"), "the NOTIFY after sipsak's PUBLISH");
        uas.notifier.setPresence("alice@example.com", available("at work"));
        await until(() => uas.gateway.subscribed.length === 1, "baresip's SUBSCRIBE", 10_000);
        // sipsak's own Via on a request to the bridge.
        const options = await sipsak({ host: "127.0.0.1", port: uas.port, transport, method: "OPTIONS", uri: "sip:alice@bridge.test" });
        expect(options.code).toBeDefined();
      } finally {
        await bob.stop();
        await uas.stop();
        await uac.stop();
      }
    });

    const incoming = recorded.filter((r) => r.rule === "Request_Response");
    expect(incoming.map((r) => r.value.split(" ")[0])).toEqual(expect.arrayContaining(["NOTIFY", "SUBSCRIBE", "OPTIONS", "SIP/2.0"]));
    const different = recorded.filter((r) => {
      const fast = canonical((Grammar.parse as (v: string, rule: string) => unknown)(r.value, r.rule));
      return JSON.stringify(fast) !== JSON.stringify(canonical(grammarParse(r.value, r.rule)));
    });
    expect(different).toEqual([]);
    // What real servers send takes the fast path; the fallback is for the unusual.
    const covered = recorded.filter((r) => FAST_RULE_NAMES.includes(r.rule));
    expect(covered.length).toBeGreaterThan(20);
    expect(covered.filter((r) => fastPath(r.value, r.rule) === BAIL)).toEqual([]);
  }, 60_000);
});
