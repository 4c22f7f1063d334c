/**
 * The Store port's contract, run against every implementation
 * (memory-store.test.ts, sqlite-store.test.ts). A shared server store must
 * pass the same suite.
 */
import { describe, expect, it } from "vitest";
import type { SipDialogRecord, Store, StoredPresence, SubscriptionRecord } from "../../../src/gateway/ports.js";
import { makeEntry, makePresence } from "../../../src/presence/index.js";

export const juliet = (fields: Partial<SubscriptionRecord> = {}): SubscriptionRecord => ({
  contact: "1001@sip.example.com",
  watcher: "juliet@capulet.lit",
  state: "from",
  pendingIn: false,
  pendingOut: false,
  preApproved: false,
  updatedAt: 1_700_000_000_000,
  ...fields,
});

export const onThePhone: StoredPresence = {
  entity: "1001@sip.example.com",
  presence: makePresence({
    availability: "available",
    show: "dnd",
    activities: ["on-the-phone"],
    phone: "in-call",
    notes: { "": "On the phone", fr: "Au téléphone" },
    entries: [makeEntry({ id: "1001", availability: "unavailable", phone: "in-call", activities: ["on-the-phone"] })],
    origin: { side: "sip", entity: "sip:1001@pbx.example.com", via: "tuple-1" },
  }),
  updatedAt: 1_700_000_000_123,
};

export const dialog = (id: string, role: SipDialogRecord["role"], state: unknown = { cseq: 3, route: ["<sip:p1.example.com;lr>"] }): SipDialogRecord => ({
  id,
  role,
  state,
  expiresAt: 1_700_000_003_600,
});

const plain = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

export function storeContract(name: string, open: () => Store): void {
  describe(`${name}: the Store contract — subscriptions`, () => {
    it("put, get, replace and delete one relation", () => {
      const store = open();
      expect(store.getSubscription("1001@sip.example.com", "juliet@capulet.lit")).toBeUndefined();
      store.putSubscription(juliet());
      expect(store.getSubscription("1001@sip.example.com", "juliet@capulet.lit")).toEqual(juliet());
      const pending = juliet({ state: "none", pendingIn: true, pendingOut: true, nick: "Juliet", decideBy: 5, askCount: 2, resendAt: 7, resendCount: 1 });
      store.putSubscription(pending);
      expect(store.getSubscription("1001@sip.example.com", "juliet@capulet.lit")).toEqual(pending);
      store.deleteSubscription("1001@sip.example.com", "juliet@capulet.lit");
      expect(store.getSubscription("1001@sip.example.com", "juliet@capulet.lit")).toBeUndefined();
      store.deleteSubscription("1001@sip.example.com", "juliet@capulet.lit");
      store.close();
    });

    it("optional fields come back absent, not undefined, and a replace can remove them", () => {
      const store = open();
      store.putSubscription(juliet({ nick: "J", resendAt: 9, resendCount: 0 }));
      store.putSubscription(juliet());
      const got = store.getSubscription("1001@sip.example.com", "juliet@capulet.lit");
      expect(got === undefined ? [] : Object.keys(got).sort()).toEqual(
        ["contact", "pendingIn", "pendingOut", "preApproved", "state", "updatedAt", "watcher"],
      );
      store.close();
    });

    it("lists every relation, and those of one contact", () => {
      const store = open();
      const records = [
        juliet(),
        juliet({ watcher: "nurse@capulet.lit", state: "both" }),
        juliet({ contact: "1002@sip.example.com", state: "to", preApproved: true }),
        juliet({ contact: "ext+✓@sip.example.com", watcher: "ロミオ@montague.lit" }),
      ];
      for (const r of records) store.putSubscription(r);
      const key = (r: SubscriptionRecord): string => `${r.contact} ${r.watcher}`;
      expect([...store.listSubscriptions()].sort((a, b) => key(a).localeCompare(key(b)))).toEqual(
        [...records].sort((a, b) => key(a).localeCompare(key(b))),
      );
      expect(store.subscriptionsOf("1001@sip.example.com").map((r) => r.watcher).sort()).toEqual(["juliet@capulet.lit", "nurse@capulet.lit"]);
      expect(store.subscriptionsOf("9999@sip.example.com")).toEqual([]);
      store.close();
    });

    it("lists thousands of relations each exactly once, and accepts writes while the caller loops", () => {
      const store = open();
      store.transaction(() => {
        for (let i = 0; i < 4_500; i++) store.putSubscription(juliet({ contact: `${i % 7}@sip.example.com`, watcher: `w${i}@capulet.lit` }));
      });
      const seen = new Set<string>();
      let n = 0;
      for (const r of store.listSubscriptions()) {
        seen.add(`${r.contact} ${r.watcher}`);
        // A registry may persist while it restores (a record armed anew): the store must allow it.
        if (n++ % 1_000 === 0) store.putSubscription({ ...r, updatedAt: 1 });
      }
      expect(n).toBe(4_500);
      expect(seen.size).toBe(4_500);
      store.close();
    });

    it("values go in and come out as copies", () => {
      const store = open();
      const record = { ...juliet() } as { state: string };
      store.putSubscription(record as unknown as SubscriptionRecord);
      record.state = "none";
      const got = store.getSubscription("1001@sip.example.com", "juliet@capulet.lit") as unknown as { state: string };
      expect(got.state).toBe("from");
      got.state = "both";
      expect(store.getSubscription("1001@sip.example.com", "juliet@capulet.lit")?.state).toBe("from");
      store.close();
    });
  });

  describe(`${name}: the Store contract — last known presence`, () => {
    it("round-trips a full Presence value and replaces it", () => {
      const store = open();
      store.putPresence(onThePhone);
      expect(store.getPresence(onThePhone.entity)).toEqual(plain(onThePhone));
      const away: StoredPresence = { ...onThePhone, presence: makePresence({ availability: "unavailable", origin: { side: "sip" } }), updatedAt: 2 };
      store.putPresence(away);
      expect(store.getPresence(onThePhone.entity)).toEqual(plain(away));
      expect(store.getPresence("9999@sip.example.com")).toBeUndefined();
      store.putPresence({ ...away, entity: "juliet@capulet.lit" });
      expect([...store.listPresence()].map((p) => p.entity).sort()).toEqual(["1001@sip.example.com", "juliet@capulet.lit"]);
      store.close();
    });
  });

  describe(`${name}: the Store contract — SIP dialogs`, () => {
    it("puts, replaces, lists by role and deletes dialogs with JSON state", () => {
      const store = open();
      store.putDialog(dialog("a;1;2", "notifier"));
      store.putDialog(dialog("b;1;2", "subscriber", { nested: { list: [1, "two", null, true] } }));
      store.putDialog(dialog("c;1;2", "publisher", null));
      store.putDialog(dialog("a;1;2", "notifier", { cseq: 4 }));
      expect([...store.listDialogs("notifier")]).toEqual([dialog("a;1;2", "notifier", { cseq: 4 })]);
      expect([...store.listDialogs("subscriber")]).toEqual([dialog("b;1;2", "subscriber", { nested: { list: [1, "two", null, true] } })]);
      expect([...store.listDialogs()].map((d) => d.id).sort()).toEqual(["a;1;2", "b;1;2", "c;1;2"]);
      store.deleteDialog("b;1;2");
      store.deleteDialog("nope");
      expect([...store.listDialogs()].map((d) => d.id).sort()).toEqual(["a;1;2", "c;1;2"]);
      store.close();
    });

    it("state that is not JSON is stored as JSON would have it (undefined → null)", () => {
      const store = open();
      store.putDialog({ ...dialog("u;1;2", "notifier"), state: undefined });
      store.putDialog(dialog("v;1;2", "notifier", { keep: 1, drop: undefined }));
      const byId = new Map([...store.listDialogs()].map((d) => [d.id, d.state]));
      expect(byId.get("u;1;2")).toBeNull();
      expect(byId.get("v;1;2")).toEqual({ keep: 1 });
      store.close();
    });
  });

  describe(`${name}: the Store contract — transactions`, () => {
    it("commits every write together and returns the function's value", () => {
      const store = open();
      const value = store.transaction(() => {
        store.putSubscription(juliet());
        store.putPresence(onThePhone);
        return 42;
      });
      expect(value).toBe(42);
      expect(store.getSubscription("1001@sip.example.com", "juliet@capulet.lit")).toBeDefined();
      expect(store.getPresence(onThePhone.entity)).toBeDefined();
      store.close();
    });

    it("rolls every write back when the function throws", () => {
      const store = open();
      store.putSubscription(juliet({ state: "to" }));
      store.putDialog(dialog("keep", "notifier"));
      expect(() =>
        store.transaction(() => {
          store.putSubscription(juliet({ state: "both" }));
          store.putSubscription(juliet({ watcher: "nurse@capulet.lit" }));
          store.deleteDialog("keep");
          store.putPresence(onThePhone);
          throw new Error("abort");
        }),
      ).toThrow("abort");
      expect(store.getSubscription("1001@sip.example.com", "juliet@capulet.lit")?.state).toBe("to");
      expect(store.getSubscription("1001@sip.example.com", "nurse@capulet.lit")).toBeUndefined();
      expect([...store.listDialogs()].map((d) => d.id)).toEqual(["keep"]);
      expect(store.getPresence(onThePhone.entity)).toBeUndefined();
      store.close();
    });

    it("relaxedTransaction is all or nothing too", () => {
      const store = open();
      expect(store.relaxedTransaction(() => {
        store.putPresence(onThePhone);
        return 7;
      })).toBe(7);
      expect(() =>
        store.relaxedTransaction(() => {
          store.putSubscription(juliet());
          throw new Error("abort");
        }),
      ).toThrow("abort");
      expect(store.getPresence(onThePhone.entity)).toBeDefined();
      expect(store.getSubscription("1001@sip.example.com", "juliet@capulet.lit")).toBeUndefined();
      store.close();
    });

    it("nests: an inner failure caught by the outer function rolls back the inner writes only", () => {
      const store = open();
      store.transaction(() => {
        store.putSubscription(juliet());
        try {
          store.transaction(() => {
            store.putSubscription(juliet({ watcher: "nurse@capulet.lit" }));
            throw new Error("inner");
          });
        } catch {
          // the outer transaction goes on
        }
        store.putPresence(onThePhone);
      });
      expect([...store.listSubscriptions()].map((r) => r.watcher)).toEqual(["juliet@capulet.lit"]);
      expect(store.getPresence(onThePhone.entity)).toBeDefined();
      store.close();
    });
  });

  describe(`${name}: the Store contract — close`, () => {
    it("a closed store refuses every call", () => {
      const store = open();
      store.close();
      expect(() => store.getSubscription("a", "b")).toThrow();
      expect(() => store.putPresence(onThePhone)).toThrow();
      expect(() => store.transaction(() => 1)).toThrow();
    });
  });
}
