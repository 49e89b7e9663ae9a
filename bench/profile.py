"""Profile one measured page with pyinstrument (the step before any optimisation).

Usage: python -m bench.profile NAME PAGE [REPEAT]    e.g. python -m bench.profile sqlite-100k thread
Prints pyinstrument's call tree of REPEAT (default 20) warm requests.
"""

from __future__ import annotations

import sys

from bench import env


def main() -> None:
    name, page = sys.argv[1], sys.argv[2]
    repeat = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    env.configure(name)
    from django.test.utils import setup_test_environment
    from pyinstrument import Profiler

    from bench.measure import _pages

    setup_test_environment()
    call = {p: c for p, c, _expected in _pages(name)}[page]
    for _ in range(3):
        call()
    profiler = Profiler(interval=0.0005)
    with profiler:
        for _ in range(repeat):
            call()
    print(profiler.output_text(unicode=True, show_all=False))


if __name__ == "__main__":
    main()
