"""Python's cyclic garbage collector, set for commands that import a lot and then end.

`boardpack run` and dbt's process (`boardpack-dbt`) hold a few million long-lived objects:
Dagster's, dbt's and Great Expectations' modules and classes, the job's definitions, dbt's
parsed project. Every full pass of the collector walks all of them to find the little garbage
made since, and the interpreter makes one last full pass when it exits, only to free memory
the operating system takes back a moment later. Measured on the demo month (S) on this
machine, before this module:

* a fresh run's process spent 2.4 s in the collector, a commentary edit's 0.7 s;
* exiting took `boardpack run` 0.7-1.1 s after its last line, and each dbt invocation 0.5 s
  (two per run), nearly all of it that last pass (py-spy: gc_collect_main).

`gc.freeze()` (the standard library's answer to exactly this) moves every object alive at that
moment into a permanent generation that later passes skip. Freezing loses nothing a
short-lived command needs: a frozen object is still freed when its last reference goes, only a
frozen *cycle* waits for the process's end, and what is frozen is the imports and objects
that live until then anyway. Files and connections do not depend on it: the pipeline closes
its own (DuckDB's in `with` blocks), and atexit handlers (logging's flush, temporary folders)
run as before.
"""

from __future__ import annotations

import atexit
import gc

# Set only by the installed commands' entry points (pipelines/cli.py command(), boardpack-dbt):
# a library call (the tests' CliRunner, run_month called from Python) leaves the collector as
# it finds it, since a long-lived process that froze after every run would keep whatever
# cyclic garbage was pending at each freeze.
_command = False


def set_for_a_command() -> None:
    """For a process that is one command from start to end: everything still alive at exit is
    frozen instead of collected (an atexit handler, so the command's own handlers and output
    are unaffected; the interpreter's finalisation collects only the unfrozen generations), and
    hold_while_loading()/freeze_what_is_loaded() take effect."""
    global _command
    _command = True
    atexit.register(gc.freeze)


def hold_while_loading() -> None:
    """In a command, pause the collector while it imports and builds what it will keep (its
    passes then walk a heap growing by hundreds of thousands of objects, each one kept):
    freeze_what_is_loaded() resumes it."""
    if _command:
        gc.disable()


def freeze_what_is_loaded() -> None:
    """In a command, from now on the collector walks only objects made after this call, and
    runs (it may have been held): to call once the heavy imports and definitions are loaded,
    before the real work."""
    if _command:
        gc.freeze()
        gc.enable()
