/**
 * Running a direction's rules: the facts they see, the first match, and the
 * trace `mapping explain` prints. The hot path allocates nothing but the result.
 */
import type { Presence } from "../presence/types.js";
import type { Dialog } from "../pidf/types.js";
import { fold } from "./issues.js";
import type { ExplainStep, Facts, NoteFact, Rule, Translation } from "./types.js";

const NO_DIALOGS: readonly Dialog[] = Object.freeze([]);
const NO_TEXTS: readonly string[] = Object.freeze([]);

/** The facts of a composed presence, plus what only the body knows. */
export function factsOf(
  p: Presence,
  body: { readonly basic?: "open" | "closed"; readonly idle?: boolean; readonly dialogs?: readonly Dialog[] } = {},
): Facts {
  const notes: NoteFact[] = [];
  for (const lang in p.notes) {
    const text = p.notes[lang] as string;
    notes.push({ lang, text, folded: fold(text) });
  }
  // One literal of a fixed shape: this runs once per translation.
  return {
    basic: body.basic,
    availability: p.availability,
    show: p.show,
    phone: p.phone,
    activities: p.activities,
    other: p.otherActivities.length === 0 ? NO_TEXTS : p.otherActivities.map(fold),
    notes,
    idle: body.idle === true || p.idleSince !== undefined,
    dialogs: body.dialogs ?? NO_DIALOGS,
  };
}

function holds(rule: Rule, facts: Facts): boolean {
  for (const check of rule.checks) if (!check.test(facts)) return false;
  return true;
}

/** The first rule whose checks all hold decides; without one, the composed value stands. */
export function runRules(rules: readonly Rule[], facts: Facts, composed: Presence): Translation {
  for (const rule of rules) if (holds(rule, facts)) return { presence: rule.apply(composed), rule: rule.id };
  return { presence: composed };
}

/** Like {@link runRules}, recording every rule tried up to the match and every condition's verdict. */
export function traceRules(rules: readonly Rule[], facts: Facts, composed: Presence): { steps: ExplainStep[]; result: Translation } {
  const steps: ExplainStep[] = [];
  for (const rule of rules) {
    const reasons = rule.checks.map((c) => `${c.label}: ${c.test(facts) ? "yes" : "no"} (saw ${c.saw(facts)})`);
    if (reasons.length === 0) reasons.push("no conditions: always matches");
    const matched = holds(rule, facts);
    steps.push({ rule: rule.id, matched, reasons });
    if (matched) return { steps, result: { presence: rule.apply(composed), rule: rule.id } };
  }
  return { steps, result: { presence: composed } };
}

/** The facts as plain JSON for `mapping explain`. */
export function factsJson(facts: Facts): Record<string, unknown> {
  return {
    ...(facts.basic === undefined ? {} : { basic: facts.basic }),
    availability: facts.availability,
    show: facts.show ?? "none",
    phone: facts.phone ?? "none",
    activities: facts.activities,
    other: facts.other,
    notes: Object.fromEntries(facts.notes.map((n) => [n.lang, n.text])),
    idle: facts.idle,
    ...(facts.dialogs.length === 0
      ? {}
      : { dialogs: facts.dialogs.map((d) => ({ id: d.id, state: d.state, ...(d.direction === undefined ? {} : { direction: d.direction }), ...(d.held === true ? { held: true } : {}) })) }),
  };
}
