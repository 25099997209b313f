"""Coverage-guided fuzzing of the input readers and checks (atheris), for a bounded time.

Each target turns the fuzzer's bytes into an input file and reads and checks it as
`sos-reports validate` does. Refusing the file with a SosError (a message for the user) is
the right answer to anything; any other exception is a crash, saved by libFuzzer as
`crash-*` in the folder it runs in, and becomes a case in tests/inputs/fuzz-cases/ (see
tests/inputs/test_fuzz_cases.py).

    python fuzz/fuzz_readers.py yaml --seconds 30
    python fuzz/fuzz_readers.py workbook-parts --seconds 30

Targets: yaml, json (the text readers; for YAML, the fast reader is also compared with the
pure-Python one); workbook and word-form (the .xlsx or .docx bytes as
they are: the container checks and, past them, the readers); workbook-parts (the example as
a workbook, with one XML part replaced by fuzzed bytes, so that the fuzzer reaches the cell
reader instead of stopping at the zip's checksums).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import tempfile
import zipfile
from pathlib import Path

import atheris

ROOT = Path(__file__).resolve().parents[1]
SUFFIX = {
    "yaml": ".yaml",
    "json": ".json",
    "workbook": ".xlsx",
    "workbook-parts": ".xlsx",
    "word-form": ".docx",
}

with atheris.instrument_imports(include=["sos_reports", "yaml", "openpyxl", "lxml"]):
    import importlib
    import pkgutil

    import sos_reports

    # The readers import much of the house lazily; import it all here, instrumented (but
    # the hosted service, which no reader reaches, and whose migrations run only in Alembic).
    for module in pkgutil.walk_packages(sos_reports.__path__, "sos_reports."):
        if (
            ".builders" not in module.name
            and not module.name.endswith("__main__")
            and not module.name.startswith("sos_reports.hosted")
        ):
            importlib.import_module(module.name)
    from sos_reports.checks.validation import check
    from sos_reports.errors import SosError
    from sos_reports.inputs.read import read_input
    from sos_reports.kinds import KINDS

    for kind in KINDS.values():
        kind.model.model_rebuild()

SCRATCH = Path(
    tempfile.mkdtemp(
        prefix="sos-reports-fuzz-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None
    )
)


def read_and_check(data: bytes, suffix: str) -> None:
    path = SCRATCH / f"input{suffix}"
    path.write_bytes(data)
    with contextlib.suppress(SosError):  # a clear refusal is the right answer to any input
        check(read_input(path))


def same_by_both_yaml_readers(data: bytes) -> None:
    """The fast YAML reader reads what the pure-Python one reads, or leaves the file to it."""
    from sos_reports.inputs import yaml_json
    from sos_reports.inputs.source import decode

    try:
        text = decode(Path("input.yaml"), data)
    except SosError:
        return
    fast = yaml_json._read_ordinary(text)
    if fast is not None:
        pure = yaml_json._read_pure(Path("input.yaml"), text)  # a refusal here is a crash
        assert fast == (pure.tree, pure.lines), "the two YAML readers differ"


def seed_form(suffix: str) -> dict[str, bytes]:
    """The parts of a form (a workbook or a Word form) holding the ICPC example."""
    from sos_reports.commands.forms import convert

    target = SCRATCH / f"seed{suffix}"
    if not target.exists():
        convert(ROOT / "examples" / "icpc-school.yaml", target)
    with zipfile.ZipFile(target) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def with_part_replaced(parts: dict[str, bytes], data: bytes) -> bytes:
    """The form with the XML part the first byte chooses replaced by the rest of the data."""
    names = sorted(n for n in parts if n.endswith(".xml"))
    chosen = names[data[0] % len(names)] if data else ""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, data[1:] if name == chosen else content)
    return buffer.getvalue()


def corpus(target: str, folder: Path) -> Path:
    """A corpus folder seeded with the examples (or the seed workbook)."""
    folder.mkdir(parents=True, exist_ok=True)
    if target in {"yaml", "json"}:
        import json

        import yaml

        for example in (ROOT / "examples").glob("*.yaml"):
            text = example.read_bytes()
            if target == "yaml":
                (folder / example.name).write_bytes(text)
            else:
                tree = yaml.load(text, Loader=yaml.BaseLoader)
                (folder / f"{example.stem}.json").write_text(json.dumps(tree, indent=1))
    elif target in {"workbook", "word-form"}:
        parts = seed_form(SUFFIX[target])
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, content in parts.items():
                archive.writestr(name, content)
        (folder / f"seed{SUFFIX[target]}").write_bytes(buffer.getvalue())
    elif target.endswith("-parts"):
        # Each XML part as it is, behind the byte that chooses it: the fuzzer starts from
        # real content (content controls, cells) rather than from nothing.
        parts = seed_form(SUFFIX[target])
        names = sorted(n for n in parts if n.endswith(".xml"))
        for index, name in enumerate(names):
            (folder / f"part-{index}").write_bytes(bytes([index]) + parts[name])
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", choices=sorted(SUFFIX))
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--corpus", type=Path, default=None)
    options, rest = parser.parse_known_args()
    suffix = SUFFIX[options.target]
    folder = corpus(options.target, options.corpus or SCRATCH / "corpus")

    if options.target.endswith("-parts"):
        parts = seed_form(suffix)

        def one(data: bytes) -> None:
            read_and_check(with_part_replaced(parts, data), suffix)
    elif options.target == "yaml":

        def one(data: bytes) -> None:
            read_and_check(data, suffix)
            same_by_both_yaml_readers(data)
    else:

        def one(data: bytes) -> None:
            read_and_check(data, suffix)

    argv = [
        sys.argv[0],
        f"-max_total_time={options.seconds}",
        "-timeout=20",
        "-rss_limit_mb=1536",
        "-print_final_stats=1",
        *rest,
        str(folder),
    ]
    atheris.Setup(argv, one)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
