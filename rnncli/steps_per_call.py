"""``--steps-per-call``: how many training steps one TensorFlow call runs (``rnncli.train.make_repeated_step``).

A call has a fixed cost besides its ops (about 1.5 ms on these CPUs), most of a small model's step; K steps
in one call pay it once. A call ends where the training loop must act between steps, so that logs,
evaluations, samples, checkpoints, state resets and the end of the run stay at their step.
"""

#: ``--steps-per-call 0`` gives a call as many steps as run in about this many seconds: enough to pay a call's
#: fixed cost once for many steps of a small model, few enough that Ctrl-C and ``--max-seconds`` act at once.
CALL_SECONDS = 0.05
#: Fewer steps than this a call run one call each: the repeated step's own trace (seconds for a large model)
#: would not pay for itself when a step already takes over a quarter of ``CALL_SECONDS``.
FEWEST_REPEATED = 4
#: The most steps one call runs (its windows are gathered at once), whether chosen or given.
MOST_PER_CALL = 1024


class StepsPerCall:
    """How many steps the next call may run: ``fixed`` (``--steps-per-call``) when it is not 0; else, when the
    calls are ``timed``, as many as ``CALL_SECONDS`` holds at the step time of the last timed call (one until a
    call has been timed; the first call of each kind traces, and is not timed). The workers of a cluster must
    run the same calls, which their own clocks would not give: there the calls are not timed, and hold one
    step unless ``fixed`` says otherwise."""

    def __init__(self, fixed, timed=True):
        self.fixed = fixed
        self.timed = timed
        self.step_seconds = None
        self.traced = set()

    def limit(self):
        if self.fixed:
            return self.fixed
        if self.step_seconds is None:
            return 1
        steps = min(MOST_PER_CALL, int(CALL_SECONDS / self.step_seconds))
        return steps if steps >= FEWEST_REPEATED else 1

    def record(self, steps, seconds):
        """A call of ``steps`` steps took ``seconds``."""
        kind = steps > 1
        if self.timed and kind in self.traced:
            self.step_seconds = seconds / steps
        self.traced.add(kind)


def steps_in_call(step, limit, config):
    """How many steps the call from ``step`` runs: at most ``limit``, ending at the first step after which the
    loop logs, evaluates, samples, checkpoints or ends the run, and before the next step that resets the state."""
    c = config

    def next_multiple(start, every):
        return -(-start // every) * every

    last = [c.steps - 1, step + limit - 1, next_multiple(step, c.log_every), next_multiple(step, c.eval_every),
            next_multiple(step + 1, c.checkpoint_every) - 1]
    if c.sample_every:
        last.append(next_multiple(step, c.sample_every))
    if c.reset_state_every:
        last.append(next_multiple(step + 1, c.reset_state_every) - 1)
    return min(last) - step + 1
