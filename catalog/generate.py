#!/usr/bin/env python3
"""Generate the Sas 2018-12-03 action catalog from the pinned official Python SDK.

    python3 -m venv /tmp/catalog-venv
    /tmp/catalog-venv/bin/pip install -c tests/sdk/requirements.txt alibabacloud-sas20181203==10.3.2
    /tmp/catalog-venv/bin/python catalog/generate.py

Writes catalog/sas-2018-12-03.json (see catalog/README.md for the format and the rules).

How it works (standard library + the installed SDK only):

1. Parse ``alibabacloud_sas20181203/client.py`` with ``ast``. Every synchronous ``*with_options`` method
   that calls ``self.call_api`` is one operation (the ``*_with_sse`` twin of CreateFileDeepAnalyze and the
   ``*_async`` copies are ignored). Its statements are matched against the few shapes the generator emits:
   ``query['Wire'] = request.attr`` / ``body['Wire'] = request.attr`` (placement and wire name),
   ``request.attr_shrink = Utils.array_to_string_with_specified_style(tmp_req.attr, 'Wire', 'json'|'simple')``
   (shrink), ``query = Utils.query(request.to_map())`` (everything in the query, wire names from to_map), and
   ``Params(action=..., ...)``. Any other statement shape aborts the run: the script never guesses.
2. The request model (the annotation of the ``request``/``tmp_req`` argument) gives the parameters, in
   ``__init__`` declaration order, their types (the ``__init__`` annotations) and ``required`` (the field's
   comment block carries the generator's marker line ``# This parameter is required.``).
3. Cross-check by running the SDK itself: every operation is called with every field populated, with
   ``call_api`` replaced by a recorder, and the flattened query/form keys the SDK produced must be exactly
   the ones the catalog predicts (``Name``, ``Name.1``, ``Name.1.Sub``, ``Name.Key`` ...) and in the
   predicted place. Nothing leaves the process.
"""
from __future__ import annotations

import argparse
import ast
import hashlib
import importlib.metadata
import inspect
import json
import os
import re
import sys
from collections import Counter

DIST = "alibabacloud-sas20181203"
PINNED_VERSION = "10.3.2"
PINNED_COUNT = 965
PRODUCT = "Sas"
API_VERSION = "2018-12-03"
REQUIRED_MARKER = "# This parameter is required."
DEFAULT_OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sas-2018-12-03.json")

SCALARS = {"str": "string", "int": "integer", "float": "number", "bool": "boolean"}


class CatalogError(Exception):
    pass


# ---------------------------------------------------------------------------------------------------
# client.py: one operation per synchronous *with_options method
# ---------------------------------------------------------------------------------------------------

def _is_attr(node, obj, attr=None):
    return (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
            and node.value.id == obj and (attr is None or node.attr == attr))


def _call_name(node):
    """'Utils.query' for a Call on Utils.query, else None."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        f = node.func
        if isinstance(f.value, ast.Name):
            return f"{f.value.id}.{f.attr}"
        if isinstance(f.value, ast.Attribute) and isinstance(f.value.value, ast.Name):
            return f"{f.value.value.id}.{f.value.attr}.{f.attr}"
    return None


def _const(node):
    if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
        raise CatalogError(f"expected a string constant, got {ast.unparse(node)}")
    return node.value


def parse_operation(fn):
    """Read one *with_options method. Returns a dict or None when the method is not an operation."""
    if not any(_call_name(n) == "self.call_api" for n in ast.walk(fn)):
        return None
    where = f"client.py:{fn.lineno} {fn.name}"
    args = [a.arg for a in fn.args.args]
    op = {"function": fn.name, "request_arg": None, "request_cls": None, "shrink_cls": None,
          "placements": [], "shrinks": {}, "to_map_all": False, "containers": set(), "wired": set(),
          "params": None}
    if args == ["self", "runtime"]:
        pass
    elif len(args) == 3 and args[0] == "self" and args[2] == "runtime" and args[1] in ("request", "tmp_req"):
        ann = fn.args.args[1].annotation
        if not _is_attr(ann, "main_models"):
            raise CatalogError(f"{where}: unexpected request annotation {ast.unparse(ann)}")
        op["request_arg"], op["request_cls"] = args[1], ann.attr
    else:
        raise CatalogError(f"{where}: unexpected signature {args}")

    for st in fn.body:
        text = ast.unparse(st).splitlines()[0]
        if isinstance(st, ast.Expr) and _call_name(st.value) in ("request.validate", "tmp_req.validate"):
            continue
        if isinstance(st, ast.Expr) and _call_name(st.value) == "Utils.convert":
            continue
        if isinstance(st, ast.Return):
            continue
        if isinstance(st, ast.If):
            test = st.test
            ok = (isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not)
                  and _call_name(test.operand) == "DaraCore.is_null" and len(test.operand.args) == 1
                  and isinstance(test.operand.args[0], ast.Attribute) and len(st.body) == 1
                  and not st.orelse and isinstance(st.body[0], ast.Assign)
                  and len(st.body[0].targets) == 1)
            if not ok:
                raise CatalogError(f"{where}: unexpected if-statement {text}")
            checked = test.operand.args[0]
            target, value = st.body[0].targets[0], st.body[0].value
            if (isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name)
                    and target.value.id in ("query", "body")):
                if not (_is_attr(value, "request") and _is_attr(checked, "request", value.attr)):
                    raise CatalogError(f"{where}: unexpected placement {text}")
                op["placements"].append({"attr": value.attr, "wire": _const(target.slice),
                                         "in": target.value.id})
                continue
            if _is_attr(target, "request") and _call_name(value) == "Utils.array_to_string_with_specified_style":
                src, prefix, style = value.args
                if not (_is_attr(src, "tmp_req") and _is_attr(checked, "tmp_req", src.attr)
                        and target.attr == src.attr + "_shrink"):
                    raise CatalogError(f"{where}: unexpected shrink {text}")
                op["shrinks"][target.attr] = {"attr": src.attr, "prefix": _const(prefix), "style": _const(style)}
                continue
            raise CatalogError(f"{where}: unexpected assignment {text}")
        if isinstance(st, ast.Assign) and len(st.targets) == 1 and isinstance(st.targets[0], ast.Name):
            name, value = st.targets[0].id, st.value
            if name in ("query", "body") and isinstance(value, ast.Dict) and not value.keys:
                op["containers"].add(name)
                continue
            if (name == "query" and _call_name(value) == "Utils.query" and len(value.args) == 1
                    and _call_name(value.args[0]) == "request.to_map"):
                op["containers"].add("query")
                op["to_map_all"] = True
                continue
            if name == "request" and isinstance(value, ast.Call) and _is_attr(value.func, "main_models"):
                op["shrink_cls"] = value.func.attr
                continue
            if name == "req" and _call_name(value) == "open_api_util_models.OpenApiRequest":
                for kw in value.keywords:
                    expect = {"query": "Utils.query", "body": "Utils.parse_to_map"}.get(kw.arg)
                    if (expect is None or _call_name(kw.value) != expect or len(kw.value.args) != 1
                            or not isinstance(kw.value.args[0], ast.Name) or kw.value.args[0].id != kw.arg):
                        raise CatalogError(f"{where}: unexpected OpenApiRequest argument {ast.unparse(kw)}")
                    op["wired"].add(kw.arg)
                continue
            if name == "params" and _call_name(value) == "open_api_util_models.Params":
                op["params"] = {kw.arg: _const(kw.value) for kw in value.keywords}
                continue
        raise CatalogError(f"{where}: unexpected statement {text}")

    p = op["params"]
    if p is None:
        raise CatalogError(f"{where}: no Params(...)")
    expect = {"version": API_VERSION, "style": "RPC", "pathname": "/", "req_body_type": "formData",
              "body_type": "json"}
    for k, v in expect.items():
        if p.get(k) != v:
            raise CatalogError(f"{where}: Params {k}={p.get(k)!r}, expected {v!r}")
    if op["containers"] != op["wired"]:
        raise CatalogError(f"{where}: built {sorted(op['containers'])} but sent {sorted(op['wired'])}")
    if op["shrinks"] and op["request_arg"] != "tmp_req":
        raise CatalogError(f"{where}: shrink without tmp_req")
    if op["to_map_all"] and op["placements"]:
        raise CatalogError(f"{where}: to_map() query mixed with explicit placements")
    return op


def read_operations(client_path):
    tree = ast.parse(open(client_path, encoding="utf-8").read(), client_path)
    classes = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Client"]
    if len(classes) != 1:
        raise CatalogError("client.py: expected exactly one class Client")
    ops = {}
    for fn in classes[0].body:
        if not isinstance(fn, ast.FunctionDef) or not fn.name.endswith("with_options"):
            continue
        op = parse_operation(fn)
        if op is None:
            continue
        action = op["params"]["action"]
        if action in ops:
            raise CatalogError(f"action {action} defined twice ({ops[action]['function']}, {fn.name})")
        ops[action] = op
    return ops


# ---------------------------------------------------------------------------------------------------
# request models: field order, annotations, the required marker
# ---------------------------------------------------------------------------------------------------

# Description prose that says "required" without the marker (reported, not used: see README).
_PROSE_REQUIRED = re.compile(r"parameter is (actually |essentially )?required(\.|,| and| in practice)")
_CONDITION = re.compile(r"\b(if|when|If|When|only)\b")

_LIST = re.compile(r"^List\[(.+)\]$")
_DICT = re.compile(r"^Dict\[.+\]$")
_MODEL = re.compile(r"^main_models\.([A-Za-z0-9_]+)$")


def model_fields(cls):
    """[(attr, annotation string)] in __init__ declaration order."""
    sig = inspect.signature(cls.__init__)
    out = []
    for name, p in sig.parameters.items():
        if name == "self":
            continue
        ann = p.annotation
        if not isinstance(ann, str):
            raise CatalogError(f"{cls.__name__}.{name}: annotation is not a string: {ann!r}")
        out.append((name, ann))
    return out


def classify(ann, models, where):
    """Annotation string -> ('string'|...|'array'|'object', items or None, model class or None)."""
    ann = ann.strip()
    if ann in SCALARS:
        return SCALARS[ann], None, None
    m = _LIST.match(ann)
    if m:
        inner, _, inner_cls = classify(m.group(1), models, where)
        if inner == "array":
            raise CatalogError(f"{where}: list of lists ({ann}) is not representable")
        return "array", inner, inner_cls
    if _DICT.match(ann):
        return "object", None, None
    m = _MODEL.match(ann)
    if m:
        cls = getattr(models, m.group(1), None)
        if cls is None:
            raise CatalogError(f"{where}: unknown model {ann}")
        return "object", None, cls
    raise CatalogError(f"{where}: unsupported annotation {ann!r}")


def field_comments(cls):
    """{attr: [comment lines]} from the comment block just above each `self.attr = attr` in __init__."""
    src = inspect.getsource(cls.__init__)
    out, pending = {}, []
    for line in src.splitlines():
        s = line.strip()
        if s.startswith("#"):
            pending.append(s)
            continue
        m = re.match(r"^self\.([A-Za-z0-9_]+) = ([A-Za-z0-9_]+)$", s)
        if m:
            out[m.group(1)] = pending
        pending = []
    return out


def to_map_key(cls, attr, sample):
    """The key to_map() writes for `attr` (set alone to `sample`)."""
    # to_map() writes `Name: []` for an unset list of models, so compare with the empty instance.
    base = cls().to_map() or {}
    full = cls(**{attr: sample}).to_map() or {}
    keys = [k for k in full if k not in base or full[k] != base[k]]
    if len(keys) != 1:
        raise CatalogError(f"{cls.__name__}.{attr}: to_map() gave {keys}")
    return keys[0]


def sample_value(ann, models, depth=0):
    """A value of the annotated type with every nested field filled (used for the SDK cross-check)."""
    ann = ann.strip()
    if ann == "str":
        return "s"
    if ann == "int":
        return 7
    if ann == "float":
        return 1.5
    if ann == "bool":
        return True
    m = _LIST.match(ann)
    if m:
        return [sample_value(m.group(1), models, depth + 1), sample_value(m.group(1), models, depth + 1)]
    if _DICT.match(ann):
        return {"k1": "v1", "k2": 2}
    m = _MODEL.match(ann)
    if m:
        cls = getattr(models, m.group(1))
        if depth > 8:
            return cls()
        return cls(**{a: sample_value(t, models, depth + 1) for a, t in model_fields(cls)})
    raise CatalogError(f"no sample for {ann!r}")


# ---------------------------------------------------------------------------------------------------
# build the catalog
# ---------------------------------------------------------------------------------------------------

def build(ops, models):
    actions, notes = {}, {"client_only": [], "prose_required": [], "to_map_mismatch": [],
                       "duplicate_placement": []}
    for action, op in sorted(ops.items()):
        params = []
        if op["request_cls"] is None:
            actions[action] = params
            continue
        cls = getattr(models, op["request_cls"])
        comments = field_comments(cls)
        fields = model_fields(cls)
        attrs = {a for a, _ in fields}
        placed = {}
        for p in op["placements"]:
            if p["attr"] in placed:
                if placed[p["attr"]] != p:
                    raise CatalogError(f"{action}: {p['attr']} placed twice, differently")
                notes["duplicate_placement"].append(f"{action}.{p['wire']}")
            placed[p["attr"]] = p
        for p in op["placements"]:
            if p["attr"] not in attrs and p["attr"] not in op["shrinks"]:
                raise CatalogError(f"{action}: placement of unknown field {p['attr']}")
        shrink_by_src = {s["attr"]: (k, s) for k, s in op["shrinks"].items()}
        for attr, ann in fields:
            where = f"{action}.{attr}"
            if attr not in comments:
                raise CatalogError(f"{where}: no `self.{attr} = {attr}` line in __init__")
            lines = comments[attr]
            required = REQUIRED_MARKER in lines
            prose_only = not required and any(_PROSE_REQUIRED.search(sentence) and not _CONDITION.search(sentence)
                                              for l in lines for sentence in re.split(r"(?<=\.) ", l))
            typ, items, _ = classify(ann, models, where)
            entry = {"required": required}
            if op["to_map_all"]:
                # query = Utils.query(request.to_map()): every field of `request` (the shrink model when
                # there is one) goes to the query under its to_map() key.
                sent_cls = getattr(models, op["shrink_cls"]) if op["shrink_cls"] else cls
                if attr in shrink_by_src:
                    shrink_attr, s = shrink_by_src[attr]
                    name = to_map_key(sent_cls, shrink_attr, "s")
                    if name != s["prefix"]:
                        raise CatalogError(f"{where}: shrink prefix {s['prefix']} != to_map key {name}")
                    entry.update(name=name, type="string", style=s["style"], **{"in": "query"})
                else:
                    entry.update(name=to_map_key(sent_cls, attr, sample_value(ann, models)), type=typ,
                                 **{"in": "query"})
                    if items:
                        entry["items"] = items
            elif attr in shrink_by_src:
                shrink_attr, s = shrink_by_src[attr]
                p = placed.get(shrink_attr)
                if p is None:
                    raise CatalogError(f"{where}: shrunk but never placed")
                if p["wire"] != s["prefix"]:
                    raise CatalogError(f"{where}: shrink prefix {s['prefix']} != wire {p['wire']}")
                if s["style"] not in ("json", "simple"):
                    raise CatalogError(f"{where}: shrink style {s['style']}")
                entry.update(name=p["wire"], type="string", style=s["style"], **{"in": p["in"]})
            elif attr in placed:
                p = placed[attr]
                entry.update(name=p["wire"], type=typ, **{"in": p["in"]})
                if items:
                    entry["items"] = items
                tm = to_map_key(cls, attr, sample_value(ann, models))
                if tm != p["wire"]:
                    notes["to_map_mismatch"].append(f"{where}: query/body {p['wire']} vs to_map {tm}")
            else:
                notes["client_only"].append(where)
                continue
            params.append(entry)
            if prose_only:
                notes["prose_required"].append(f"{action}.{entry['name']}")
        # every placement must have been consumed by a declared field
        used = {e["name"] for e in params}
        for p in op["placements"]:
            if p["wire"] not in used:
                raise CatalogError(f"{action}: placement {p['wire']} not matched to a field")
        names = [e["name"] for e in params]
        if len(set(names)) != len(names):
            raise CatalogError(f"{action}: duplicate wire names {names}")
        actions[action] = params
    return actions, notes


# ---------------------------------------------------------------------------------------------------
# cross-check against what the SDK really sends
# ---------------------------------------------------------------------------------------------------

def cross_check(ops, actions, models):
    from alibabacloud_sas20181203.client import Client
    from alibabacloud_tea_openapi import utils_models
    from alibabacloud_tea_openapi.utils import Utils
    from darabonba.runtime import RuntimeOptions

    client = Client(utils_models.Config(access_key_id="catalog", access_key_secret="catalog",
                                        endpoint="127.0.0.1", region_id="cn-hangzhou"))
    captured = {}

    def recorder(params, req, runtime):
        captured["params"], captured["req"] = params, req
        return {}

    client.call_api = recorder
    seen_bool = set()
    for action, op in sorted(ops.items()):
        captured.clear()
        fn = getattr(client, op["function"])
        if op["request_cls"] is None:
            fn(RuntimeOptions())
        else:
            cls = getattr(models, op["request_cls"])
            fields = model_fields(cls)
            fn(cls(**{a: sample_value(t, models) for a, t in fields}), RuntimeOptions())
        if captured["params"].action != action:
            raise CatalogError(f"{action}: the SDK called {captured['params'].action}")
        req = captured["req"]
        sent = {"query": dict(req.query or {}), "body": Utils.query(req.body) if req.body else {}}
        for k, v in list(sent["query"].items()) + list(sent["body"].items()):
            if v in ("True", "False"):
                seen_bool.add(v)
        remaining = {where: set(keys) for where, keys in sent.items()}
        for e in actions[action]:
            keys = remaining[e["in"]]
            name = e["name"]
            if e["type"] in ("array", "object"):
                mine = {k for k in keys if k.startswith(name + ".")}
                if e["type"] == "array":
                    idx = {k[len(name) + 1:].split(".")[0] for k in mine}
                    if idx != {"1", "2"}:
                        raise CatalogError(f"{action}.{name}: array indices sent {sorted(idx)}")
                    if (e["items"] == "object") != any(k.count(".") > name.count(".") + 1 for k in mine):
                        raise CatalogError(f"{action}.{name}: items={e['items']} but sent {sorted(mine)}")
            else:
                mine = {name} & keys
                value = sent[e["in"]].get(name)
                if e.get("style") == "json":
                    json.loads(value)
                elif e.get("style") == "simple" and "," not in value:
                    raise CatalogError(f"{action}.{name}: simple style sent {value!r}")
            if not mine:
                raise CatalogError(f"{action}.{name}: the SDK sent nothing for it in the {e['in']}")
            keys -= mine
        for where, keys in remaining.items():
            if keys:
                raise CatalogError(f"{action}: the SDK sent {sorted(keys)} in the {where}, not in the catalog")
    return seen_bool


# ---------------------------------------------------------------------------------------------------

def render(actions, sdk):
    head = json.dumps({"product": PRODUCT, "version": API_VERSION, "sdk": sdk}, separators=(",", ":"))
    lines = [head[:-1] + ',"actions":{']
    items = sorted(actions.items())
    for i, (action, params) in enumerate(items):
        body = json.dumps({"params": params}, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
        lines.append(json.dumps(action) + ":" + body + ("," if i + 1 < len(items) else ""))
    lines.append("}}")
    return "\n".join(lines) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-o", "--output", default=DEFAULT_OUT, help="where to write (default: %(default)s)")
    ap.add_argument("--allow-version", action="store_true",
                    help=f"run against an installed {DIST} other than {PINNED_VERSION}")
    ap.add_argument("--no-cross-check", action="store_true",
                    help="skip running every operation through the SDK (faster; not for committed output)")
    args = ap.parse_args(argv)

    try:
        version = importlib.metadata.version(DIST)
    except importlib.metadata.PackageNotFoundError:
        sys.exit(f"generate.py: {DIST} is not installed in {sys.executable}'s environment")
    if version != PINNED_VERSION and not args.allow_version:
        sys.exit(f"generate.py: installed {DIST}=={version}, the catalog is pinned to {PINNED_VERSION}; "
                 f"install the pinned version or pass --allow-version")

    import alibabacloud_sas20181203.client as client_mod
    from alibabacloud_sas20181203 import models

    ops = read_operations(client_mod.__file__)
    print(f"{DIST}=={version}: {len(ops)} operations in {client_mod.__file__}", flush=True)
    if version == PINNED_VERSION and len(ops) != PINNED_COUNT:
        sys.exit(f"generate.py: found {len(ops)} operations, expected {PINNED_COUNT} in {PINNED_VERSION}")

    actions, notes = build(ops, models)
    seen_bool = set()
    if not args.no_cross_check:
        seen_bool = cross_check(ops, actions, models)
        print(f"cross-check: every operation called through the SDK; all {sum(map(len, actions.values()))} "
              f"parameters sent exactly as catalogued")

    text = render(actions, f"{DIST}=={version}")
    json.loads(text)  # well-formed
    with open(args.output, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)

    all_params = [p for ps in actions.values() for p in ps]
    types = Counter(p["type"] if p["type"] != "array" else f"array<{p['items']}>" for p in all_params)
    styles = Counter(p["style"] for p in all_params if "style" in p)
    body_ops = sorted(a for a, ps in actions.items() if any(p["in"] == "body" for p in ps))
    get_ops = sorted(a for a, op in ops.items() if op["params"].get("method") == "GET")
    print(f"wrote {args.output}: {len(text.encode())} bytes, sha256 {hashlib.sha256(text.encode()).hexdigest()}")
    print(f"  actions: {len(actions)}; without parameters: {sum(1 for ps in actions.values() if not ps)}; "
          f"with a required parameter: {sum(1 for ps in actions.values() if any(p['required'] for p in ps))}")
    print(f"  parameters: {len(all_params)}; required: {sum(p['required'] for p in all_params)}; "
          f"by type: {dict(sorted(types.items()))}; shrink styles: {dict(sorted(styles.items()))}")
    print(f"  parameters in the form body: {sum(p['in'] == 'body' for p in all_params)} "
          f"in {len(body_ops)} actions: {', '.join(body_ops)}")
    print(f"  actions the SDK sends with GET: {len(get_ops)}: {', '.join(get_ops)}")
    print(f"  client-side-only fields skipped: {notes['client_only'] or 'none'}")
    print(f"  same assignment emitted twice by the SDK (harmless): {notes['duplicate_placement'] or 'none'}")
    print(f"  query/body wire name differs from to_map: {notes['to_map_mismatch'] or 'none'}")
    if seen_bool:
        print(f"  booleans travel as Python str(): {sorted(seen_bool)}")
    if notes["prose_required"]:
        print(f"  'required' only in prose, not the marker (left optional): {len(notes['prose_required'])}: "
              f"{', '.join(notes['prose_required'])}")


if __name__ == "__main__":
    try:
        main()
    except CatalogError as e:
        sys.exit(f"generate.py: {e}")
