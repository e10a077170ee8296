"""The sandbox shared templates render in: Jinja2's own, plus limits on time, size and work.

Templates are passed between groups, so a template must not be able to hang or exhaust the
machine. Jinja2's sandbox already keeps a template away from Python's internals; this adds:

- a budget per render: at most MAX_SECONDS of wall-clock time and MAX_TURNS loop turns (every
  `for` is counted, through a guard the compiler puts round its iterable) and calls;
- size caps: no string, and no text a value turns into, past MAX_TEXT characters; no list past
  MAX_ITEMS; no whole number past MAX_INT_BITS; no width, count or precision past MAX_WIDTH —
  each checked before the work is done, so that they cannot be chained past (`(9**99)**99`,
  `s ~ s` in a loop, `"x".center(2000000000)`, `replace` doubling, `indent(50000)`);
- recursion (a macro calling itself) ends as a template error, with the template's line.

Every limit is far beyond what a real letter needs: the packaged templates render in about a
tenth of a millisecond and a few kilobytes.
"""

from __future__ import annotations

import contextlib
import functools
import operator
import re
import string
import time
from collections.abc import Callable, Collection, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment
from jinja2.utils import Namespace
from jinja2.visitor import NodeTransformer

MAX_SECONDS = 5.0  # one render
MAX_TURNS = 1_000_000  # loop turns and calls in one render
MAX_TEXT = 1_000_000  # characters: a value, a rendered letter (a letter is a few thousand)
MAX_ITEMS = 100_000  # entries in one list, mapping or set
MAX_INT_BITS = 10_000  # about 3,000 digits
MAX_WIDTH = 10_000  # a width, count, precision or number of slices
MAX_SOURCE = 1_000_000  # bytes in a template file

_TURNS = "konpfoi_turns"  # the guard round every loop's iterable
_TEXT = "konpfoi_text"  # the guard on every value turned into text


class TemplateLimit(SecurityError):
    """A template went past one of the sandbox's limits."""


@dataclass
class _Budget:
    deadline: float
    turns: int = 0


_budget: ContextVar[_Budget | None] = ContextVar("konpfoi_template_budget", default=None)


def _tick() -> None:
    budget = _budget.get()
    if budget is None:
        return
    budget.turns += 1
    if budget.turns > MAX_TURNS:
        raise TemplateLimit(f"more than {MAX_TURNS:,} loop turns and calls")
    if budget.turns & 15 == 0 and time.monotonic() > budget.deadline:
        raise TemplateLimit(f"more than {MAX_SECONDS:g} seconds of work")


@contextlib.contextmanager
def budget() -> Iterator[None]:
    """A fresh budget for one render."""
    token = _budget.set(_Budget(time.monotonic() + MAX_SECONDS))
    try:
        yield
    finally:
        _budget.reset(token)


def check_output(chunks: Iterator[str]) -> str:
    """Join a template's output, stopping it past MAX_TEXT characters."""
    out: list[str] = []
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > MAX_TEXT:
            raise TemplateLimit(f"output longer than {MAX_TEXT:,} characters")
        out.append(chunk)
    return "".join(out)


# -- sizes ----------------------------------------------------------------------------------------


def text_size(value: Any, limit: int = MAX_TEXT) -> int:
    """About how many characters `value` becomes as text (stopping once past `limit`): a list
    holding the same long string many times, nested, is long as text though cheap to build."""
    total = 0
    stack = [value]
    pop, push = stack.pop, stack.extend
    seen = 0
    while stack and total <= limit:
        v = pop()
        kind = type(v)
        if kind is str:
            total += len(v) + 2
        elif kind is int:
            total += (v.bit_length() >> 2) + 2
        elif kind in _SEQUENCES:
            total += 2 + 2 * len(v)
            push(v)
        elif kind is dict:
            total += 2 + 4 * len(v)
            push(v.keys())
            push(v.values())
        elif kind in _SCALARS:
            total += 8
        elif isinstance(v, str):
            total += len(v) + 2
        elif isinstance(v, (bytes, bytearray)):
            total += 4 * len(v) + 3
        elif isinstance(v, Namespace):
            stack.append(object.__getattribute__(v, "_Namespace__attrs"))
        elif isinstance(v, Mapping):
            total += 2 + 4 * len(v)
            push(v.keys())
            push(v.values())
        elif isinstance(v, Collection):
            total += 2 + 2 * len(v)
            push(v)
        else:
            total += 24
        seen += 1
        if seen & 0xFFFF == 0:
            _tick()  # a long walk still keeps to the time limit
    return total


_SEQUENCES = (list, tuple, set, frozenset)
_SCALARS = (float, bool, type(None))


def check_text(value: Any) -> Any:
    """`value`, if it can be turned into text within MAX_TEXT characters."""
    if isinstance(value, str):
        if len(value) > MAX_TEXT:
            raise TemplateLimit(f"a text longer than {MAX_TEXT:,} characters")
    elif not isinstance(value, (int, float)) and text_size(value) > MAX_TEXT:
        raise TemplateLimit(f"a value longer than {MAX_TEXT:,} characters as text")
    return value


def _check_built(value: Any) -> Any:
    """A value a call or filter returned: within the size caps."""
    if isinstance(value, (str, bytes, bytearray)):
        if len(value) > MAX_TEXT:
            raise TemplateLimit(f"a text longer than {MAX_TEXT:,} characters")
    elif isinstance(value, (list, tuple, dict, set, frozenset)):
        if len(value) > MAX_ITEMS:
            raise TemplateLimit(f"a list of more than {MAX_ITEMS:,} entries")
    elif isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise TemplateLimit(f"a number of more than {MAX_INT_BITS:,} bits")
    return value


def _width(value: Any, what: str = "width") -> None:
    if isinstance(value, int) and abs(value) > MAX_WIDTH:
        raise TemplateLimit(f"a {what} over {MAX_WIDTH:,}")


def _args(args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
    for a in (*args, *kwargs.values()):
        if not isinstance(a, (str, int, float)) and a is not None:
            check_text(a)


# -- format strings -------------------------------------------------------------------------------

_PERCENT = re.compile(r"%(?:\([^)]*\))?[#0 +\-]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?[a-zA-Z%]")


def _number(digits: str) -> None:
    if len(digits) > 5 or int(digits) > MAX_WIDTH:
        raise TemplateLimit(f"a format width or precision over {MAX_WIDTH:,}")


def check_percent(fmt: str, args: Any) -> None:
    """'%*d' % ... and '%.99999f' % ...: widths and precisions within MAX_WIDTH."""
    stars = False
    for m in _PERCENT.finditer(fmt):
        for g in m.groups():
            if g == "*":
                stars = True
            elif g:
                _number(g)
    if stars:
        for a in args if isinstance(args, tuple) else (args,):
            _width(a)
    check_text(args)


def check_format(fmt: str) -> None:
    """'{:>99999}'.format(...): widths within MAX_WIDTH; no nested replacement fields."""
    for _, _, spec, _ in string.Formatter().parse(fmt):
        if spec:
            if "{" in spec:
                raise TemplateLimit("a format specification taken from a value")
            for digits in re.findall(r"\d+", spec):
                _number(digits)


# -- methods and filters that make more than they are given ----------------------------------------

_MUTATORS = frozenset({"append", "extend", "insert", "update", "setdefault", "add",
                       "__setitem__"})


def _replaced_size(s: Any, old: Any, new: Any, count: Any = -1) -> int:
    if not isinstance(s, (str, bytes)) or not isinstance(new, (str, bytes)):
        return 0
    n = (len(s) + 1) if not old else s.count(old)
    if isinstance(count, int) and count >= 0:
        n = min(n, count)
    return len(s) + n * max(0, len(new) - len(old or ""))


def _precheck_method(name: str, owner: Any, args: tuple[Any, ...],
                     kwargs: Mapping[str, Any]) -> None:
    if name in ("center", "ljust", "rjust", "zfill") and args:
        _width(args[0])
    elif name == "expandtabs":
        size = (args[0] if args else kwargs.get("tabsize", 8))
        if isinstance(size, int) and isinstance(owner, (str, bytes)) \
                and len(owner) * max(size, 1) > MAX_TEXT:
            _width(MAX_WIDTH + 1, "tab size")
    elif name == "replace" and len(args) >= 2:
        if _replaced_size(owner, args[0], args[1], args[2] if len(args) > 2 else -1) > MAX_TEXT:
            raise TemplateLimit(f"a text longer than {MAX_TEXT:,} characters (by replace)")
    elif name == "join" and args:
        items = list(args[0]) if isinstance(args[0], Collection) else []
        if text_size(items) + len(items) * len(owner) > MAX_TEXT:
            raise TemplateLimit(f"a joined text longer than {MAX_TEXT:,} characters")
    elif name in ("format", "format_map") and isinstance(owner, str):
        check_format(owner)
    elif name == "to_bytes":
        _width(args[0] if args else kwargs.get("length"), "length")


def _guard_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """A filter that checks what it is given and what it makes."""

    skip = 1 if getattr(func, "jinja_pass_arg", None) else 0  # the environment or context

    @functools.wraps(func)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        _tick()
        values = args[skip:]
        _args(values, kwargs)
        _precheck_filter(name, list(values), kwargs)
        return _check_built(func(*args, **kwargs))

    return guarded


def _precheck_filter(name: str, args: list[Any], kwargs: Mapping[str, Any]) -> None:
    def arg(n: int, key: str, default: Any = None) -> Any:
        return args[n] if len(args) > n else kwargs.get(key, default)

    if name in ("center", "indent", "batch", "slice"):
        _width(arg(1, {"center": "width", "indent": "width", "batch": "linecount",
                       "slice": "slices"}[name]))
    if name == "indent":
        width, text = arg(1, "width", 4), str(arg(0, "s", ""))
        pad = len(width) if isinstance(width, str) else width if isinstance(width, int) else 0
        if (text.count("\n") + 1) * pad + len(text) > MAX_TEXT:
            raise TemplateLimit(f"an indented text longer than {MAX_TEXT:,} characters")
    elif name == "wordwrap":
        text, width = str(arg(0, "s", "")), arg(1, "width", 79)
        wrap = arg(3, "wrapstring", "\n")
        lines = len(text) // max(width if isinstance(width, int) else 1, 1) + text.count(" ") + 1
        if isinstance(wrap, str) and len(text) + lines * len(wrap) > 4 * MAX_TEXT:
            raise TemplateLimit(f"a wrapped text longer than {MAX_TEXT:,} characters")
    elif name == "replace":
        if _replaced_size(str(arg(0, "s", "")), arg(1, "old"), arg(2, "new"),
                          arg(3, "count", -1)) > MAX_TEXT:
            raise TemplateLimit(f"a text longer than {MAX_TEXT:,} characters (by replace)")
    elif name == "format" and isinstance(arg(0, "value"), str):
        check_percent(arg(0, "value"), tuple(args[1:]))
    elif name in ("round", "truncate", "filesizeformat", "int"):
        pass  # bounded by what they are given


# -- the compiler: a guard round every loop and every join of text --------------------------------


class _Guards(NodeTransformer):
    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        node.iter = nodes.Filter(node.iter, _TURNS, [], [], None, None, lineno=node.lineno)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        node.nodes = [nodes.Filter(n, _TEXT, [], [], None, None, lineno=node.lineno)
                      for n in node.nodes]
        return nodes.Filter(node, _TEXT, [], [], None, None, lineno=node.lineno)

    def visit_AssignBlock(self, node: nodes.AssignBlock) -> nodes.Node:
        self.generic_visit(node)
        node.filter = nodes.Filter(node.filter, _TEXT, [], [], None, None, lineno=node.lineno)
        return node


class _GuardedCode(CodeGenerator):
    def visit_Template(self, node: nodes.Template, frame: Frame | None = None) -> None:
        _Guards().visit(node)
        super().visit_Template(node, frame)


def _turns(iterable: Any) -> Iterator[Any]:
    for value in iterable:
        _tick()
        yield value


class Sandbox(SandboxedEnvironment):
    """Jinja2's sandbox with konpfoi's limits (see the module's docstring)."""

    code_generator_class = _GuardedCode
    intercepted_binops = frozenset(["*", "**", "+", "%"])

    def __init__(self, **options: Any) -> None:
        super().__init__(finalize=check_text, **options)
        self.globals.pop("lipsum", None)  # lipsum(n=...) writes as much as it is asked to
        self.filters = {name: _guard_filter(name, f) for name, f in self.filters.items()}
        self.filters[_TURNS] = _turns
        self.filters[_TEXT] = check_text

    def call_binop(self, context: Any, operator_name: str, left: Any, right: Any) -> Any:
        _tick()
        if operator_name == "**":
            if isinstance(left, int) and isinstance(right, int) and right > 0 and \
                    max(left.bit_length(), 1) * right > MAX_INT_BITS:
                raise TemplateLimit(f"a power of more than {MAX_INT_BITS:,} bits")
            return _check_built(operator.pow(left, right))
        if operator_name == "%":
            if isinstance(left, str):
                check_percent(left, right)
            return _check_built(operator.mod(left, right))
        if operator_name == "+":
            if isinstance(left, (str, list, tuple)) and isinstance(right, type(left)):
                limit = MAX_TEXT if isinstance(left, str) else MAX_ITEMS
                if len(left) + len(right) > limit:
                    raise TemplateLimit(f"a value larger than {limit:,}")
            return operator.add(left, right)
        for seq, n in ((left, right), (right, left)):
            if isinstance(seq, (str, bytes, list, tuple)) and isinstance(n, int):
                limit = MAX_TEXT if isinstance(seq, (str, bytes)) else MAX_ITEMS
                if len(seq) * n > limit:
                    raise TemplateLimit(f"a repetition larger than {limit:,}")
        if isinstance(left, int) and isinstance(right, int) and \
                left.bit_length() + right.bit_length() > MAX_INT_BITS:
            raise TemplateLimit(f"a product of more than {MAX_INT_BITS:,} bits")
        return operator.mul(left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any,  # noqa: N805
             **kwargs: Any) -> Any:
        _tick()
        _args(args, kwargs)
        target = getattr(__obj, "__wrapped__", __obj)  # str.format comes wrapped
        owner = getattr(target, "__self__", None)
        name = getattr(target, "__name__", "")
        if owner is not None:
            _precheck_method(name, owner, args, kwargs)
        result = SandboxedEnvironment.call(__self, __context, __obj, *args, **kwargs)
        if name in _MUTATORS and isinstance(owner, (list, dict, set)):
            _check_built(owner)
        return _check_built(result)
