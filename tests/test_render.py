"""Templates: sandboxed, strict, errors with file and line, workspace overrides."""

from __future__ import annotations

import pytest
from conftest import write

from konpfoi.errors import InvalidInput, NotFound, Unsafe
from konpfoi.letters import templates


@pytest.fixture
def tdir(tmp_path):
    return tmp_path / "templates"


def _templates(tdir):
    return templates.Templates(templates.search_path(tdir))


def test_subject_and_text(tdir) -> None:
    write(tdir / "t.j2", "{% set subject = 'Hello ' ~ name %}\nDear {{ name }},\n")
    out = _templates(tdir).render("t", {"name": "Jo"})
    assert out.subject == "Hello Jo"
    assert out.text == "Dear Jo,\n"


def test_undefined_variable_names_template_and_line(tdir) -> None:
    write(tdir / "t.j2", "line one\nline two {{ body.nmae }}\n")
    with pytest.raises(InvalidInput) as exc:
        _templates(tdir).render("t", {"body": {"name": "X"}})
    assert exc.value.message.startswith(f"template {tdir / 't.j2'}:2:")
    assert "nmae" in exc.value.message


def test_syntax_error_names_line(tdir) -> None:
    write(tdir / "t.j2", "ok\n{% if x %}\nno end\n")
    with pytest.raises(InvalidInput) as exc:
        _templates(tdir).render("t", {"x": 1})
    assert ":4:" in exc.value.message or ":3:" in exc.value.message


@pytest.mark.parametrize("source", [
    "{{ ''.__class__.__mro__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__.os }}",
    "{{ 'x' * 100000000 }}",
    "{{ 10 ** 1000000 }}",
])
def test_reaching_python_internals_is_refused(tdir, source: str) -> None:
    write(tdir / "t.j2", "first line\n" + source + "\n")
    with pytest.raises(Unsafe) as exc:
        _templates(tdir).render("t", {})
    assert "refused as unsafe" in exc.value.message
    assert ":2:" in exc.value.message


def test_workspace_template_overrides_packaged_by_name(tdir) -> None:
    write(tdir / "foi-request.j2", "{#\ndescription: mine\nkind: request\n#}\nMine\n")
    t = _templates(tdir)
    info = t.info("foi-request")
    assert info.overrides and info.description == "mine"
    assert t.render("foi-request", {}).text.strip() == "Mine"


def test_unknown_template_lists_the_real_ones(tdir) -> None:
    with pytest.raises(NotFound) as exc:
        _templates(tdir).render("foi-reqest", {})
    assert "did you mean foi-request" in exc.value.hint


def test_cli_templates_list_and_show(run) -> None:
    names = {t["name"] for t in run.json("templates", "list")}
    assert {"foi-request", "foi-request-foisa"} <= names
    assert "Freedom of Information Act 2000" in run("templates", "show", "foi-request").stdout
    assert "foi-request" in run("templates", "show", "nope", code=3).stderr
