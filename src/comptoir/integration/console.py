"""Progress bars for the integration commands, drawn on the terminal's standard error."""

import sys

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

# Files shorter than this are read too fast for a progress bar to tell anything.
LONG_FILE_LINES = 500


class RichProgress:
    """A progress bar per long file; with no total known (an export), a count of rows."""

    def __init__(self, unit: str = "lines") -> None:
        self.bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn(unit),
            TimeElapsedColumn(),
            console=Console(file=sys.stderr),
            transient=True,
        )
        self.task = None
        self.bar.start()

    def start(self, label: str, total: int | None) -> None:
        if total is None or total >= LONG_FILE_LINES:
            self.task = self.bar.add_task(label, total=total)
        else:
            self.task = None

    def advance(self, amount: int) -> None:
        if self.task is not None:
            self.bar.advance(self.task, amount)

    def stop(self) -> None:
        if self.task is not None:
            self.bar.remove_task(self.task)
            self.task = None

    def close(self) -> None:
        self.bar.stop()
