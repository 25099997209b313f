"""Renders a Word template with docxtpl, always sandboxed, autoescaped and strict.

A template, packaged or a user's own, can neither run code (Jinja's immutable sandbox, and
a cap on the size of strings and lists it builds) nor print a blank where a value is
missing (StrictUndefined): both are a TemplateError that names the problem.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import zipfile
from importlib import resources
from pathlib import Path
from typing import IO, Any

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from sos_reports.errors import TemplateError

# Far beyond what a report prints, far below what exhausts memory.
MAX_BUILT = 1_000_000
# A .docx is XML compressed about tenfold; a file claiming far more is refused unopened.
MAX_UNZIPPED = 64 * 1024 * 1024
MAX_RATIO = 200

PACKAGED = "sos_reports.templates"


class ReportEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox, with a cap on the strings and lists that `*` and `**` can build."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int) and abs(right) > 100:
            raise SecurityError("a power that large is not allowed in a template")
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                sized = isinstance(seq, (str, list, tuple)) and isinstance(times, int)
                if sized and len(seq) * times > MAX_BUILT:
                    raise SecurityError("a template may not build a value that large")
        return super().call_binop(context, operator, left, right)

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
    from sos_reports import cache

    env = ReportEnvironment(autoescape=True, undefined=jinja2.StrictUndefined)
    compiled = cache.folder(f"templates-jinja{jinja2.__version__}-sandbox1")
    if compiled is not None:
        env.bytecode_cache = jinja2.FileSystemBytecodeCache(str(compiled))
    for risky in ("center", "indent", "wordwrap"):  # each can pad a value to any size
        env.filters.pop(risky, None)
    return env


def packaged_template(name: str) -> Path:
    """The path of a template shipped in the package, e.g. `icpc/report.docx`."""
    resource = resources.files(PACKAGED).joinpath(name)
    if not resource.is_file():
        raise TemplateError(f"the packaged template {name} is missing from this installation")
    return Path(str(resource))


def check_docx(path: Path) -> None:
    """Refuse, before opening it, a file that is not a Word document or would unpack huge."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
    except (zipfile.BadZipFile, OSError):
        raise TemplateError(f"{path} is not a Word document (.docx)") from None
    if "word/document.xml" not in names:
        raise TemplateError(f"{path} is not a Word document (.docx): it has no document part")
    total = sum(info.file_size for info in infos)
    packed = sum(info.compress_size for info in infos) or 1
    if total > MAX_UNZIPPED or total / packed > MAX_RATIO:
        raise TemplateError(
            f"{path} would unpack to {total // 1024 // 1024} MB; it is not a report template"
        )


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
    """Render `template` with `context` into `target`, then set the document properties."""
    from docxtpl import DocxTemplate

    check_docx(template)
    try:
        doc = DocxTemplate(str(template))
        if family_copy:
            _refuse_confidential_names(doc, template)
        doc.render(context, jinja_env=environment(), autoescape=True)
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
    except Exception as exc:  # docxtpl and lxml fail in many ways on a broken template
        raise TemplateError(f"{template.name} could not be filled: {exc}") from None
    _set_properties(doc.docx, properties)
    buffer = io.BytesIO()
    doc.save(buffer)
    target.write(buffer.getvalue())


def _refuse_confidential_names(doc: Any, template: Path) -> None:
    doc.init_docx()
    parts = [doc.get_xml()]
    for uri in (doc.HEADER_URI, doc.FOOTER_URI):
        parts += [doc.get_part_xml(part) for _, part in doc.get_headers_footers(uri)]
    text = re.sub(r"<[^>]+>", "", "".join(parts))
    found = _CONFIDENTIAL_NAMES.search(text)
    if found:
        raise TemplateError(
            f"{template.name} asks for `{found.group(0)}`, which is confidential: it goes only "
            "into the confidential annex, never into the report the family sees"
        )


def _set_properties(docx: Any, properties: dict[str, Any]) -> None:
    """Plain-text properties, set after rendering (docxtpl would escape them twice)."""
    props = docx.core_properties
    now = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
    props.title = properties.get("title", "")
    props.author = properties.get("author", "")
    props.last_modified_by = properties.get("author", "")
    props.subject = properties.get("subject", "")
    props.comments = ""
    props.keywords = ""
    props.category = ""
    props.language = "en-GB"
    props.revision = 1
    props.created = now
    props.modified = now
