"""Does a raw JSON answer conform to the official SDK's response-body model? (standard library + the SDK)

    from model_check import check_against_model, model_for
    problems = check_against_model(json.loads(raw), model_for("DescribeSuspEvents"))
    assert problems == [], "\\n".join(problems)

`check_against_model(body, model_cls)` walks the body and the Tea model class together, through nested
models, lists and maps, and returns one human-readable line per mismatch (an empty list = conforms):

* a field the model declares is absent from the body                  `SuspEvents[0].Id: missing (int)`
* the body carries a field the model does not declare                 `SuspEvents[0].Foo: not declared by ...`
* a value's JSON type differs from the model's annotation             `Count: expected integer (int), got string "3"`

Type rules (value as produced by `json.loads`): `str` -> string; `int` -> integer, never a bool; `float` ->
number (an integer is a number too), never a bool; `bool` -> boolean; `List[X]` -> array whose every item
is an X; `Dict[str, X]` -> object whose every value is an X; a nested model -> object, checked recursively;
`Any` -> anything. JSON `null` is reported as a type mismatch unless `allow_null=True`: the models' from_map
silently drops nulls, so a null where a value is declared is what a client would see as "missing".

How wire names are found (the robust part). The generated models keep the Python attribute names in
`__init__`'s signature (with string annotations, `from __future__ import annotations`) and the wire names
only inside `to_map()`/`from_map()` code, and the two are not mechanically related (`cluster_id` ->
`clusterId` but `k_8s_cluster_id` -> `K8sClusterId`). So for each attribute the model is instantiated with
that attribute alone set to a sample of its annotated type, and `to_map()` is compared with the empty
instance's `to_map()`: the one key that appears or changes is the attribute's wire name. (A plain
`to_map()` of the empty instance is not enough: it always writes `Name: []` for a list of models and
`Name: {}` for a map of models, and says nothing about scalar fields.) The pairing is then confirmed by a
round trip through `from_map()`, so a model whose to_map and from_map disagreed would raise instead of
silently checking the wrong key. Results are cached per class.
"""
from __future__ import annotations

import functools
import inspect
import json
import re
from typing import Any

from alibabacloud_sas20181203 import models as _models

__all__ = ["check_against_model", "model_for", "model_fields", "ModelIntrospectionError"]


class ModelIntrospectionError(Exception):
    """The model class could not be read (an annotation or a to_map/from_map this module does not know)."""


# --- annotations ----------------------------------------------------------------------------------------

def _split_args(s: str) -> list[str]:
    """'str, List[int]' -> ['str', 'List[int]'] (top-level commas only)."""
    out, depth, cur = [], 0, ""
    for ch in s:
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        if ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
    out.append(cur.strip())
    return out


@functools.lru_cache(maxsize=None)
def _parse_annotation(ann: str):
    """Annotation string -> ('scalar', 'str'|'int'|'float'|'bool') | ('any',) | ('list', t) | ('dict', t)
    | ('model', cls)."""
    ann = ann.strip()
    if ann in ("str", "int", "float", "bool"):
        return ("scalar", ann)
    if ann in ("Any", "object"):
        return ("any",)
    m = re.fullmatch(r"List\[(.+)\]", ann)
    if m:
        return ("list", _parse_annotation(m.group(1)))
    m = re.fullmatch(r"Dict\[(.+)\]", ann)
    if m:
        args = _split_args(m.group(1))
        if len(args) != 2:
            raise ModelIntrospectionError(f"unsupported annotation {ann!r}")
        return ("dict", _parse_annotation(args[1]))
    m = re.fullmatch(r"(?:main_models\.)?([A-Za-z_][A-Za-z0-9_]*)", ann)
    if m and isinstance(getattr(_models, m.group(1), None), type):
        return ("model", getattr(_models, m.group(1)))
    raise ModelIntrospectionError(f"unsupported annotation {ann!r}")


def _describe(t) -> str:
    kind = t[0]
    if kind == "scalar":
        return t[1]
    if kind == "any":
        return "Any"
    if kind == "list":
        return f"List[{_describe(t[1])}]"
    if kind == "dict":
        return f"Dict[str, {_describe(t[1])}]"
    return t[1].__name__


def _sample(t):
    kind = t[0]
    if kind == "scalar":
        return {"str": "s", "int": 1, "float": 1.5, "bool": True}[t[1]]
    if kind == "any":
        return "s"
    if kind == "list":
        return [_sample(t[1])]
    if kind == "dict":
        return {"k": _sample(t[1])}
    return t[1]()  # an empty nested model: its to_map() is {}, which is enough to reveal the key


# --- model introspection ----------------------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def model_fields(model_cls) -> tuple:
    """((wire_name, attr, parsed annotation), ...) in declaration order. See the module docstring."""
    fields = []
    params = [p for n, p in inspect.signature(model_cls.__init__).parameters.items() if n != "self"]
    base = model_cls().to_map() or {}
    for p in params:
        if not isinstance(p.annotation, str):
            raise ModelIntrospectionError(f"{model_cls.__name__}.{p.name}: annotation {p.annotation!r}")
        t = _parse_annotation(p.annotation)
        full = model_cls(**{p.name: _sample(t)}).to_map() or {}
        keys = [k for k in full if k not in base or full[k] != base[k]]
        if len(keys) != 1:
            raise ModelIntrospectionError(f"{model_cls.__name__}.{p.name}: to_map() changed keys {keys}")
        wire = keys[0]
        back = model_cls().from_map({wire: full[wire]})
        if getattr(back, p.name, None) in (None, [], {}):
            raise ModelIntrospectionError(
                f"{model_cls.__name__}.{p.name}: from_map() does not read {wire!r} back into it")
        fields.append((wire, p.name, t))
    wires = [f[0] for f in fields]
    if len(set(wires)) != len(wires):
        raise ModelIntrospectionError(f"{model_cls.__name__}: duplicate wire names {wires}")
    return tuple(fields)


def model_for(action: str):
    """The response-body model class of an action, e.g. model_for("DescribeSuspEvents") ->
    models.DescribeSuspEventsResponseBody. Found through the action's `<Action>Response` model (its `body`
    field's annotation), falling back to the `<Action>ResponseBody` naming convention."""
    response = getattr(_models, f"{action}Response", None)
    if isinstance(response, type):
        params = inspect.signature(response.__init__).parameters
        if "body" in params and isinstance(params["body"].annotation, str):
            t = _parse_annotation(params["body"].annotation)
            if t[0] == "model":
                return t[1]
    body = getattr(_models, f"{action}ResponseBody", None)
    if isinstance(body, type):
        return body
    raise KeyError(f"no response-body model for action {action!r} in alibabacloud_sas20181203.models")


# --- the check ----------------------------------------------------------------------------------------------

_JSON_KIND = {bool: "boolean", int: "integer", float: "number", str: "string", list: "array", dict: "object",
              type(None): "null"}
_EXPECT = {"str": "string", "int": "integer", "float": "number", "bool": "boolean"}


def _kind(v) -> str:
    return _JSON_KIND.get(type(v), type(v).__name__)


def _show(v) -> str:
    s = json.dumps(v, ensure_ascii=False, default=str)
    return s if len(s) <= 60 else s[:57] + "..."


def _child(path: str, name: str) -> str:
    return name if not path else f"{path}.{name}"


def _check_value(value, t, path: str, out: list, allow_null: bool, allow_missing: bool) -> None:
    if value is None:
        if not allow_null:
            out.append(f"{path}: expected {_expected(t)} ({_describe(t)}), got null")
        return
    kind = t[0]
    if kind == "any":
        return
    if kind == "scalar":
        name = t[1]
        ok = {
            "str": isinstance(value, str),
            "int": isinstance(value, int) and not isinstance(value, bool),
            "float": isinstance(value, (int, float)) and not isinstance(value, bool),
            "bool": isinstance(value, bool),
        }[name]
        if not ok:
            out.append(f"{path}: expected {_EXPECT[name]} ({name}), got {_kind(value)} {_show(value)}")
        return
    if kind == "list":
        if not isinstance(value, list):
            out.append(f"{path}: expected array ({_describe(t)}), got {_kind(value)} {_show(value)}")
            return
        for i, item in enumerate(value):
            _check_value(item, t[1], f"{path}[{i}]", out, allow_null, allow_missing)
        return
    if kind == "dict":
        if not isinstance(value, dict):
            out.append(f"{path}: expected object ({_describe(t)}), got {_kind(value)} {_show(value)}")
            return
        for k, v in value.items():
            _check_value(v, t[1], f"{path}[{json.dumps(k, ensure_ascii=False)}]", out, allow_null, allow_missing)
        return
    _check_model(value, t[1], path, out, allow_null, allow_missing)


def _expected(t) -> str:
    if t[0] == "scalar":
        return _EXPECT[t[1]]
    return {"any": "anything", "list": "array", "dict": "object", "model": "object"}[t[0]]


def _check_model(value, model_cls, path: str, out: list, allow_null: bool, allow_missing: bool) -> None:
    if not isinstance(value, dict):
        out.append(f"{path or '<body>'}: expected object ({model_cls.__name__}), got {_kind(value)} {_show(value)}")
        return
    fields = model_fields(model_cls)
    declared = {wire for wire, _, _ in fields}
    for wire, _attr, t in fields:
        p = _child(path, wire)
        if wire not in value:
            if not allow_missing:
                out.append(f"{p}: missing ({_describe(t)})")
            continue
        _check_value(value[wire], t, p, out, allow_null, allow_missing)
    for key in value:
        if key not in declared:
            out.append(f"{_child(path, key)}: not declared by {model_cls.__name__} (value {_show(value[key])})")


def check_against_model(body: dict, model_cls, *, allow_null: bool = False,
                        allow_missing: bool = False) -> list[str]:
    """Mismatches between `body` (a parsed JSON answer) and the Tea model class `model_cls`; [] = conforms.

    Paths read like `SuspEvents[0].Details[1].Type`; see the module docstring for the rules.
    `allow_missing=True` skips the "declared but absent" check (extra fields and types are still checked).
    """
    out: list[str] = []
    _check_model(body, model_cls, "", out, allow_null, allow_missing)
    return out


def conforming_example(model_cls) -> dict[str, Any]:
    """A body that conforms to `model_cls`: every field present, one item per list/map (for tests)."""
    def build(t, depth):
        kind = t[0]
        if kind == "scalar":
            return {"str": "x", "int": 1, "float": 1.5, "bool": False}[t[1]]
        if kind == "any":
            return "x"
        if kind == "list":
            return [build(t[1], depth + 1)] if depth < 8 else []
        if kind == "dict":
            return {"k": build(t[1], depth + 1)} if depth < 8 else {}
        return {wire: build(ft, depth + 1) for wire, _, ft in model_fields(t[1])}
    return build(("model", model_cls), 0)
