/**
 * Linked people: someone with a JID and a phone extension. The person's phone contact
 * (`<extension>@<component>`) asks the person for their presence once (RFC 6121 §3.1), so
 * the chat side's state reaches the gateway — and through it the SIP side as that person —
 * even when no SIP watcher has asked for it (the PUBLISH route, issue 5).
 */
import { contactReceivesPresence, isPendingOut } from "../../machines/subscription.machine.js";
import type { GatewayAddresses, GatewayOptions } from "./gateway-types.js";

export interface PersonLink {
  /** The person's bare JID (a chat user). */
  readonly user: string;
  /** The JID of their phone contact, e.g. `1001@sip.example.com`. */
  readonly contact: string;
  /** The phone's SIP URI. */
  readonly phone: string;
}

/** The config's links (`people.links`) and, when asked, the mapping's `addresses.links`; bad ones are returned as problems. */
export function personLinks(
  links: readonly { readonly jid: string; readonly extension: string }[],
  addresses: GatewayAddresses,
): { readonly links: readonly PersonLink[]; readonly problems: readonly string[] } {
  const out: PersonLink[] = [];
  const problems: string[] = [];
  for (const link of links) {
    const contact = addresses.sipToContact(link.extension);
    const phone = contact.ok ? addresses.contactToSip(contact.value) : contact;
    if (!contact.ok || !phone.ok) {
      problems.push(`${link.jid} ⇄ ${link.extension}: ${contact.ok ? (phone.ok ? "" : phone.error.message) : contact.error.message}`);
      continue;
    }
    out.push({ user: link.jid.toLowerCase(), contact: contact.value, phone: phone.value });
  }
  return { links: out, problems };
}

export class LinkedPeople {
  private readonly byUser = new Map<string, PersonLink>();
  private readonly byContact = new Map<string, PersonLink>();

  constructor(private readonly o: Pick<GatewayOptions, "presenceServer" | "logger">, links: readonly PersonLink[]) {
    for (const link of links) {
      this.byUser.set(link.user, link);
      this.byContact.set(link.contact, link);
    }
  }

  ofUser(user: string): PersonLink | undefined {
    return this.byUser.get(user);
  }

  ofContact(contact: string): PersonLink | undefined {
    return this.byContact.get(contact);
  }

  /** Each person's phone contact asks the person for their presence, unless it has it or asked already. */
  askUsers(): number {
    let asked = 0;
    for (const link of this.byUser.values()) {
      const state = this.o.presenceServer.registry.stateOf(link.contact, link.user);
      if (contactReceivesPresence(state) || isPendingOut(state)) continue;
      const outcome = this.o.presenceServer.requestSubscription(link.contact, link.user);
      if (outcome.ok) asked++;
      else this.o.logger.warn("gateway.link-request-failed", { contact: link.contact, user: link.user, reason: outcome.error.message });
    }
    return asked;
  }
}
