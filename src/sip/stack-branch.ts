/**
 * RFC 3261 §8.1.1.7: a branch must be unique across space and time. sip.js draws it from
 * 10^7 values (`"z9hG4bK" + Math.floor(Math.random() * 10000000)`), so 10,000 concurrent
 * SUBSCRIBEs share branches (birthday bound ≈ 5 pairs) and the core, which keys its client
 * transactions by branch, would hand one transaction the other's response. This widens it
 * to 96 random bits. `makeId` is private in the .d.ts, hence the cast; applied once, at load.
 */
import { randomBytes } from "node:crypto";
import { Core } from "sip.js";

interface BranchMaker {
  makeId(request: { readonly method: string; readonly branch: string | undefined }): string;
  widenedBranch?: true;
}

const transactionClass = Core.ClientTransaction as unknown as BranchMaker;
if (transactionClass.widenedBranch !== true) {
  const original = transactionClass.makeId.bind(transactionClass);
  transactionClass.makeId = (request) =>
    // A CANCEL reuses the branch of the request it cancels (RFC 3261 §9.1): keep sip.js's rule.
    request.method === "CANCEL" ? original(request) : `z9hG4bK${randomBytes(12).toString("base64url")}`;
  transactionClass.widenedBranch = true;
}
