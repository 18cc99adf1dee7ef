"""A light, read-only mirror of an lxml element tree, for rules that query it many times.

Every access to an lxml element (``findall``, ``text``, ``getparent``) creates a proxy object and costs a
microsecond or more; the business rules make thousands. :func:`build` walks the tree once (iteratively, so
depth cannot exhaust the stack) and gives each element a :class:`Node` holding its tag, its children by tag
and its string value, with the few methods of the lxml API the rules use. ``Node.el`` is the lxml element,
for locations (XPath, line).
"""

from __future__ import annotations

import contextlib
import gc
import os
import threading
from collections import defaultdict
from collections.abc import Iterator

from lxml import etree

__all__ = ["Node", "Tree", "build", "gc_paused"]

_NONE: list[Node] = []
#: Shared by every leaf until it gets a child (most elements are leaves); never mutated.
_NO_CHILDREN: list[Node] = []
_NO_KIDS: dict[str, list[Node]] = {}


class Node:
    """One element: ``tag`` (Clark name), ``parent``, ``children`` (elements only, in order) and
    ``kids`` (the same by tag)."""

    __slots__ = ("_sv", "children", "el", "kids", "parent", "tag")

    def __init__(self, el: etree._Element, parent: Node | None, tag: str) -> None:
        self.el = el
        self.parent = parent
        self.tag = tag
        self.children: list[Node] = _NO_CHILDREN
        self.kids: dict[str, list[Node]] = _NO_KIDS
        self._sv: str | None = None

    # -- the subset of the lxml element API the rules use
    def findall(self, tag: str) -> list[Node]:
        """Children named ``tag`` (a Clark name; no paths)."""
        return self.kids.get(tag, _NONE)

    def getparent(self) -> Node | None:
        return self.parent

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.el.get(name, default)

    @property
    def attrib(self) -> etree._Attrib:
        return self.el.attrib

    def iterancestors(self) -> Iterator[Node]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def __iter__(self) -> Iterator[Node]:
        return iter(self.children)

    def __len__(self) -> int:
        return len(self.children)

    @property
    def string_value(self) -> str:
        """All descendant text in order (XPath string value; comments and PIs excluded)."""
        if self._sv is None:
            el = self.el
            # read on first use only: most texts are never looked at (an attachment's base64 may be large)
            self._sv = (el.text or "") if not len(el) else "".join(str(text) for text in el.itertext())
        return self._sv


class Tree:
    """The mirrored document: ``root``, every node in document order, the nodes by tag, and ``by_element``:
    the node of each lxml element (keyed by lxml's proxy object, which stays the same while a node holds
    it)."""

    __slots__ = ("by_element", "index", "nodes", "root")

    def __init__(self, root: Node, nodes: list[Node], index: dict[str, list[Node]],
                 by_element: dict[etree._Element, Node] | None = None) -> None:
        self.root = root
        self.nodes = nodes
        self.index = index
        self.by_element = by_element if by_element is not None else {node.el: node for node in nodes}

    def release(self) -> None:
        """Break the parent links, so that the nodes are freed by reference counting alone."""
        self.by_element = {}
        for node in self.nodes:
            node.parent = None

    def all(self, tag: str) -> list[Node]:
        """``//tag``: every element named ``tag``, in document order."""
        return self.index.get(tag, _NONE)


def build(root: etree._Element) -> Tree:
    """Mirror the element tree under ``root`` (one walk, document order)."""
    top = Node(root, None, str(root.tag))
    nodes = [top]
    index: defaultdict[str, list[Node]] = defaultdict(list)
    index[top.tag].append(top)
    # lxml's own iterator walks in C (no Python stack, so depth costs nothing) and yields elements only
    # (no comments, PIs or entities); a parent is found by its lxml proxy, which stays the same object
    # while a Node holds it, so ``getparent()`` returns the very key stored here.
    by_element: dict[etree._Element, Node] = {root: top}
    walk = root.iter(etree.Element)
    next(walk)  # root itself
    new = object.__new__
    for child in walk:
        parent = by_element[child.getparent()]  # type: ignore[index]
        tag = child.tag
        # Node(child, parent, tag), without the call of __init__ (a third of the cost of a node)
        node = new(Node)
        node.el, node.parent, node.tag = child, parent, tag
        node.children, node.kids, node._sv = _NO_CHILDREN, _NO_KIDS, None
        by_element[child] = node
        kids = parent.kids
        if kids is _NO_KIDS:
            parent.children = [node]
            parent.kids = {tag: [node]}
        else:
            parent.children.append(node)
            same = kids.get(tag)
            if same is None:
                kids[tag] = [node]
            else:
                same.append(node)
        index[tag].append(node)
        nodes.append(node)
    return Tree(top, nodes, index, by_element)


class _Pause:
    """The collector's pause, shared by the threads of a process: the first to enter remembers whether the
    collector was running and stops it, the last to leave starts it again (if it was running). A lock
    keeps the count and the collector's state together; a forked child starts with its own."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.inside = 0
        self.resume = False

    def enter(self) -> None:
        with self.lock:
            if self.inside == 0:
                self.resume = gc.isenabled()
                gc.disable()
            self.inside += 1

    def leave(self) -> None:
        with self.lock:
            self.inside -= 1
            if self.inside == 0 and self.resume:
                gc.enable()

    def after_fork(self) -> None:
        # Only the forking thread runs in the child: whoever else was inside the pause is gone.
        if self.inside and self.resume:
            gc.enable()
        self.lock, self.inside, self.resume = threading.Lock(), 0, False


_PAUSE = _Pause()
os.register_at_fork(after_in_child=_PAUSE.after_fork)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the block. Nested and concurrent uses are fine: the
    collector runs again when the last block of any thread ends, and only when it was running before the
    first began. A mirror has parent links, reference cycles the collector would scan again and again
    while the tree grows; :meth:`Tree.release` frees it without the collector. The pause is the process's:
    while one thread checks an invoice, the collector waits for every thread.

    Release a mirror and drop the last reference to it inside the block: allocations made while the
    collector was paused count towards its next run, and a mirror still alive then is scanned and moved to
    older generations, which full collections (slow in a large process) then scan again."""
    _PAUSE.enter()
    try:
        yield
    finally:
        _PAUSE.leave()
