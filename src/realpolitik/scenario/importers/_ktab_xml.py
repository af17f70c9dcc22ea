"""KTAB's XML scenario format, checked against the structure of KTAB's ``smpSchema.xsd``.

The schema (tests/data/ktab/smpSchema.xsd) is small: fixed sequences of elements, enums
for the nine model settings and bounded ``xs:decimal`` values. It is checked here element by
element, each problem located at its line and column (expat's, through defusedxml), rather than with a schema
library. Where the schema and KTAB's reader disagree ("Proportional"/"No" against
"Prop"/"None", spec §1), both spellings are accepted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from realpolitik.errors import InputError

__all__ = ["Node", "XmlActor", "XmlPair", "XmlScenario", "parse_tree", "parse_ktab_xml", "SETTINGS"]

#: ModelParameters children in schema order → (smp option, accepted values → KTAB spelling).
SETTINGS: dict[str, tuple[str, dict[str, str]]] = {
    "VictoryProbModel": (
        "victory_prob_model",
        {v: v for v in ("Linear", "Square", "Quartic", "Octic", "Binary")},
    ),
    "PCEModel": ("pce_model", {v: v for v in ("Conditional", "MarkovIncentive", "MarkovUniform")}),
    "StateTransitions": ("state_transitions", {v: v for v in ("Deterministic", "Stochastic")}),
    "VotingRule": (
        "voting_rule",
        {
            **{v: v for v in ("Binary", "PropBin", "Prop", "PropCbc", "Cubic", "ASymProsp")},
            "Proportional": "Prop",
        },
    ),
    "BigRAdjust": (
        "big_r_adjust",
        {**{v: v for v in ("Full", "TwoThirds", "Half", "OneThird", "None")}, "No": "None"},
    ),
    "BigRRange": ("big_r_range", {v: v for v in ("Min", "Mid", "Max")}),
    "ThirdPartyCommit": (
        "third_party_commit",
        {v: v for v in ("NoCommit", "SemiCommit", "FullCommit")},
    ),
    "InterVecBrgn": ("inter_vec_brgn", {v: v for v in ("S1P1", "S2P2", "S2PMax")}),
    "BargnModel": (
        "bargn_model",
        {v: v for v in ("InitOnlyInterp", "InitRcvrInterp", "PWCompInterp")},
    ),
}
_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_SCHEMA = "smpSchema.xsd"


@dataclass
class Node:
    """An XML element with its text and 1-based place."""

    tag: str
    line: int
    column: int
    children: list[Node] = field(default_factory=list)
    text: str = ""


@dataclass(frozen=True)
class XmlActor:
    name: str
    description: str
    capability: float
    positions: list[float]
    saliences: list[float]
    line: int


@dataclass(frozen=True)
class XmlPair:
    adjusting: str
    reference: str
    weight: float
    line: int


@dataclass(frozen=True)
class XmlScenario:
    name: str
    description: str
    seed: int
    settings: dict[str, str]
    dimensions: list[str]
    actors: list[XmlActor]
    pairs: list[XmlPair]


def parse_tree(text: str, file: str) -> Node:
    """The document's element tree, or an :class:`InputError` at the parser's position.

    Parsed by defusedxml's SAX reader over expat with a DTD forbidden: no entity is declared
    or expanded (an entity bomb is refused at its DOCTYPE) and nothing external is fetched.
    """
    from xml.sax import SAXParseException
    from xml.sax.handler import ContentHandler

    from defusedxml import DefusedXmlException
    from defusedxml.sax import make_parser

    root = Node("", 0, 0)
    stack = [root]
    parser = make_parser()
    parser.forbid_dtd = True

    class _Handler(ContentHandler):
        def startElement(self, tag: str, attrs: object) -> None:  # noqa: N802 - SAX's name
            node = Node(tag, parser.getLineNumber(), parser.getColumnNumber() + 1)
            stack[-1].children.append(node)
            stack.append(node)

        def endElement(self, tag: str) -> None:  # noqa: N802
            stack.pop()

        def characters(self, data: str) -> None:
            stack[-1].text += data

    parser.setContentHandler(_Handler())
    try:
        parser.feed(text.lstrip("\ufeff"))
        parser.close()
    except SAXParseException as exc:
        raise InputError(
            file=file,
            line=exc.getLineNumber(),
            column=(exc.getColumnNumber() or 0) + 1,
            problem=f"malformed XML ({exc.getMessage()})",
            expected="a well-formed KTAB XML scenario",
        ) from None
    except DefusedXmlException:  # a DOCTYPE: entity declarations are never needed
        raise InputError(
            file=file,
            line=parser.getLineNumber(),
            column=parser.getColumnNumber() + 1,
            problem="a document type declaration (DOCTYPE)",
            expected="a KTAB XML scenario without DTD or entities",
        ) from None
    return root


def _error(
    node: Node,
    file: str,
    path: str,
    expected: str,
    value: object = None,
    problem: str | None = None,
) -> InputError:
    kw = {"problem": problem} if problem is not None else {"value": value}
    return InputError(
        file=file, line=node.line, column=node.column, field=path, expected=expected, **kw
    )


class _Seq:
    """Walk an element's children against a schema sequence."""

    def __init__(self, node: Node, file: str, path: str) -> None:
        self.node, self.file, self.path = node, file, path
        self.k = 0

    def take(
        self, tag: str, *, optional: bool = False, many: bool = False, at_least: int = 1
    ) -> list[Node]:
        got: list[Node] = []
        kids = self.node.children
        while self.k < len(kids) and kids[self.k].tag == tag:
            got.append(kids[self.k])
            self.k += 1
            if not many:
                break
        if len(got) < (0 if optional else at_least):
            where = kids[self.k] if self.k < len(kids) else self.node
            found = (
                f"<{kids[self.k].tag}>" if self.k < len(kids) else f"the end of <{self.node.tag}>"
            )
            need = (
                f"at least {at_least} <{tag}> elements"
                if many and at_least > 1
                else f"a <{tag}> element"
            )
            raise _error(
                where, self.file, self.path, f"{need} here ({_SCHEMA})", problem=f"found {found}"
            )
        return got

    def done(self) -> None:
        kids = self.node.children
        if self.k < len(kids):
            extra = kids[self.k]
            raise _error(
                extra,
                self.file,
                self.path,
                f"no <{extra.tag}> here ({_SCHEMA})",
                problem=f"unexpected <{extra.tag}>",
            )


def _text(node: Node) -> str:
    return node.text.strip()


def _decimal(
    node: Node, file: str, path: str, lo: float | None = None, hi: float | None = None
) -> float:
    """An ``xs:decimal`` within [lo, hi] (the schema's bounds)."""
    text = _text(node)
    bounds = "" if lo is None else f" from {lo:g} to {hi:g}"
    if not _DECIMAL.fullmatch(text):
        raise _error(node, file, path, f"a decimal number{bounds} ({_SCHEMA})", value=text)
    value = float(text)
    if abs(value) > 2.0**64 or (lo is not None and not lo <= value <= hi):
        raise _error(node, file, path, f"a decimal number{bounds} ({_SCHEMA})", value=text)
    return value


def _vector(node: Node, tag: str, file: str, path: str, d: int | None) -> list[float]:
    seq = _Seq(node, file, path)
    items = seq.take(tag, many=True)
    seq.done()
    if d is not None and len(items) != d:
        raise _error(
            node,
            file,
            path,
            f"{d} <{tag}> values, one per dimension",
            problem=f"{len(items)} <{tag}> values",
        )
    return [
        _decimal(item, file, f"{path}.{tag}[{k + 1}]", 0.0, 100.0) for k, item in enumerate(items)
    ]


def parse_ktab_xml(text: str, file: str) -> XmlScenario:
    """Parse and check a KTAB XML scenario (smpSchema.xsd, and KTAB's reader's own rules)."""
    top = parse_tree(text, file)
    if len(top.children) != 1 or top.children[0].tag != "Scenario":
        node = top.children[0] if top.children else top
        raise _error(
            node, file, "Scenario", f"a <Scenario> root element ({_SCHEMA})", value=node.tag
        )
    root = top.children[0]
    seq = _Seq(root, file, "Scenario")
    name = _text(seq.take("name")[0])
    desc = _text(seq.take("desc")[0])
    seed_node = seq.take("prngSeed")[0]
    seed_text = _text(seed_node)
    if not seed_text.isdecimal() or int(seed_text) >= 2**64:
        raise _error(
            seed_node,
            file,
            "Scenario.prngSeed",
            "a decimal 64-bit seed (0 to 2^64 - 1)",
            value=seed_text,
        )
    settings: dict[str, str] = {}
    for params in seq.take("ModelParameters", optional=True):
        ps = _Seq(params, file, "ModelParameters")
        for tag, (option, values) in SETTINGS.items():
            node = ps.take(tag)[0]
            value = _text(node)
            if value not in values:
                raise _error(
                    node, file, f"ModelParameters.{tag}", "one of " + ", ".join(values), value=value
                )
            settings[option] = values[value]
        ps.done()
    dims: list[str] = []
    for block in seq.take("Dimensions", optional=True):
        ds = _Seq(block, file, "Dimensions")
        dims = [_text(n) or f"dimension {k + 1}" for k, n in enumerate(ds.take("dName", many=True))]
        ds.done()
    actors_node = seq.take("Actors")[0]
    aseq = _Seq(actors_node, file, "Actors")
    actors = [_actor(node, file, dims) for node in aseq.take("Actor", many=True, at_least=3)]
    aseq.done()
    if not dims:
        dims = [f"dimension {k + 1}" for k in range(len(actors[0].positions))]
        for a in actors:
            if len(a.positions) != len(dims):
                raise InputError(
                    file=file,
                    line=a.line,
                    field=f"Actors.{a.name}.Position",
                    problem=f"{len(a.positions)} coordinates",
                    expected=f"{len(dims)}, as the first actor has",
                )
    pairs: list[XmlPair] = []
    names = {a.name for a in actors}
    for block in seq.take("IdealAdjustment", optional=True):
        ps = _Seq(block, file, "IdealAdjustment")
        for node in ps.take("iaPair", many=True):
            pairs.append(_pair(node, file, names))
        ps.done()
    seq.done()
    return XmlScenario(
        name=name,
        description=desc,
        seed=int(seed_text),
        settings=settings,
        dimensions=dims,
        actors=actors,
        pairs=pairs,
    )


def _actor(node: Node, file: str, dims: list[str]) -> XmlActor:
    seq = _Seq(node, file, "Actors.Actor")
    name_node = seq.take("name")[0]
    name = _text(name_node)
    if not name:
        raise _error(name_node, file, "Actors.Actor.name", "an actor name", value="")
    path = f"Actors.{name}"
    desc = _text(seq.take("description")[0])
    cap_node = seq.take("capability")[0]
    cap = _decimal(cap_node, file, f"{path}.capability", 0.0, 1000.0)
    if cap <= 0:
        raise _error(
            cap_node,
            file,
            f"{path}.capability",
            "a capability > 0 (KTAB's reader)",
            value=_text(cap_node),
        )
    d = len(dims) or None
    pos = _vector(seq.take("Position")[0], "dCoord", file, f"{path}.Position", d)
    sal = _vector(seq.take("Salience")[0], "dSal", file, f"{path}.Salience", d or len(pos))
    seq.done()
    return XmlActor(
        name=name, description=desc, capability=cap, positions=pos, saliences=sal, line=node.line
    )


def _pair(node: Node, file: str, names: set[str]) -> XmlPair:
    seq = _Seq(node, file, "IdealAdjustment.iaPair")
    found = []
    for tag in ("adjustingIdeal", "referencePos"):
        n = seq.take(tag)[0]
        if _text(n) not in names:
            raise _error(
                n,
                file,
                f"IdealAdjustment.iaPair.{tag}",
                "the name of an actor: " + ", ".join(sorted(names)),
                value=_text(n),
            )
        found.append(_text(n))
    w_node = seq.take("adjust")[0]
    weight = _decimal(w_node, file, "IdealAdjustment.iaPair.adjust")
    if weight < 0:
        raise _error(
            w_node, file, "IdealAdjustment.iaPair.adjust", "a weight ≥ 0", value=_text(w_node)
        )
    seq.done()
    return XmlPair(adjusting=found[0], reference=found[1], weight=weight, line=node.line)
