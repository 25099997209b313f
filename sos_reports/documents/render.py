"""Renders a Word template with docxtpl, always sandboxed, autoescaped and strict.

A template, packaged or a user's own, can neither run code (Jinja's immutable sandbox, and
a cap on the size of strings and lists it builds) nor print a blank where a value is
missing (StrictUndefined): both are a TemplateError that names the problem.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import os
import re
import signal
import tempfile
import threading
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import IO, Any

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from sos_reports.errors import TemplateError

# Far beyond what a report prints, far below what exhausts memory.
MAX_BUILT = 1_000_000

PACKAGED = "sos_reports.templates"


# String methods that pad or format to a width the template chooses: any of them can build
# a value of gigabytes before anything could check it. A report template has no need of them.
_PADDING_METHODS = frozenset(
    {"format", "format_map", "center", "ljust", "rjust", "zfill", "expandtabs"}
)
# The elements all the `range()` calls of one rendering may produce: nested loops multiply.
MAX_RANGE_TOTAL = 1_000_000
# Seconds a rendering may take (a report takes a fraction of one), where the platform lets
# a rendering be interrupted (the main thread on Linux and macOS).
MAX_SECONDS = 30


class ReportEnvironment(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, with limits on the time and memory a template can take.

    The sandbox stops a template reaching Python's internals; these limits stop it building
    huge values (`*`, `**`, `%`, padding), looping without end (`range`), or running long.
    """

    intercepted_binops = frozenset({"*", "**", "%"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.range_left = MAX_RANGE_TOTAL
        self.globals["range"] = self._range
        for risky in ("center", "indent", "wordwrap", "format"):  # pad or format to any size
            self.filters.pop(risky, None)
        self.filters["replace"] = self._replace

    def _range(self, *args: int) -> range:
        numbers = range(*args)
        self.range_left -= len(numbers)
        if self.range_left < 0:
            raise SecurityError("a template may not loop that many times")
        return numbers

    @staticmethod
    def _replace(value: Any, old: str, new: str, count: int = -1) -> str:
        text = str(value)
        found = text.count(old) if count < 0 else min(count, text.count(old))
        if len(text) + found * (len(new) - len(old)) > MAX_BUILT:
            raise SecurityError("a template may not build a value that large")
        return text.replace(old, new, count)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int) and abs(right) > 100:
            raise SecurityError("a power that large is not allowed in a template")
        if operator == "%" and isinstance(left, str):
            raise SecurityError("a template may not format strings with %")
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                sized = isinstance(seq, (str, list, tuple)) and isinstance(times, int)
                if sized and len(seq) * times > MAX_BUILT:
                    raise SecurityError("a template may not build a value that large")
        return super().call_binop(context, operator, left, right)

    def wrap_str_format(self, value: Any) -> Any:
        if super().wrap_str_format(value) is None:
            return None

        def refuse(*args: Any, **kwargs: Any) -> str:
            raise SecurityError("a template may not use str.format")

        return refuse

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if isinstance(obj, str) and attr in _PADDING_METHODS:
            return False
        return bool(super().is_safe_attribute(obj, attr, value))

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, str) and getattr(__obj, "__name__", "") == "replace":
            return __self._replace(owner, *args, **kwargs)
        return super().call(__context, __obj, *args, **kwargs)

    def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> Any:
        """Compile through the bytecode cache (docxtpl compiles each part from a string).

        Compiling the Jinja code of a report's XML is most of the time it takes to fill it;
        the compiled code is cached by a checksum of the source, as Jinja does for files.
        """
        if self.bytecode_cache is None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        key = hashlib.sha256(source.encode("utf-8")).hexdigest()
        self.loader = jinja2.DictLoader({key: source})
        return self.get_template(key, globals=globals)


def environment() -> ReportEnvironment:
    from sos_reports.support import cache

    env = ReportEnvironment(autoescape=True, undefined=jinja2.StrictUndefined)
    compiled = cache.folder(f"templates-jinja{jinja2.__version__}-sandbox1")
    if compiled is not None:
        env.bytecode_cache = jinja2.FileSystemBytecodeCache(str(compiled))
    return env


@contextlib.contextmanager
def _time_limit(name: str) -> Iterator[None]:
    """Stop a rendering that runs past MAX_SECONDS, where a signal can interrupt it."""
    usable = hasattr(signal, "SIGALRM") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def stop(signum: int, frame: Any) -> None:
        raise TemplateError(f"{name} took more than {MAX_SECONDS} seconds to fill; it was stopped")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(MAX_SECONDS)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def packaged_template(name: str) -> Path:
    """The path of a template shipped in the package, e.g. `icpc/report.docx`."""
    resource = _templates().joinpath(name)
    if not resource.is_file():
        raise TemplateError(f"the packaged template {name} is missing from this installation")
    return Path(str(resource))


def _templates() -> Any:
    """The packaged templates' folder: `sos_reports.templates` when installed (a wheel or an
    editable install maps the checkout's templates/ there), or the checkout's templates/
    when the package is run from a checkout's root without an editable install, where the
    `sos_reports` beside the working folder has no `templates` inside it."""
    try:
        return resources.files(PACKAGED)
    except ModuleNotFoundError:
        checkout = Path(__file__).resolve().parents[2]
        if (checkout / "templates" / "__init__.py").is_file() and (
            checkout / "pyproject.toml"
        ).is_file():
            return checkout / "templates"
        raise TemplateError(
            "the packaged templates are missing from this installation: install the package "
            "(pip install .), or, in a checkout, pip install -e ."
        ) from None


def check_docx(path: Path) -> None:
    """Refuse, before opening it, a file that is not a Word document or would unpack huge:
    the check every input form has (forms/container.py), as a template's error."""
    from sos_reports.errors import ReadError
    from sos_reports.inputs.container import TEMPLATE, check_package

    try:
        check_package(path, TEMPLATE)
    except ReadError as exc:
        raise TemplateError(f"{path} {exc.message}") from None


# Names the report's data never holds; a template asking for them is asking for what is
# confidential, and is told so rather than getting a bare "undefined".
_CONFIDENTIAL_NAMES = re.compile(
    r"confidential\s*\.\s*(details|reason|chair_informed)|confidential\s*\[|withheld_\w+"
)


def render(
    template: Path,
    context: dict[str, Any],
    target: IO[bytes],
    *,
    properties: dict[str, Any],
    family_copy: bool,
) -> None:
    """Render `template` with `context` into `target`, then set the document properties.

    The template is compiled once per thread and kept (compiled.py); the file
    written is the one `render_docxtpl` writes, which fills a template docxtpl's own way.
    """
    from sos_reports.documents.compiled import fill

    data = _template_bytes(template)
    with _template_errors(template):
        plan = _plan(template, data)
    if plan is None:
        render_docxtpl(template, context, target, properties=properties, family_copy=family_copy)
        return
    if family_copy and plan.confidential:
        raise TemplateError(_confidential_message(template, plan.confidential))
    buffer = io.BytesIO()
    env = _environment()
    env.range_left = MAX_RANGE_TOTAL  # the limit is on one document's rendering
    with _template_errors(template), _time_limit(template.name):
        fill(plan, context, buffer, properties)
    target.write(buffer.getvalue())


def warm_up() -> None:
    """Compile the packaged templates now (before a batch forks its workers)."""
    from sos_reports.kinds import KINDS

    for kind in KINDS.values():
        path = packaged_template(kind.template)
        with contextlib.suppress(TemplateError):
            _plan(path, _template_bytes(path))
    path = packaged_template("annex/confidential-annex.docx")
    with contextlib.suppress(TemplateError):
        _plan(path, _template_bytes(path))


# Plans kept per thread (a plan's Jinja code belongs to that thread's environment), by the
# checksum of the template's bytes: a template edited between reports is compiled again.
_local = threading.local()
MAX_PLANS = 32


def _environment() -> ReportEnvironment:
    """This thread's environment, made again (with new plans) if the cache folder changed."""
    from sos_reports.support import cache

    where = cache.cache_dir()
    env: ReportEnvironment | None = getattr(_local, "env", None)
    if env is None or getattr(_local, "cache_dir", None) != where:
        env = _local.env = environment()
        _local.cache_dir = where
        _local.plans = {}
    return env


def _template_bytes(template: Path) -> bytes:
    try:
        return Path(template).read_bytes()
    except OSError:
        raise TemplateError(f"{template} is not a Word document (.docx)") from None


def _plan(template: Path, data: bytes) -> Any:
    """The compiled plan of a template, or None for one that docxtpl must fill itself.

    A plan is made once per template by docxtpl and python-docx, kept in this thread for
    the next report and in the cache folder for the next run, so that a run with a template
    it has filled before imports neither.
    """
    from sos_reports.documents.compiled import NotCovered, Plan, make_plan

    env = _environment()
    plans: dict[str, Any] = _local.plans
    key = hashlib.sha256(data).hexdigest()
    if key in plans:
        return plans[key]
    kept = _kept_plans()
    plan: Plan | None = None
    if kept is not None:
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
            plan = Plan.from_json((kept / f"{key}.json").read_text("utf-8"))
    if plan is None:
        check_docx(template)
        try:
            plan = make_plan(data, _CONFIDENTIAL_NAMES)
        except NotCovered:
            plan = None
        if plan is not None and kept is not None:
            _keep(kept / f"{key}.json", plan.to_json())
    if plan is not None:
        plan = plan.compile(env)
    if len(plans) >= MAX_PLANS:
        plans.pop(next(iter(plans)))
    plans[key] = plan
    return plan


def _kept_plans() -> Path | None:
    """The cache folder of plans, named for what makes a plan: the versions of this package,
    of Jinja, and of the installed docxtpl and python-docx (told by their files)."""
    import importlib.util

    from sos_reports import __version__
    from sos_reports.documents.compiled import FORMAT
    from sos_reports.support import cache

    marks = []
    for package in ("docxtpl", "docx"):
        spec = importlib.util.find_spec(package)
        if spec is None or spec.origin is None:
            return None
        info = os.stat(spec.origin)
        marks.append(f"{info.st_size}-{info.st_mtime_ns}")
    stamp = hashlib.sha256("|".join(marks).encode()).hexdigest()[:12]
    return cache.folder(f"plans-{__version__}-{FORMAT}-jinja{jinja2.__version__}-{stamp}")


def _keep(path: Path, text: str) -> None:
    with contextlib.suppress(OSError):
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temp, path)


@contextlib.contextmanager
def _template_errors(template: Path) -> Iterator[None]:
    """Every way filling a template fails, as a TemplateError that says what to do."""
    try:
        yield
    except SecurityError as exc:
        raise TemplateError(
            f"{template.name} tries something a report template may not do ({exc}); "
            "templates can print the report's values, not run code"
        ) from None
    except jinja2.UndefinedError as exc:
        raise TemplateError(
            f"{template.name} uses a value the report's data does not have ({exc}); "
            "`sos-reports schema KIND` lists the fields"
        ) from None
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"{template.name} has a template syntax error: {exc.message}") from None
    except TemplateError:
        raise
    except MemoryError:
        raise TemplateError(
            f"{template.name} asks for more memory than a report needs; nothing was written"
        ) from None
    except Exception as exc:  # docxtpl and lxml fail in many ways on a broken template
        raise TemplateError(f"{template.name} could not be filled: {exc}") from None


def render_docxtpl(
    template: Path,
    context: dict[str, Any],
    target: IO[bytes],
    *,
    properties: dict[str, Any],
    family_copy: bool,
) -> None:
    """`render` the way docxtpl fills a template, each time from the file: the reference the
    compiled path is proved against, and the path of templates it does not cover."""
    from docxtpl import DocxTemplate

    check_docx(template)
    with _template_errors(template):
        doc = DocxTemplate(str(template))
        if family_copy:
            _refuse_confidential_names(doc, template)
        with _time_limit(template.name):
            doc.render(context, jinja_env=environment(), autoescape=True)
    _tidy(doc.docx)
    _set_properties(doc.docx, properties)
    buffer = io.BytesIO()
    doc.save(buffer)
    target.write(buffer.getvalue())


def _confidential_message(template: Path, name: str) -> str:
    return (
        f"{template.name} asks for `{name}`, which is confidential: it goes only "
        "into the confidential annex, never into the report the family sees"
    )


def _refuse_confidential_names(doc: Any, template: Path) -> None:
    doc.init_docx()
    parts = [doc.get_xml()]
    for uri in (doc.HEADER_URI, doc.FOOTER_URI):
        parts += [doc.get_part_xml(part) for _, part in doc.get_headers_footers(uri)]
    text = re.sub(r"<[^>]+>", "", "".join(parts))
    found = _CONFIDENTIAL_NAMES.search(text)
    if found:
        raise TemplateError(_confidential_message(template, found.group(0)))


def _tidy(docx: Any) -> None:
    """The schema's element order where docxtpl leaves its own (`{% cellbg %}` shading)."""
    from docx.opc.part import XmlPart

    from sos_reports.support.ooxml import order_cell_properties

    for part in docx.part.package.iter_parts():
        if isinstance(part, XmlPart):
            order_cell_properties(part.element)


def _set_properties(docx: Any, properties: dict[str, Any]) -> None:
    """Plain-text properties, set after rendering (docxtpl would escape them twice)."""
    from sos_reports.support.ooxml import reset_core_properties

    reset_core_properties(
        docx.core_properties,
        title=properties.get("title", ""),
        author=properties.get("author", ""),
        subject=properties.get("subject", ""),
        when=dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None),
    )
