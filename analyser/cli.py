"""Command line: ``python -m analyser {score,batch,train,evaluate,bench}``.

User errors (bad paths, undecodable input, unknown options) print one line,
``analyser: error: ...``, and exit with code 2; a traceback means a bug.
"""
from __future__ import annotations

import argparse
import sys
import warnings

from . import __version__
from .errors import AnalyserError


def _add_score(sub) -> None:
    p = sub.add_parser("score", help="score one statement and print the report",
                       description="Score one statement (a file, or - for standard input).")
    p.add_argument("path", nargs="?", help="text or HTML file; - reads standard input")
    p.add_argument("--text", help="score this text instead of a file")
    p.add_argument("--lang", help="language code (en, fr, de, es, zh-Hans, zh-Hant); detected by default")
    p.add_argument("--json", action="store_true", help="print the report as JSON (schema: analyser/report.schema.json)")
    p.add_argument("--rules", action="store_true", help="use the cue rules instead of the trained models")
    p.set_defaults(func=_cmd_score)


def _cmd_score(args) -> int:
    from .api import analyse
    from .reading import read_path

    if args.text is not None and args.path:
        raise AnalyserError("give either a path or --text, not both")
    if args.text is None and not args.path:
        raise AnalyserError("nothing to score: give a file path, - for standard input, or --text")
    text = _text_arg(args.text) if args.text is not None else read_path(args.path)
    report = analyse(text, lang=args.lang, method="rules" if args.rules else "auto")
    out = report.to_json() if args.json else str(report)
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    try:
        out.encode(encoding)
    except UnicodeEncodeError:
        # standard output in a narrower encoding (cp1252 on Windows, ASCII under LANG=C): JSON
        # escapes what it cannot hold and stays valid; the text report shows \u escapes
        out = report.to_json(ascii=True) if args.json else out.encode(encoding, "backslashreplace").decode(encoding)
    except LookupError:
        pass
    print(out)
    return 0


def _text_arg(text: str) -> str:
    """``--text`` as given; bytes that were not UTF-8 (kept by Python as lone
    surrogates) are decoded like a file's, e.g. a GBK terminal's Chinese."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        import os

        from .reading import decode

        return decode(os.fsencode(text))[0]
    return text


# Subcommands defined next to the code they run; each module has add_parser(sub).
_SUBCOMMAND_MODULES = ("batch", "training", "evaluation", "bench")


class _Parser(argparse.ArgumentParser):
    """An option error is one line, like every other user error (``--help`` shows the usage)."""

    def error(self, message: str):
        self.exit(2, f"{self.prog.split()[0]}: error: {message} (see: python -m {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    import importlib

    parser = _Parser(
        prog="analyser",
        description="Score official outage statements for cause disclosure, apology, humour and vagueness.",
    )
    parser.add_argument("--version", action="version", version=f"analyser {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="{score,batch,train,evaluate,bench}")
    _add_score(sub)
    for name in _SUBCOMMAND_MODULES:
        try:
            module = importlib.import_module(f"analyser.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"analyser.{name}":
                raise  # a real missing dependency, not a subcommand still to come
            continue
        module.add_parser(sub)
    return parser


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Python warnings (e.g. a model trained with other library versions) as one
    ``analyser: warning:`` line, like batch's own, not two lines with source code."""
    print(f"analyser: warning: {message}", file=file or sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            return args.func(args)
    except AnalyserError as exc:
        print(f"analyser: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("analyser: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
