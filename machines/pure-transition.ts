/**
 * XState 5's pure `transition()` without its per-call set-up.
 *
 * `transition(logic, snapshot, event)` builds a new inert actor scope on every call:
 * `createActor(logic)`, which computes the machine's whole initial snapshot (and runs
 * its `context` function without input, which throws inside for a machine whose context
 * reads its input). bench/machines.bench.ts: a NOTIFY through the sip-subscriber machine
 * ~11.6k/s that way, ~70k/s this way; a change through the notifier machine ~9.4k/s and
 * ~220k/s. Here the scope is made once per machine, with a real input, and each call
 * only swaps the action collector: the next snapshot and the actions are the same
 * (test/unit/machines/pure-transition.test.ts compares them with xstate's for every
 * machine of the project).
 *
 * Only for machines that neither spawn nor invoke actors (all of ours: their effects are
 * actions the adapters carry out), so the shared scope's actor system stays empty.
 */
import { createActor, type AnyStateMachine, type EventFromLogic, type ExecutableActionsFrom, type InputFrom, type SnapshotFrom } from "xstate";

export type PureTransition<M extends AnyStateMachine> = (
  snapshot: SnapshotFrom<M>,
  event: EventFromLogic<M>,
) => [SnapshotFrom<M>, ExecutableActionsFrom<M>[]];

/** The inert scope `machine.transition` / `getInitialSnapshot` need, with a swappable action collector. */
function inertScope<M extends AnyStateMachine>(machine: M, input: InputFrom<M>) {
  const self = createActor(machine, { input } as never);
  const scope = {
    self,
    defer: () => undefined,
    id: "",
    logger: () => undefined,
    sessionId: "",
    stopChild: () => undefined,
    system: self.system,
    emit: () => undefined,
    actionExecutor: (_action: ExecutableActionsFrom<M>): void => undefined,
  };
  /** Runs `step` with a fresh collector; returns its result and the actions it collected. */
  return <R>(step: (s: never) => R): [R, ExecutableActionsFrom<M>[]] => {
    const actions: ExecutableActionsFrom<M>[] = [];
    scope.actionExecutor = (action) => {
      actions.push(action);
    };
    return [step(scope as never), actions];
  };
}

/** The transition function of `machine`; `input` is any valid input (used once, to build the scope). */
export function pureTransition<M extends AnyStateMachine>(machine: M, input: InputFrom<M>): PureTransition<M> {
  const run = inertScope(machine, input);
  return (snapshot, event) => run((scope) => machine.transition(snapshot, event, scope) as SnapshotFrom<M>);
}

/** XState's `initialTransition(machine, input)` on one shared scope: a new lifecycle's first snapshot and actions. */
export function pureInitialTransition<M extends AnyStateMachine>(machine: M, sample: InputFrom<M>): (input: InputFrom<M>) => [SnapshotFrom<M>, ExecutableActionsFrom<M>[]] {
  const run = inertScope(machine, sample);
  return (input) => run((scope) => machine.getInitialSnapshot(scope, input) as SnapshotFrom<M>);
}
