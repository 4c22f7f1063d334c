/**
 * Approval policies: who may watch a bridged contact, until the gateway
 * decides itself (issue 5: the SIP side answers).
 */
import type { ApprovalDecision, ApprovalPolicy } from "./ports.js";

export interface DomainAllowListOptions {
  /** What a watcher outside the list gets. Default `deny`. */
  readonly otherwise?: ApprovalDecision;
}

/** The domainpart of a bare JID, lower-cased (RFC 7622 §3.2: domainparts compare case-insensitively). */
export function domainOf(jid: string): string {
  const slash = jid.indexOf("/");
  const bare = slash === -1 ? jid : jid.slice(0, slash);
  const at = bare.lastIndexOf("@");
  return (at === -1 ? bare : bare.slice(at + 1)).toLowerCase().replace(/\.$/, "");
}

/**
 * Approves watchers whose domain is in the list (the XMPP server's own domain
 * by default, as the config sets it). An entry `*.example.com` also matches
 * every subdomain of example.com. Others get `otherwise` (default `deny`).
 */
export function domainAllowListPolicy(domains: readonly string[], options: DomainAllowListOptions = {}): ApprovalPolicy {
  const exact = new Set<string>();
  const suffixes: string[] = [];
  for (const raw of domains) {
    const domain = raw.trim().toLowerCase().replace(/\.$/, "");
    if (domain.startsWith("*.")) suffixes.push(domain.slice(1));
    else if (domain !== "") exact.add(domain);
  }
  const otherwise = options.otherwise ?? "deny";
  return {
    decide(_contact: string, watcher: string): ApprovalDecision {
      const domain = domainOf(watcher);
      if (exact.has(domain)) return "approve";
      for (const suffix of suffixes) if (domain.endsWith(suffix)) return "approve";
      return otherwise;
    },
  };
}

/** A policy that always gives the same answer (tests, or `defer` to let the gateway decide everything). */
export const fixedPolicy = (decision: ApprovalDecision): ApprovalPolicy => ({ decide: () => decision });
