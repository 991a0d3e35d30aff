"""The `helper` command: index, rewrite, openers, ask, batch, eval, serve."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable

from helper.engine import FUNCTIONS
from helper.errors import ConfigError, IndexUnavailable, InputError


def _engine_call(kind: str) -> Callable:
    from helper import get_engine

    engine = get_engine()
    return lambda value: FUNCTIONS[kind](engine, value)


def _text_arg(parts: list[str]) -> str:
    # No argument, or "-", reads the text from standard input (drafts with quotes and newlines).
    if not parts or parts == ["-"]:
        data = sys.stdin.buffer.read()
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError("The input is not readable text (it is not valid UTF-8).") from exc
    return " ".join(parts)


def _print_json(obj: dict) -> None:
    try:
        sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    except UnicodeEncodeError:  # a broken character in a copied field: write it escaped
        sys.stdout.write(json.dumps(obj, ensure_ascii=True) + "\n")


def _show_rewrite(r: dict) -> None:
    _show_safety(r)
    if r["safety"]["may_continue"] and not r["rewrite"]:
        print("(to rewrite it anyway: helper rewrite --proceed)")
    if r["rewrite"]:
        print(
            r["rewrite"]
            if r["changed"]
            else f"{r['rewrite']}\n(unchanged: nothing in it reads as hostile)"
        )
    if r.get("guide"):
        g = r["guide"]
        print(g["why"])
        blanks = {"feeling": "___", "need": "___", "request": "___"}
        print("  " + g["template"].format(**blanks, situation=g["situation"] or "___"))
        for label in ("feelings", "needs", "requests"):
            print(f"  {label}: {', '.join(g[label])}")
    for f in r["findings"]:
        print(f"  - {f['kind']}: “{f['text']}” — {f['why']}")
    for a in r["alternatives"]:
        print(f"  [{a['style']}] {a['text']}")
    print(f"({r['engine']}) {r['note']}".rstrip())


def _citations(cs: list[dict], indent: str = "  ") -> None:
    """Each citation as a person reads it: the quote as text (list items as bullets on their
    own lines, no Markdown markers) and the line of the file it starts on; the character
    offsets are in --json."""
    from helper.retrieval.citations import read_doc
    from helper.text.markdown import line_number, plain

    for c in cs:
        try:
            where = f"{c['doc']}, line {line_number(read_doc(c['doc']), c['start'])}"
        except OSError:
            where = c["doc"]
        lines = [line.strip() for line in plain(c["quote"]).splitlines()]
        quote = "\n".join(f"{indent}    {line}" if line else "" for line in lines).lstrip()
        print(f"{indent}[{c['n']}] {c['title']} — {c['section']} ({where}):")
        print(f"{indent}    “{quote}”")


def _show_safety(r: dict) -> None:
    if r["safety"]["flagged"]:
        print(f"Safety ({r['safety']['category']}): {r['safety']['message']}")


def _show_ask(r: dict) -> None:
    _show_safety(r)
    if r["answer"]:
        print(r["answer"])
    _citations(r["citations"])
    print(f"({r['engine']}) {r['note']}".rstrip())


def _show_openers(r: dict) -> None:
    _show_safety(r)
    for i, o in enumerate(r["openers"], 1):
        print(f"{i}. {o['text']}")
        _citations(o["citations"], "     ")
    if r.get("tips"):
        print("Tips:")
        for t in r["tips"]:
            print(f"  - {t['text']}")
            _citations(t["citations"], "     ")
    print(f"({r['engine']}) {r['note']}".rstrip())


SHOW = {"rewrite": _show_rewrite, "ask": _show_ask, "openers": _show_openers}


def cmd_single(kind: str, args) -> int:
    text = _text_arg(args.text)
    from helper import get_engine

    engine = get_engine()
    if kind != "rewrite" and not engine.indexed():
        print("No index yet: indexing the guidance first (once, about 10 s)…", file=sys.stderr)
    if getattr(args, "proceed", False):
        result = engine.rewrite(text, proceed=True).to_dict()
    else:
        result = FUNCTIONS[kind](engine, text).to_dict()
    if args.json:
        _print_json(result)
    else:
        SHOW[kind](result)
    return 0


def cmd_batch(args) -> int:
    """One JSON object per line in, one per line out; a bad line is reported and skipped."""
    field = FUNCTIONS[args.kind].field
    call = _engine_call(args.kind)
    try:
        raw = sys.stdin.buffer.read() if args.file == "-" else open(args.file, "rb").read()
    except OSError as exc:
        print(f"helper: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 2
    ok = failed = 0
    started = time.perf_counter()
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        record, error = _batch_record(line, field)
        if error is None:
            try:
                record = _merge(record, call(record[field]).to_dict())
                ok += 1
                _print_json(record)
                continue
            except InputError as exc:
                error = str(exc)
        failed += 1
        _print_json({**(record or {}), "line": number, "error": error})
    elapsed = time.perf_counter() - started
    print(
        f"helper batch {args.kind}: {ok} done, {failed} failed in {elapsed:.2f} s", file=sys.stderr
    )
    return 1 if failed else 0


def _merge(record: dict, result: dict) -> dict:
    """The input line's fields beside the result; a field whose name the result uses too
    (an input `answer`, say) is kept under `input_fields` instead of being overwritten."""
    clashing = {k: v for k, v in record.items() if k in result and result[k] != v}
    merged = {**{k: v for k, v in record.items() if k not in result}, **result}
    if clashing:
        merged["input_fields"] = clashing
    return merged


def _batch_record(line: bytes, field: str) -> tuple[dict | None, str | None]:
    try:
        # utf-8-sig: a byte-order mark that an editor put before line 1 is not part of it.
        obj = json.loads(line.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return None, "this line is not valid UTF-8"
    except json.JSONDecodeError as exc:
        return None, f"this line is not valid JSON ({exc.msg})"
    if not isinstance(obj, dict):
        return None, "this line is not a JSON object"
    if not isinstance(obj.get(field), str):
        return obj, f"this line has no text field {field!r}"
    return obj, None


def cmd_index(args) -> int:
    from helper import build_index

    def progress(stage: str, done: int, total: int) -> None:
        print(f"\r{stage}: {done}/{total}", end="" if done < total else "\n", file=sys.stderr)

    started = time.perf_counter()
    report = build_index(rebuild=args.rebuild, progress=progress)
    elapsed = time.perf_counter() - started
    if report.rebuilt_because:
        print(f"Started fresh: {report.rebuilt_because}.", file=sys.stderr)
    for error in report.errors:
        print(f"skipped {error}", file=sys.stderr)
    if args.json:
        _print_json({**report.to_dict(), "seconds": round(elapsed, 3)})
    else:
        print(
            f"Indexed {report.files} file(s): {report.chunks} chunks, "
            f"{report.sentences} sentences, {report.questions} questions they answer; "
            f"embedded {report.embedded_chunks} chunks and {report.embedded_sentences} sentences, "
            f"removed {report.deleted_chunks} chunks, in {elapsed:.1f} s."
        )
    return 0


def cmd_eval(args) -> int:
    from helper.evals.harness import main as eval_main

    return eval_main(args.rest)


def cmd_serve(args) -> int:
    from helper.web.page import launch

    launch(host=args.host, port=args.port)
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="helper",
        description="Soften a message to your partner, open a hard conversation, ask the guidance.",
    )
    sub = p.add_subparsers(dest="command", required=True)
    for kind, what in (
        ("rewrite", "a draft to soften"),
        ("openers", "what you want to talk about"),
        ("ask", "a question about the guidance"),
    ):
        s = sub.add_parser(kind, help=f"{kind}: {what}")
        s.add_argument("text", nargs="*", help=f"{what} (omit or '-' to read standard input)")
        s.add_argument("--json", action="store_true", help="print the JSON result")
        if kind == "rewrite":
            s.add_argument(
                "--proceed",
                action="store_true",
                help="rewrite after a safety response where that is allowed (docs/safety.md)",
            )
        s.set_defaults(func=lambda a, k=kind: cmd_single(k, a))
    b = sub.add_parser("batch", help="run rewrite, openers or ask over a JSONL file")
    b.add_argument("kind", choices=sorted(FUNCTIONS))
    b.add_argument("file", help="JSONL file, one object a line with field text/topic/question")
    b.set_defaults(func=cmd_batch)
    i = sub.add_parser("index", help="index the guidance in corpus/ (only changes are embedded)")
    i.add_argument("--rebuild", action="store_true", help="start the index fresh")
    i.add_argument("--json", action="store_true", help="print the report as JSON")
    i.set_defaults(func=cmd_index)
    e = sub.add_parser("eval", help="run the eval suites (helper eval --help)", add_help=False)
    e.add_argument("rest", nargs=argparse.REMAINDER)
    e.set_defaults(func=cmd_eval)
    s = sub.add_parser("serve", help="open the web page")
    s.add_argument("--host", default=None)
    s.add_argument("--port", type=int, default=None)
    s.set_defaults(func=cmd_serve)
    return p


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # `helper eval` hands all of its arguments, options first included, to the harness.
    args, extra = parser().parse_known_args(argv)
    if args.func is cmd_eval:
        args.rest = [*extra, *args.rest]
    elif extra:
        parser().error(f"unrecognized arguments: {' '.join(extra)}")
    try:
        return args.func(args)
    except InputError as exc:
        print(f"helper: {exc}", file=sys.stderr)
        return 2
    except ConfigError as exc:
        print(f"helper: configuration: {exc}", file=sys.stderr)
        return 2
    except IndexUnavailable as exc:
        print(f"helper: the guidance index: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
