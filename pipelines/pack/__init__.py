"""The board pack: indicators.csv, HTML, PDF and xlsx for one month (pipelines/pack/build.py).

Public API::

    build_board_pack(con, month, settings) -> {name: path}
    build_pack(con, month, settings) -> BuiltPack (the files, the review page and the
        commentary review: contradictions and comments due)

matplotlib and Playwright take seconds to import, so `build_board_pack` is loaded on first use:
a run that does not render a pack (nothing changed) never pays for them.
"""

__all__ = ["OUTPUT_FILES", "BuiltPack", "build_board_pack", "build_pack"]


def __getattr__(name: str):
    if name in __all__:
        from pipelines.pack import build

        return getattr(build, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
