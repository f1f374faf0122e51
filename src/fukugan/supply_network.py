"""A multi-tier supply network with bills of materials, validated on construction.

The data model is the one of the risk-exposure model of Simchi-Levi, Schmidt & Wei (2014, HBR
92(1/2):96–101, "From superstorms to factory fires") and Simchi-Levi, Schmidt, Wei, Zhang,
Combs, Ge, Gusikhin, Sanders & Zhang (2015, *Interfaces* 45(5):375–390, "Identifying risks and
mitigating disruptions in the automotive supply chain"; the TTR / TTS models of the appendix):

* a **node** is what the paper calls an *activity*: a supplier site making a part, a plant making
  a sub-assembly, an assembly plant making an end product. Each node has an on-hand
  ``inventory`` of its own output s_i (units) and a ``capacity`` c_i (units per period);
* a **BOM row** ``(node, input, quantity)`` says that one unit of ``node``'s output needs
  ``quantity`` units (r_kj in the paper) of the part that ``input`` makes, sourced from
  ``input``. Each BOM row is one *requirement* (the paper's part type k ∈ N⁻(j));
* an **alternative** ``(node, input, alternative[, capacity])`` adds ``alternative`` as a
  further source for that requirement (the paper's set P_jk of sources of part k for j), whose
  deliveries to ``node`` may be capped at ``capacity`` units per period (besides the
  alternative's own node capacity);
* **end products** are the nodes with ``demand`` d_j > 0 per period; they carry a profit
  ``margin`` f_j (and optionally a ``revenue``) per unit;
* ``ttr`` (optional) is each node's time to recover, in periods.

Validation (every failure is a :class:`fukugan.errors.InputError` naming the item):
unknown nodes, duplicate nodes or BOM rows, negative / NaN / infinite numbers, zero BOM
quantities, missing inventories or capacities (there is **no** default: a node without
an inventory is an error, so that a forgotten stock never silently reads as zero), missing
margins of end products, alternatives of a requirement that is not in the BOM, and cyclic BOMs
(the message names the cycle, ``A -> B -> A``). Nodes that reach no end product (disconnected
BOM parts) are not an error; :meth:`SupplyNetwork.diagnostics` reports them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

import numpy as np

from fukugan.errors import InputError

__all__ = ["Alternative", "BomRow", "SupplyNetwork", "find_cycle"]


@dataclass(frozen=True)
class BomRow:
    """One unit of ``node`` needs ``quantity`` units of ``input``'s output (one requirement)."""

    node: str
    input: str
    quantity: float


@dataclass(frozen=True)
class Alternative:
    """``alternative`` may replace ``input`` in ``node``'s BOM row, at most ``capacity`` / period
    (``math.inf`` = limited only by the alternative's own node capacity)."""

    node: str
    input: str
    alternative: str
    capacity: float = math.inf


def _num(value: object, *, what: str, allow_inf: bool = False) -> float:
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InputError(f"{what}: not a number: {value!r}") from None
    if math.isnan(v) or (math.isinf(v) and not allow_inf):
        raise InputError(f"{what}: missing or non-finite value {value!r}")
    if v < 0:
        raise InputError(f"{what}: negative value {v!r}")
    return v


def find_cycle(successors: Mapping[str, Iterable[str]]) -> list[str] | None:
    """A directed cycle ``[a, b, ..., a]`` in the graph ``successors``, or ``None``.

    Iterative depth-first search (no recursion limit), O(nodes + edges).

    >>> find_cycle({"a": ["b"], "b": ["c"], "c": ["a"]})
    ['a', 'b', 'c', 'a']
    >>> find_cycle({"a": ["b"], "b": []}) is None
    True
    """
    white, grey, black = 0, 1, 2
    colour: dict[str, int] = {}
    for root in successors:
        if colour.get(root, white) != white:
            continue
        stack: list[tuple[str, Iterator[str]]] = [(root, iter(successors.get(root, ())))]
        path = [root]
        colour[root] = grey
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                colour[node] = black
                stack.pop()
                path.pop()
                continue
            c = colour.get(nxt, white)
            if c == grey:
                return path[path.index(nxt) :] + [nxt]
            if c == white:
                colour[nxt] = grey
                path.append(nxt)
                stack.append((nxt, iter(successors.get(nxt, ()))))
    return None


@dataclass
class SupplyNetwork:
    """A validated multi-tier network (see the module docstring for the data model).

    Parameters are keyed by node id. ``inventory`` and ``capacity`` must name every node;
    ``demand``, ``margin``, ``revenue``, ``ttr``, ``tier`` and ``name`` may omit nodes (no
    demand, no margin, ...). ``margin`` is required for every node with demand > 0.

    >>> net = SupplyNetwork(
    ...     nodes=["S", "P"], inventory={"S": 0, "P": 0}, capacity={"S": 10, "P": 10},
    ...     bom=[("P", "S", 1)], demand={"P": 5}, margin={"P": 2.0})
    >>> net.products, net.index["P"]
    (('P',), 1)
    """

    nodes: Iterable[str]
    inventory: Mapping[str, float]
    capacity: Mapping[str, float]
    bom: Iterable[BomRow | tuple] = ()
    alternatives: Iterable[Alternative | tuple] = ()
    demand: Mapping[str, float] = field(default_factory=dict)
    margin: Mapping[str, float] = field(default_factory=dict)
    revenue: Mapping[str, float] = field(default_factory=dict)
    ttr: Mapping[str, float] = field(default_factory=dict)
    tier: Mapping[str, int] = field(default_factory=dict)
    name: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        nodes = tuple(str(n) for n in self.nodes)
        index: dict[str, int] = {}
        for n in nodes:
            if not n.strip():
                raise InputError("empty node id")
            if n in index:
                raise InputError(f"duplicate node {n!r}")
            index[n] = len(index)
        self.nodes = nodes
        self.index = index

        def known(n: object, what: str) -> str:
            s = str(n)
            if s not in index:
                raise InputError(f"{what}: unknown node {s!r}")
            return s

        def per_node(mapping: Mapping, what: str, *, required: bool, allow_inf: bool = False):
            for k in mapping:
                known(k, what)
            out = np.zeros(len(nodes))
            for n, i in index.items():
                if n in mapping and mapping[n] is not None:
                    out[i] = _num(mapping[n], what=f"{what} of node {n!r}", allow_inf=allow_inf)
                elif required:
                    raise InputError(f"missing {what} for node {n!r} (no default is assumed)")
            return out

        self.s = per_node(self.inventory, "inventory", required=True)
        self.c = per_node(self.capacity, "capacity", required=True, allow_inf=True)
        self.d = per_node(self.demand, "demand", required=False)
        for n in self.margin:
            known(n, "margin")
        for n in nodes:
            if self.d[index[n]] > 0 and (n not in self.margin or self.margin[n] is None):
                raise InputError(f"missing margin for end product {n!r} (demand > 0)")
        self.f = per_node(self.margin, "margin", required=False)
        self.rev = per_node(self.revenue, "revenue", required=False)
        self.ttr = {
            known(k, "ttr"): _num(v, what=f"ttr of node {k!r}") for k, v in self.ttr.items()
        }
        self.tier = {known(k, "tier"): int(v) for k, v in self.tier.items()}
        self.name = {known(k, "name"): str(v) for k, v in self.name.items()}

        rows: list[BomRow] = []
        seen: dict[tuple[str, str], int] = {}
        for r in self.bom:
            r = r if isinstance(r, BomRow) else BomRow(*r)
            node, inp = known(r.node, "BOM node"), known(r.input, "BOM input")
            if node == inp:
                raise InputError(f"BOM row {node!r} <- {inp!r}: a node cannot be its own input")
            q = _num(r.quantity, what=f"BOM quantity of {node!r} <- {inp!r}")
            if q == 0:
                raise InputError(f"BOM quantity of {node!r} <- {inp!r} is zero (drop the row)")
            if (node, inp) in seen:
                raise InputError(f"duplicate BOM row {node!r} <- {inp!r}")
            seen[(node, inp)] = len(rows)
            rows.append(BomRow(node, inp, q))
        self.bom = tuple(rows)
        self.requirement = seen  # (node, input) -> requirement index

        alts: list[Alternative] = []
        aseen: set[tuple[str, str, str]] = set()
        for a in self.alternatives:
            a = a if isinstance(a, Alternative) else Alternative(*a)
            node = known(a.node, "alternative node")
            inp = known(a.input, "alternative input")
            alt = known(a.alternative, "alternative source")
            if (node, inp) not in seen:
                raise InputError(f"alternative {alt!r} for {node!r} <- {inp!r}: no such BOM row")
            if alt in (node, inp):
                raise InputError(
                    f"alternative {alt!r} for {node!r} <- {inp!r}: must differ from both"
                )
            if (node, inp, alt) in aseen:
                raise InputError(f"duplicate alternative {alt!r} for {node!r} <- {inp!r}")
            cap = a.capacity
            cap = (
                math.inf
                if cap is None
                else _num(cap, what=f"capacity of alternative {alt!r} for {node!r}", allow_inf=True)
            )
            aseen.add((node, inp, alt))
            alts.append(Alternative(node, inp, alt, cap))
        self.alternatives = tuple(alts)

        succ: dict[str, list[str]] = {n: [] for n in nodes}  # supplier -> customers
        for r in self.bom:
            succ[r.input].append(r.node)
        for a in self.alternatives:
            succ[a.alternative].append(a.node)
        self.customers = {n: list(dict.fromkeys(v)) for n, v in succ.items()}
        cycle = find_cycle(self.customers)
        if cycle is not None:
            raise InputError("cyclic BOM: " + " -> ".join(cycle))

    # -- graph helpers ---------------------------------------------------------------------
    @property
    def products(self) -> tuple[str, ...]:
        """End products: the nodes with demand > 0."""
        return tuple(n for n in self.nodes if self.d[self.index[n]] > 0)

    def downstream(self, node: str) -> set[str]:
        """Every node ``node``'s output reaches (through BOM rows or alternatives), itself
        included."""
        seen, todo = {node}, [node]
        while todo:
            for m in self.customers[todo.pop()]:
                if m not in seen:
                    seen.add(m)
                    todo.append(m)
        return seen

    def suppliers(self) -> dict[str, list[str]]:
        """Node -> the nodes that can deliver to it (BOM inputs and alternatives)."""
        sup: dict[str, list[str]] = {n: [] for n in self.nodes}
        for s, cs in self.customers.items():
            for c in cs:
                sup[c].append(s)
        return sup

    def upstream(self, nodes: Iterable[str]) -> set[str]:
        """Every node whose output reaches one of ``nodes`` (``nodes`` included)."""
        sup = self.suppliers()
        todo = list(nodes)
        seen = set(todo)
        while todo:
            for m in sup[todo.pop()]:
                if m not in seen:
                    seen.add(m)
                    todo.append(m)
        return seen

    def disconnected(self) -> list[str]:
        """Nodes whose output reaches no end product (disconnected BOM parts)."""
        reach = self.upstream(self.products)
        return [n for n in self.nodes if n not in reach]

    def findings(self) -> list[tuple[str, list[str]]]:
        """What is odd but not an error, as ``(kind, nodes)``: ``("no-end-product", [])`` when
        no node has demand, ``("disconnected", nodes)`` for parts that reach no end product."""
        out: list[tuple[str, list[str]]] = []
        if not self.products:
            out.append(("no-end-product", []))
        off = self.disconnected()
        if off:
            out.append(("disconnected", off))
        return out

    def diagnostics(self) -> list[str]:
        """:meth:`findings` as English sentences."""
        text = {
            "no-end-product": "no end product: no node has demand > 0, every impact is zero",
            "disconnected": "disconnected BOM parts (reach no end product, their disruption "
            "costs nothing): ",
        }
        return [text[k] + ", ".join(nodes) for k, nodes in self.findings()]

    def gross_requirement(self) -> np.ndarray:
        """Units of each node's output per period that the end products' demand needs through
        the BOM (the explosion of material requirements planning, primary sources):
        g_k = d_k + Σ_{rows (j, k, r)} r · g_j, in node order.

        >>> net = SupplyNetwork(["S", "P"], inventory={"S": 0, "P": 0},
        ...     capacity={"S": 10, "P": 10}, bom=[("P", "S", 2)], demand={"P": 5}, margin={"P": 1})
        >>> net.gross_requirement().tolist()
        [10.0, 5.0]
        """
        g = self.d.astype(float).copy()
        uses: dict[str, list[BomRow]] = {n: [] for n in self.nodes}
        left = {n: 0 for n in self.nodes}  # BOM rows still to add to a node's requirement
        for r in self.bom:
            uses[r.node].append(r)
            left[r.input] += 1
        todo = [n for n in self.nodes if left[n] == 0]
        while todo:  # customers before their suppliers (the BOM is acyclic)
            j = todo.pop()
            for r in uses[j]:
                g[self.index[r.input]] += r.quantity * g[self.index[j]]
                left[r.input] -= 1
                if left[r.input] == 0:
                    todo.append(r.input)
        return g

    def with_measures(
        self,
        stock: Mapping[str, float] | None = None,
        sources: Iterable[tuple[str, float]] = (),
    ) -> SupplyNetwork:
        """A copy with ``stock`` (node → extra units of its output on hand) and second sources:
        for each ``(node, capacity)`` a new node ``"{node}~second source {k}"`` (k = 1, 2, …)
        with that capacity per period, no inputs and no stock, listed as an alternative source
        in every BOM row that uses ``node``'s output.

        >>> net = SupplyNetwork(["S", "P"], inventory={"S": 0, "P": 0},
        ...     capacity={"S": 10, "P": 10}, bom=[("P", "S", 1)], demand={"P": 5}, margin={"P": 1})
        >>> m = net.with_measures({"S": 4}, [("S", 3)])
        >>> m.nodes, float(m.s[0]), m.alternatives[0].alternative
        (('S', 'P', 'S~second source 1'), 4.0, 'S~second source 1')
        """
        stock = dict(stock or {})
        for n in stock:
            if n not in self.index:
                raise InputError(f"stock: unknown node {n!r}")
        nodes = list(self.nodes)
        inv = {n: float(self.s[i]) + float(stock.get(n, 0.0)) for n, i in self.index.items()}
        cap = {n: float(self.c[i]) for n, i in self.index.items()}
        alts = list(self.alternatives)
        tier, name = dict(self.tier), dict(self.name)
        count: dict[str, int] = {}
        for node, capacity in sources:
            if node not in self.index:
                raise InputError(f"second source: unknown node {node!r}")
            count[node] = count.get(node, 0) + 1
            new = f"{node}~second source {count[node]}"
            nodes.append(new)
            inv[new], cap[new] = 0.0, float(capacity)
            if node in tier:
                tier[new] = tier[node]
            name[new] = f"second source of {self.name.get(node, node)}"
            alts += [Alternative(r.node, r.input, new) for r in self.bom if r.input == node]
        return SupplyNetwork(
            nodes=nodes,
            inventory=inv,
            capacity=cap,
            bom=self.bom,
            alternatives=alts,
            demand={n: float(self.d[i]) for n, i in self.index.items() if self.d[i] > 0},
            margin={n: float(self.f[i]) for n, i in self.index.items() if n in self.margin},
            revenue={n: float(self.rev[i]) for n, i in self.index.items() if n in self.revenue},
            ttr=dict(self.ttr),
            tier=tier,
            name=name,
        )

    def paths(self, source: str, target: str, *, limit: int = 1000) -> list[list[str]]:
        """Up to ``limit`` supply paths ``[source, ..., target]`` (DAG, depth-first order)."""
        out: list[list[str]] = []
        stack: list[tuple[str, list[str]]] = [(source, [source])]
        feeds_target = self.upstream([target])
        while stack and len(out) < limit:
            node, path = stack.pop()
            if node == target:
                out.append(path)
                continue
            for m in reversed(self.customers[node]):
                if m not in feeds_target:
                    continue
                stack.append((m, path + [m]))
        return out
