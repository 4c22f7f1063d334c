/**
 * SIP presence body codecs: PIDF (RFC 3863, 4479, 4480), dialog-info
 * (RFC 4235) and XPIDF. Wire-faithful and pure: they decide nothing about
 * meaning; src/mapping does.
 */
export { parseSipBody } from "./body.js";
export { parsePidf, pidfFromElement } from "./parse-pidf.js";
export { parseDialogInfo, dialogInfoFromElement } from "./parse-dialog-info.js";
export { parseXpidf, xpidfFromElement } from "./parse-xpidf.js";
export { serializePidf } from "./serialize-pidf.js";
export { serializeDialogInfo } from "./serialize-dialog-info.js";
export { LOCATION_TYPE_NS } from "./rpid.js";
export * from "./types.js";
