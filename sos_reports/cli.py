"""The `sos-reports` command line: parse, call one library function, print, map errors.

Paths written go to standard output, one per line; messages, warnings and findings go to
standard error. Exit codes: 0 done (warnings allowed), 1 refused with a message, 2 the
command line itself was wrong.
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Callable, Sequence
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from sos_reports import __version__
from sos_reports.kinds import KINDS

if TYPE_CHECKING:
    import datetime as dt

    from sos_reports.commands.options import Options
    from sos_reports.documents.template_check import Problem
    from sos_reports.errors import Finding, MergeError
    from sos_reports.support.deadlines import DueDays

F = TypeVar("F", bound=Callable[..., Any])


def _json(data: Any, **settings: Any) -> str:
    import json  # imported here, as every command's work is: `--help` stays fast

    return json.dumps(data, **settings)


def _say(message: str = "") -> None:
    click.echo(message, err=True)


def _say_merge_error(exc: MergeError) -> None:
    """The findings of each agency's input that could not be taken, as `merge` prints them."""
    for source, findings in exc.invalid:
        if len(findings) == 1 and findings[0].code == "read" and not findings[0].path:
            read = findings[0]  # the file itself: no field to name
            line = f" (line {read.line})" if read.line else ""
            _say(f"{click.style('error', fg='red', bold=True)}: {source}{line}: {read.message}")
        else:
            _print_findings(findings, source)
    for mismatch in exc.mismatches:
        _say(f"{click.style('error', fg='red', bold=True)}: {mismatch}")
    _say(f"Error: {exc}; nothing was written.")


def _label(severity: str) -> str:
    if severity == "error":
        return click.style("error", fg="red", bold=True)
    return click.style("warning", fg="yellow", bold=True)


def _print_findings(findings: list[Finding], source: str = "") -> None:
    """Each finding on a line; with `source`, the input it belongs to before its place."""
    for f in findings:
        _say(f"{_label(f.severity)}: {f'{source}: ' if source else ''}{f.where}: {f.message}")


def _count(findings: Sequence[Finding | Problem]) -> str:
    errors = sum(f.severity == "error" for f in findings)
    warnings = len(findings) - errors
    return f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"


def _stopped(exc: KeyboardInterrupt) -> NoReturn:
    """Ctrl-C, SIGTERM or SIGHUP: the work was cleaned up on the way here; say what is left."""
    from sos_reports.support.interrupts import placed

    if placed:
        for path in placed:
            click.echo(path)
        _say("Interrupted, after every file of this command was written.")
    else:
        _say("Interrupted; nothing was written.")
    sys.exit(getattr(exc, "exit_code", 130))


def handle_errors(command: F) -> F:
    """Turn every error a user could cause into `Error: ...` and exit 1, never a traceback."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from sos_reports.errors import InputError, ReadError, SosError

        try:
            status = command(*args, **kwargs)
            if status:  # the command's verdict, such as `validate` finding the input invalid
                sys.exit(status)
            return status
        except ReadError as exc:
            _say(f"Error: {exc}")
        except InputError as exc:
            _print_findings(exc.findings)
            _say(f"Error: {exc.source}: {_count(exc.findings)}; nothing was written.")
        except SosError as exc:
            _say(f"Error: {exc}")
        except OSError as exc:
            _say(f"Error: {exc.strerror or exc}{f': {exc.filename}' if exc.filename else ''}")
        except KeyboardInterrupt as exc:
            _stopped(exc)
        except Exception as exc:
            if os.environ.get("SOS_REPORTS_DEBUG"):
                raise
            _say(
                f"Error: sos-reports failed unexpectedly ({type(exc).__name__}: {exc}). "
                "Nothing was written. Set SOS_REPORTS_DEBUG=1 to see the details for a bug report."
            )
        sys.exit(1)

    return wrapper  # type: ignore[return-value]


def _due_days(ctx: click.Context, param: click.Parameter, value: str | None) -> DueDays | None:
    if value is None:
        return None
    from sos_reports.errors import SosError
    from sos_reports.support.deadlines import DueDays

    try:
        return DueDays.parse(value)
    except SosError as exc:
        raise click.BadParameter(str(exc)) from None


_OPTIONS: dict[str, tuple[tuple[str, ...], dict[str, Any]]] = {
    "template": (
        ("--template",),
        {
            "type": click.Path(path_type=Path, dir_okay=False, exists=True),
            "help": "Fill this Word template instead of the packaged one.",
        },
    ),
    "pdf": (
        ("--pdf",),
        {"is_flag": True, "help": "Also write a PDF of each document (needs LibreOffice)."},
    ),
    "force": (
        ("-f", "--force"),
        {"is_flag": True, "help": "Replace outputs that already exist (never an input)."},
    ),
    "strict": (
        ("--strict",),
        {"is_flag": True, "help": "Treat warnings as errors (plain-English ones aside)."},
    ),
    "due_days": (
        ("--due-days",),
        {
            "callback": _due_days,
            "metavar": "initial=N,review=N",
            "help": "Working days before the conference that reports are due "
            "(default initial=2,review=5).",
        },
    ),
    "strict_language": (
        ("--strict-language",),
        {
            "is_flag": True,
            "help": "Treat plain-English warnings (acronyms, jargon, hard sentences) as errors.",
        },
    ),
    "terms": (
        ("--terms",),
        {
            "type": click.Path(path_type=Path, dir_okay=False),
            "metavar": "FILE",
            "help": "A local list of acronyms and jargon (.toml) that adds to, changes or "
            "removes packaged terms; also read from SOS_REPORTS_TERMS.",
        },
    ),
}


def report_options(*names: str, **helps: str) -> Callable[[F], F]:
    """The report options `names` (fields of `Options`) on the command line, in that order,
    handed to the command whole as its `options` argument; `helps` words one differently."""

    def decorate(command: F) -> F:
        @wraps(command)
        def with_options(*args: Any, **kwargs: Any) -> Any:
            from sos_reports.commands.options import Options

            given = {name: kwargs.pop(name) for name in names}
            return command(*args, options=Options(**given), **kwargs)

        decorated: Any = with_options
        for name in reversed(names):
            flags, settings = _OPTIONS[name]
            help_text = helps.get(name, settings["help"])
            decorated = click.option(*flags, name, **{**settings, "help": help_text})(decorated)
        return decorated

    return decorate


force_option = click.option(*_OPTIONS["force"][0], **_OPTIONS["force"][1])
kind_argument = click.argument("kind", type=click.Choice(list(KINDS), case_sensitive=False))
input_argument = click.argument(
    "input_path", metavar="INPUT", type=click.Path(path_type=Path, dir_okay=False)
)


def format_option(what: str) -> Callable[[F], F]:
    """`--format text|json`: with json, `what` (findings, problems) go to standard output."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(["text", "json"]),
        default="text",
        help=f"json: print the {what} to standard output as a JSON list.",
    )


def output_option(
    help: str, *, suffixes: tuple[str, ...], required: bool = False, hint: str = ""
) -> Callable[[F], F]:
    """`-o/--output FILE`, whose name must end in one of `suffixes` (any case).

    A wrong extension is a mistake on the command line like any other: click's usage
    message and exit 2, before any work. The library checks again, for its own callers.
    """

    def check(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
        if value is not None and value.suffix.lower() not in suffixes:
            either = ", ".join(suffixes[:-1]) + " or " if len(suffixes) > 1 else ""
            raise click.BadParameter(f"{value}: give a name ending in {either}{suffixes[-1]}{hint}")
        return value

    return click.option(
        "-o",
        "--output",
        required=required,
        type=click.Path(path_type=Path, dir_okay=False),
        callback=check,
        help=help,
    )


def form_output_option(*, text_first: bool = False) -> Callable[[F], F]:
    """The input form that `new` and `convert` write, any of the same five; `new` names the
    forms people fill first, `convert` (most often from a form to a text file) the text."""
    forms, texts = (".xlsx", ".docx"), (".yaml", ".yml", ".json")
    if text_first:
        help = "The form to write: .yaml, .json, .xlsx (Excel workbook) or .docx (Word form)."
        return output_option(help, suffixes=texts + forms, required=True)
    help = "The form to write: .xlsx (Excel workbook), .docx (Word form), .yaml or .json."
    return output_option(help, suffixes=forms + texts, required=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="sos-reports")
def cli() -> None:
    """Signs of Safety reports for child protection conferences.

    Fill a Word report from an agency's input (an Excel workbook, YAML or JSON), after
    checking that it is complete and consistent. Start with `sos-reports kinds`, then `validate` and `fill`.
    """


@cli.command()
def kinds() -> None:
    """List the report kinds."""
    for kind in KINDS.values():
        click.echo(f"{kind.name:<8} {kind.title}: {kind.summary}")


def _due_line(due: dt.date | None, days: int | None) -> str | None:
    if due is None:
        return None
    from sos_reports.support.formatting import long_date

    return (
        f"Due with the chair and the family by {due:%A} {long_date(due)} "
        f"({days} working days before the conference)."
    )


@cli.command()
@input_argument
@format_option("findings")
@report_options("strict", "due_days", "strict_language", "terms")
@handle_errors
def validate(input_path: Path, output_format: str, options: Options) -> int:
    """Check an input and list every error and warning with its place."""
    from sos_reports.commands.reports import validate as check_input
    from sos_reports.errors import InputError

    try:
        checked = check_input(input_path, options)
    except InputError as exc:
        if output_format != "json":
            raise
        # A program reading the JSON gets a file it cannot read as a finding too.
        click.echo(_json([f.as_dict() for f in exc.findings], indent=2, ensure_ascii=False))
        _say(f"Error: {exc}")
        return 1
    failed = bool(checked.stopping(options.strict, options.strict_language))
    if output_format == "json":
        click.echo(_json([f.as_dict() for f in checked.findings], indent=2, ensure_ascii=False))
    else:
        _print_findings(checked.findings)
        due = _due_line(checked.due_date, checked.due_days)
        if due:
            _say(due)
        if checked.readings:
            lowest = min(checked.readings, key=lambda r: r.ease)
            _say(
                f"Reading ease (plain English is 60 or more): {len(checked.readings)} free-text "
                f"fields judged, the lowest {lowest.ease:.0f} at {lowest.where}."
            )
        verdict = "not valid" if failed else "valid"
        kind = f"{checked.kind} input" if checked.kind else "input"
        _say(f"{input_path}: {kind} {verdict} ({_count(checked.findings)}).")
    return 1 if failed else 0


@cli.command()
@input_argument
@output_option(
    "The report to write (.docx); default: INPUT's name with -report.docx, beside it.",
    suffixes=(".docx",),
    hint=" (the report is a Word document; --pdf also writes a PDF beside it)",
)
@report_options("template", "pdf", "force", "strict", "due_days", "strict_language", "terms")
@handle_errors
def fill(input_path: Path, output: Path | None, options: Options) -> None:
    """Check an input and write its report (and its confidential annex, if it has one)."""
    from sos_reports.commands.reports import fill as fill_report

    result = fill_report(input_path, output, options)
    _print_findings(result.findings)
    due = _due_line(result.due_date, result.due_days)
    if due:
        _say(due)
    for path in result.written:
        click.echo(path)


@cli.command()
@kind_argument
@form_output_option()
@click.option(
    "--from",
    "from_paths",
    multiple=True,
    type=click.Path(path_type=Path, exists=True),
    help="Pre-fill the next report from an earlier input (for example the initial report, for "
    "a review, or the conference record). For a record: the agencies' inputs, files or "
    "folders, --from once for each.",
)
@click.option(
    "--agency",
    metavar="NAME",
    help="With --from a conference record: the agency whose review this is (its author, its "
    "actions of the plan, its previous scores).",
)
@force_option
@handle_errors
def new(
    kind: str, output: Path, from_paths: tuple[Path, ...], agency: str | None, force: bool
) -> int | None:
    """Write a blank input form for KIND, or the next report's, pre-filled with --from."""
    from sos_reports.commands.forms import new_input
    from sos_reports.errors import MergeError

    try:
        result = new_input(
            kind.lower(), output, from_path=list(from_paths) or None, agency=agency, force=force
        )
    except MergeError as exc:  # a record's agencies' inputs, read as `merge` reads them
        _say_merge_error(exc)
        return 1
    for path in result.written:
        click.echo(path)
    return None


@cli.command()
@input_argument
@form_output_option(text_first=True)
@force_option
@handle_errors
def convert(input_path: Path, output: Path, force: bool) -> None:
    """Write INPUT in another form, content kept whole (for example a filled Word form as YAML)."""
    from sos_reports.commands.forms import convert as convert_input

    for path in convert_input(input_path, output, force=force).written:
        click.echo(path)


@cli.command()
@kind_argument
@handle_errors
def schema(kind: str) -> None:
    """Print the JSON Schema of the input for KIND."""
    from sos_reports.commands.forms import input_schema

    click.echo(_json(input_schema(kind), indent=2, ensure_ascii=False))


@cli.command()
@kind_argument
@output_option("Where to write the template (.docx).", suffixes=(".docx",), required=True)
@force_option
@handle_errors
def template(kind: str, output: Path, force: bool) -> None:
    """Write the packaged Word template of KIND, to adapt to local branding."""
    from sos_reports.commands.forms import copy_template

    for path in copy_template(kind, output, force=force).written:
        click.echo(path)


@cli.command("check-template")
@click.argument(
    "template_path",
    metavar="FILE.docx",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
)
@click.option(
    "--kind",
    required=True,
    type=click.Choice(list(KINDS), case_sensitive=False),
    help="The report kind the template is for.",
)
@format_option("problems")
@handle_errors
def check_template(template_path: Path, kind: str, output_format: str) -> int:
    """Check a local Word template for KIND and list every problem with its place."""
    from sos_reports.documents.template_check import check_template as check

    problems = check(template_path, kind.lower())
    errors = sum(p.severity == "error" for p in problems)
    if output_format == "json":
        click.echo(_json([p.as_dict() for p in problems], indent=2, ensure_ascii=False))
    else:
        for p in problems:
            _say(f"{_label(p.severity)}: {p.where}: {p.message}")
        verdict = "cannot be used" if errors else "can be used"
        _say(f"{template_path}: {verdict} for the {kind.lower()} report ({_count(problems)}).")
    return 1 if errors else 0


@cli.command()
@click.argument(
    "inputs", metavar="INPUT...", nargs=-1, required=True, type=click.Path(path_type=Path)
)
@click.option(
    "-o",
    "--output",
    "out_dir",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="The folder to write the reports into (made if need be); sub-folders are kept.",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    help="Reports filled at once (default: one per core of this machine).",
)
@report_options("pdf", "force", "strict", "strict_language", "terms", "due_days")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@handle_errors
def batch(
    inputs: tuple[Path, ...], out_dir: Path, jobs: int | None, quiet: bool, options: Options
) -> int:
    """Fill every INPUT (files, or folders holding .yaml, .yml, .json, .xlsx and Word forms).

    One input that fails does not stop the others; the summary lists each failure with its
    reason. Exit code 1 if any input failed, after every other report was written.
    """
    from sos_reports.commands.batch import batch as run_batch

    bar: Any = None
    show = not quiet and sys.stderr.isatty()

    def started(total: int) -> None:
        nonlocal bar
        if show and total:
            bar = click.progressbar(length=total, label="Filling", file=sys.stderr, width=30)
            bar.__enter__()

    def done(outcome: Any) -> None:
        if bar is not None:
            bar.update(1)

    try:
        result = run_batch(inputs, out_dir, options, jobs=jobs, on_start=started, on_outcome=done)
    except KeyboardInterrupt as exc:
        if bar is not None:
            bar.__exit__(None, None, None)
        written = getattr(exc, "written", None) or []
        for path in written:
            click.echo(path)
        _say(
            f"Interrupted: the {len(written)} files listed were written, each report whole "
            "with its annex; the other inputs were not filled."
        )
        sys.exit(getattr(exc, "exit_code", 130))
    if bar is not None:
        bar.__exit__(None, None, None)
    if not result.outcomes:
        from sos_reports.errors import SosError

        raise SosError(
            "no inputs found: give files, or folders holding .yaml, .yml, .json, .xlsx "
            "or Word form (.docx) inputs"
        )
    for path in result.written:
        click.echo(path)
    _print_batch_summary(result)
    return 1 if result.failed else 0


@cli.command()
@click.argument(
    "folder",
    required=False,
    default=".",
    type=click.Path(file_okay=False, dir_okay=True, exists=True, path_type=Path),
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=None,
    show_default="8731, or a free one when that is taken",
    help="The port to listen on, on 127.0.0.1 only (0: a free one).",
)
@click.option("--no-browser", is_flag=True, help="Print the address; do not open a browser.")
@handle_errors
def serve(folder: Path, port: int | None, no_browser: bool) -> None:
    """Fill reports in your browser: a form on this computer only, saving drafts in FOLDER.

    The drafts are input files (YAML), so validate, fill, batch and merge work on them.
    Stop with Ctrl-C.
    """
    from sos_reports.support.interrupts import Interrupted
    from sos_reports.web.server import serve as run

    try:
        run(folder, port, open_browser=not no_browser, say=click.echo)
    except Interrupted:
        click.echo("Stopped. Your drafts are saved in the folder.")


# --- the hosted service ------------------------------------------------------------------------

DATABASE_HELP = (
    "The database: sqlite:///FILE (one machine) or postgresql://USER:PASSWORD@HOST/NAME "
    "(several). Also SOS_REPORTS_DATABASE; by default sqlite:///sos-reports.db."
)


def database_option(command: F) -> F:
    return click.option("--database", "database", metavar="URL", default=None, help=DATABASE_HELP)(
        command
    )


@cli.group()
def host() -> None:
    """The hosted service for a whole conference: agencies invited by e-mail, staff signed
    in with the council's identity provider, everything on one database.

    Every option can also be set by its environment variable, SOS_REPORTS_ and the option's
    name in capitals (SOS_REPORTS_DATABASE, SOS_REPORTS_BASE_URL, ...).
    """


@host.command("init")
@database_option
@handle_errors
def host_init(database: str | None) -> None:
    """Create the database, or bring it up to date. Safe to run again."""
    from sos_reports.hosted.schema import shown_url, upgrade
    from sos_reports.hosted.settings import Settings

    url = Settings.from_environment(database=database).database
    before, after = upgrade(url)
    if before == after:
        _say(f"The database {shown_url(url)} is up to date (revision {after}).")
    elif before is None:
        _say(f"Created the database {shown_url(url)} (revision {after}).")
    else:
        _say(f"Brought the database {shown_url(url)} from revision {before} to {after}.")


@host.command("add-user")
@click.argument("email")
@click.option(
    "--role", type=click.Choice(["admin", "chair"]), required=True, help="What the account may do."
)
@database_option
@handle_errors
def host_add_user(email: str, role: str, database: str | None) -> None:
    """Add a staff account (or change its role): they sign in with the identity provider
    under this e-mail address."""
    from sos_reports.hosted.settings import Settings

    hosted = _hosted(Settings.from_environment(database=database))
    _, new = hosted.add_user(email, role)
    _say(f"{'Added' if new else 'Changed'} {email.strip().lower()} as {role}.")


@host.command("run")
@database_option
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=None,
    help="The port (default 8740; SOS_REPORTS_PORT).",
)
@click.option(
    "--listen",
    default=None,
    metavar="ADDRESS",
    help="The address to listen on (default 127.0.0.1, behind a reverse proxy; SOS_REPORTS_LISTEN).",
)
@click.option(
    "--base-url",
    default=None,
    metavar="URL",
    help="The address people reach the service at, such as https://reports.council.example.",
)
@click.option(
    "--workers", type=click.IntRange(1, 64), default=None, help="Worker processes (default 1)."
)
@click.option(
    "--dev-sign-in",
    is_flag=True,
    default=None,
    help="Staff sign in with a code printed here: for trying the service out only.",
)
@click.option(
    "--no-annex-storage",
    is_flag=True,
    default=None,
    help="Keep no confidential annex in the database.",
)
@handle_errors
def host_run(
    database: str | None,
    port: int | None,
    listen: str | None,
    base_url: str | None,
    workers: int | None,
    dev_sign_in: bool | None,
    no_annex_storage: bool | None,
) -> None:
    """Serve the hosted service until Ctrl-C."""
    from sos_reports.hosted.commands import run

    run(
        database=database,
        port=port,
        listen=listen,
        base_url=base_url,
        workers=workers,
        dev_sign_in=dev_sign_in or None,
        no_annex_storage=no_annex_storage or None,
        say=_say,
    )


@host.command("purge")
@click.option(
    "--older-than",
    "days",
    type=click.IntRange(0, None),
    required=True,
    metavar="DAYS",
    help="Delete the conferences whose last date is more than DAYS days ago.",
)
@click.option("--dry-run", is_flag=True, help="Say what would be deleted; delete nothing.")
@database_option
@handle_errors
def host_purge(days: int, dry_run: bool, database: str | None) -> None:
    """Delete old conferences with their drafts, reports and annexes (the audit log keeps
    that they were deleted)."""
    from sos_reports.hosted.settings import Settings

    hosted = _hosted(Settings.from_environment(database=database))
    found = hosted.purge(days, dry_run=dry_run)
    verb = "Would delete" if dry_run else "Deleted"
    for conference_id, last, reports in found:
        click.echo(
            f"{verb} conference {conference_id} (last date {last.isoformat()}, {reports} reports)"
        )
    _say(
        f"{verb} {len(found)} conference{'s' * (len(found) != 1)} whose last date is more than {days} days ago."
    )


def _hosted(settings: Any) -> Any:
    """The service over an existing, up-to-date database, for the commands that use it."""
    from sos_reports.hosted.schema import DatabaseError, current, head, shown_url
    from sos_reports.hosted.service import Hosted

    revision = current(settings.database)
    if revision != head():
        raise DatabaseError(
            f"the database {shown_url(settings.database)} is "
            + ("not made yet" if revision is None else f"at revision {revision}, not {head()}")
            + ": run `sos-reports host init` first"
        )

    class _NoMail:
        def send(self, to: str, subject: str, text: str) -> None:
            raise RuntimeError("no mail from this command")

    return Hosted(settings, mailer=_NoMail())


def _print_batch_summary(result: Any) -> None:
    warned = [o for o in result.filled if o.findings]
    for outcome in warned:
        for f in outcome.findings:
            _say(
                f"{click.style('warning', fg='yellow', bold=True)}: {outcome.input}: {f.where}: {f.message}"
            )
    for outcome in result.skipped:
        _say(f"skipped: {outcome.input}: not an input ({outcome.error})")
    for outcome in result.failed:
        _say(f"{click.style('failed', fg='red', bold=True)}: {outcome.input}: {outcome.error}")
        for f in outcome.findings:
            if f.severity == "error" or not any(g.severity == "error" for g in outcome.findings):
                _say(f"    {f.severity}: {f.where}: {f.message}")
    reports = len(result.filled)
    warnings = sum(len(o.findings) for o in warned)
    parts = [
        f"{reports} report{'s' * (reports != 1)} written",
        f"{len(result.failed)} failed",
        f"{warnings} warning{'s' * (warnings != 1)}",
    ]
    if result.skipped:
        parts.append(f"{len(result.skipped)} skipped")
    _say(f"Batch: {', '.join(parts)}.")


@cli.command()
@click.argument(
    "inputs", metavar="INPUT...", nargs=-1, required=True, type=click.Path(path_type=Path)
)
@output_option(
    "The map to write (.docx).",
    suffixes=(".docx",),
    required=True,
    hint=" (the map is a Word document; --pdf also writes a PDF beside it)",
)
@report_options("pdf", "force", "due_days", pdf="Also write a PDF of the map (needs LibreOffice).")
@handle_errors
def merge(inputs: tuple[Path, ...], output: Path, options: Options) -> int:
    """Put the agencies' inputs for one conference on one Signs of Safety map for the chair.

    INPUT is an agency's input (any kind, any form) or a folder of them.
    """
    from sos_reports.commands.merge import merge as merge_inputs
    from sos_reports.errors import MergeError

    try:
        result = merge_inputs(list(inputs), output, options)
    except MergeError as exc:
        _say_merge_error(exc)
        return 1
    for source, warnings in result.warnings.items():
        count = f"{len(warnings)} warning{'s' * (len(warnings) != 1)}"
        _say(f"{source}: {count}; `sos-reports validate {source}` lists them.")
    for note in result.notes:
        _say(f"{click.style('warning', fg='yellow', bold=True)}: {note}")
    for path in result.written:
        click.echo(path)
    return 0


def main() -> None:
    """The console command. Click's own handling of Ctrl-C ("Aborted!", exit 1) is replaced by
    the tool's, which SIGTERM and SIGHUP share, wherever the signal comes."""
    from sos_reports.support.interrupts import install

    try:
        try:
            install()
            code = cli.main(prog_name="sos-reports", standalone_mode=False)
        except KeyboardInterrupt as exc:
            _stopped(exc)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except click.exceptions.Abort as exc:
            # Click turns a KeyboardInterrupt (our signals' too) that it sees into Abort.
            if isinstance(exc.__cause__, KeyboardInterrupt):
                _stopped(exc.__cause__)
            _say("Aborted.")
            sys.exit(1)
        except OSError as exc:
            if exc.errno != errno.EPIPE:  # output piped into a program that stopped reading
                raise
            sys.stderr.close()
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)
    finally:
        _settle()


def _settle() -> None:
    """Once the command is done, a signal ends the process as it ends any program, instead
    of raising into the interpreter's shutdown (which printed a traceback). What was printed
    is flushed first, so that the files written are still listed."""
    import contextlib
    import signal

    from sos_reports.support.interrupts import STOPPING, held

    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    # Held while the handlers are put back, one signal at a time: a SIGTERM that came
    # between the two would still raise. Once all are back, a signal that came meanwhile
    # ends the process.
    with held():
        for signum in STOPPING:
            if signal.getsignal(signum) is not signal.SIG_IGN:
                signal.signal(signum, signal.SIG_DFL)
