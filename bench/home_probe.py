"""Child process of `run.py home-breakdown`: the app's start, with time stamps.

    BENCH_T0=<parent's time.time() just before it started us> \
    BENCH_OUT=stamps.json  python bench/home_probe.py STUDY.db

Does what `tacompanion --db STUDY.db` does (import the CLI, import the TUI,
open the study, run the app), in the same order, and writes the wall-clock
time (time.time(), comparable across processes) of each step to BENCH_OUT as
JSON. `ready` is Textual's Ready event ("the DOM is ready and the first frame
has been displayed"); `home` is the first refresh after that with the
HomeScreen current (normally the same frame). The app then exits by itself.
Run it in a terminal (run.py gives it a pty): headless mode skips rendering.
"""

import time

T_MAIN = time.time()  # the interpreter is up and has started this script

import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402

stamps = {"interpreter": T_MAIN}

import tacompanion.cli  # noqa: E402,F401

stamps["cli-imported"] = time.time()

from tacompanion.tui.app import TacompanionApp  # noqa: E402
from tacompanion.tui.home.home import HomeScreen  # noqa: E402

stamps["tui-imported"] = time.time()

from tacompanion.store.study import Study  # noqa: E402

study = Study.open(sys.argv[1], create=False)
stamps["study-opened"] = time.time()
screen_at_ready = []


class ProbeApp(TacompanionApp):
    def on_ready(self) -> None:
        stamps["ready"] = time.time()
        screen_at_ready.append(type(self.screen).__name__)
        self._wait_for_home()

    def _wait_for_home(self) -> None:
        if isinstance(self.screen, HomeScreen) and "start" in {
            w.id for w in self.screen.query("OptionList")
        }:
            self.call_after_refresh(self._home_painted)
        else:
            self.set_timer(0.001, self._wait_for_home)

    def _home_painted(self) -> None:
        stamps["home"] = time.time()
        self.exit()


try:
    ProbeApp(study).run()
finally:
    study.close()
stamps["exited"] = time.time()
with open(os.environ["BENCH_OUT"], "w", encoding="utf-8") as out:
    json.dump({"stamps": stamps, "screen_at_ready": screen_at_ready}, out)
