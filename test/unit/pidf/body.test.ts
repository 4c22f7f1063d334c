import { describe, expect, it } from "vitest";
import { parseSipBody } from "../../../src/pidf/index.js";

const PIDF = `<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:a@b"><tuple id="t"><status><basic>open</basic></status></tuple></presence>`;
const DIALOG = `<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="1" state="full" entity="sip:a@b"/>`;
const XPIDF = `<presence><presentity uri="sip:a@b"/></presence>`;

const kindOf = (body: string | Uint8Array, contentType?: string): string => {
  const r = parseSipBody(body, contentType);
  return r.ok ? r.value.kind : r.error.code;
};

describe("parseSipBody", () => {
  it.each([
    [PIDF, "application/pidf+xml", "pidf"],
    [DIALOG, "application/dialog-info+xml", "dialog-info"],
    [XPIDF, "application/xpidf+xml", "xpidf"],
    [PIDF, "Application/PIDF+XML; charset=UTF-8", "pidf"],
    [DIALOG, " application/dialog-info+xml ;charset=utf-8", "dialog-info"],
    [XPIDF, "application/cpim-pidf+xml", "xpidf"],
    [PIDF, "application/cpim-pidf+xml", "pidf"],
  ])("dispatches by content type: %#", (body, contentType, kind) => {
    expect(kindOf(body, contentType)).toBe(kind);
  });

  it.each([[PIDF, "pidf"], [DIALOG, "dialog-info"], [XPIDF, "xpidf"]])("infers the kind from the root without a content type: %#", (body, kind) => {
    expect(kindOf(body)).toBe(kind);
  });

  it("reads bytes", () => {
    expect(kindOf(new TextEncoder().encode(PIDF), "application/pidf+xml")).toBe("pidf");
  });

  it("rejects an unknown content type before parsing", () => {
    expect(parseSipBody("<not xml", "application/sdp")).toEqual({
      ok: false, error: { code: "unknown-content-type", message: "the bridge does not read application/sdp bodies" },
    });
  });

  it("rejects a body that is not what its content type says as unexpected-root", () => {
    expect(parseSipBody(DIALOG, "application/pidf+xml")).toMatchObject({ ok: false, error: { code: "unexpected-root" } });
    expect(parseSipBody(PIDF, "application/xpidf+xml")).toMatchObject({ ok: false, error: { code: "unexpected-root" } });
  });

  it("rejects an unknown root without a content type as unexpected-root", () => {
    expect(parseSipBody(`<reginfo xmlns="urn:ietf:params:xml:ns:reginfo"/>`)).toEqual({
      ok: false,
      error: { code: "unexpected-root", message: "the root element {urn:ietf:params:xml:ns:reginfo}reginfo is not PIDF, dialog-info or XPIDF", at: "/" },
    });
    expect(kindOf(`<presence/>`)).toBe("unexpected-root");
  });

  it("passes limits to the XML layer", () => {
    expect(kindOf(PIDF.padEnd(2000, " "))).toBe("pidf");
    expect(parseSipBody(PIDF, undefined, { maxBytes: 100 })).toMatchObject({ ok: false, error: { code: "too-large" } });
    expect(parseSipBody(PIDF, undefined, { maxDepth: 3 })).toMatchObject({ ok: false, error: { code: "too-deep" } });
  });
});
