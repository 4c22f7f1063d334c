import { describe, expect, it } from "vitest";
import { DIALOG_STATES, parseDialogInfo, type Dialog, type DialogInfo } from "../../../src/pidf/index.js";

const info = (inner: string, attrs = `version="3" state="full" entity="sip:1001@pbx.example.com"`): string =>
  `<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" ${attrs}>${inner}</dialog-info>`;

function parsed(xml: string): DialogInfo {
  const r = parseDialogInfo(xml);
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
}
const dialog = (inner: string, attrs = `id="d1"`): Dialog => {
  const d = parsed(info(`<dialog ${attrs}>${inner}</dialog>`)).dialogs[0];
  if (d === undefined) throw new Error("no dialog");
  return d;
};

describe("parseDialogInfo: RFC 4235", () => {
  it("reads version, state, entity and an empty dialog list", () => {
    expect(parsed(info(""))).toEqual({ kind: "dialog-info", entity: "sip:1001@pbx.example.com", version: 3, state: "full", dialogs: [] });
    expect(parsed(info("", `version="0" state="partial" entity="sip:a@b"`))).toMatchObject({ version: 0, state: "partial" });
  });

  const cases = DIALOG_STATES.flatMap((state) => (["initiator", "recipient"] as const).map((direction) => [state, direction] as const));
  it.each(cases)("reads state %s with direction %s", (state, direction) => {
    expect(dialog(`<state>${state}</state>`, `id="d1" direction="${direction}"`)).toEqual({ id: "d1", direction, state });
  });

  it("reads every attribute and element of a dialog", () => {
    const d = dialog(
      `<state event="remote-bye" code="487">terminated</state><duration>137</duration>`
      + `<local><identity display="Alice &quot;Al&quot;">sip:alice@example.com</identity><target uri="sip:alice@pc33.example.com"/></local>`
      + `<remote><identity>sip:bob@example.org</identity><target uri="sip:bob@192.0.2.4"/></remote>`,
      `id="as7d900as8" call-id="a84b4c76e66710" local-tag="1928301774" remote-tag="456" direction="initiator"`,
    );
    expect(d).toEqual({
      id: "as7d900as8", callId: "a84b4c76e66710", localTag: "1928301774", remoteTag: "456", direction: "initiator",
      state: "terminated", stateEvent: "remote-bye", stateCode: 487, duration: 137,
      local: { identity: "sip:alice@example.com", displayName: `Alice "Al"`, target: "sip:alice@pc33.example.com" },
      remote: { identity: "sip:bob@example.org", target: "sip:bob@192.0.2.4" },
    });
  });

  it("leaves out an unusable code or duration", () => {
    expect(dialog(`<state code="ringing">early</state><duration>-1</duration>`)).toEqual({ id: "d1", state: "early" });
  });

  it("reads several dialogs in order", () => {
    const d = parsed(info(`<dialog id="a"><state>early</state></dialog><dialog id="b"><state>confirmed</state></dialog>`));
    expect(d.dialogs.map((x) => [x.id, x.state])).toEqual([["a", "early"], ["b", "confirmed"]]);
  });

  it("ignores unknown children", () => {
    expect(parsed(info(`<x:y xmlns:x="urn:x"/><dialog id="a"><state>early</state><x:z xmlns:x="urn:x"/></dialog>`)).dialogs)
      .toEqual([{ id: "a", state: "early" }]);
  });
});

describe("parseDialogInfo: hold (RFC 4235 §4.1.6.2 +sip.rendering)", () => {
  const target = (pvalue: string, side = "local"): string =>
    `<state>confirmed</state><${side}><target uri="sip:1001@pbx"><param pname="+sip.rendering" pvalue="${pvalue}"/></target></${side}>`;

  it("marks held when the local target says +sip.rendering=no, as Asterisk does for ONHOLD", () => {
    expect(dialog(target("no"))).toEqual({ id: "d1", state: "confirmed", local: { target: "sip:1001@pbx" }, held: true });
  });

  it("marks not held when the local target says yes, and says nothing without the param", () => {
    expect(dialog(target("yes")).held).toBe(false);
    expect(dialog(`<state>confirmed</state><local><target uri="sip:x"/></local>`).held).toBeUndefined();
  });

  it("reads only the local side", () => {
    expect(dialog(target("no", "remote")).held).toBeUndefined();
  });

  it("ignores other params", () => {
    expect(dialog(`<state>confirmed</state><local><target uri="sip:x"><param pname="+sip.foo" pvalue="no"/></target></local>`).held).toBeUndefined();
  });
});

describe("parseDialogInfo: errors", () => {
  it.each([
    [info("", `state="full" entity="e"`), "missing-attribute", "<dialog-info> has no version attribute (RFC 4235 §4.1)", "/dialog-info"],
    [info("", `version="v2" state="full" entity="e"`), "invalid-value", `version "v2" is not a non-negative integer`, "/dialog-info"],
    [info("", `version="1" entity="e"`), "missing-attribute", "<dialog-info> has no state attribute (RFC 4235 §4.1)", "/dialog-info"],
    [info("", `version="1" state="complete" entity="e"`), "invalid-value", `state "complete" is neither full nor partial`, "/dialog-info"],
    [info("", `version="1" state="full"`), "missing-attribute", "<dialog-info> has no entity attribute (RFC 4235 §4.1)", "/dialog-info"],
    [info(`<dialog><state>early</state></dialog>`), "missing-attribute", "<dialog> has no id attribute (RFC 4235 §4.1)", "/dialog-info/dialog[1]"],
    [info(`<dialog id="a"><state>early</state></dialog><dialog id="b"/>`), "missing-element", "<dialog> has no <state> (RFC 4235 §4.1.2)", "/dialog-info/dialog[2]"],
    [info(`<dialog id="a"><state>ringing</state></dialog>`), "invalid-value", `dialog state "ringing" is not one of trying, proceeding, early, confirmed, terminated`, "/dialog-info/dialog[1]/state"],
    [info(`<dialog id="a" direction="inbound"><state>early</state></dialog>`), "invalid-value", `direction "inbound" is neither initiator nor recipient`, "/dialog-info/dialog[1]"],
    [`<dialog-info version="1" state="full" entity="e"/>`, "unexpected-root", "the root element is dialog-info; a dialog-info body has {urn:ietf:params:xml:ns:dialog-info}dialog-info", "/"],
  ])("%#: %s", (xml, code, message, at) => {
    expect(parseDialogInfo(xml)).toEqual({ ok: false, error: { code, message, at } });
  });
});
