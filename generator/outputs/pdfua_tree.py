"""The structure tree of a tagged PDF as Python objects while it is rebuilt."""

from __future__ import annotations

from dataclasses import dataclass, field

from pikepdf import Array, Dictionary, Name

HEADINGS = ("H1", "H2", "H3", "H4", "H5", "H6")


@dataclass(eq=False)
class Content:
    """Marked content: what one MCID of one page draws."""

    page: int
    mcid: int


@dataclass(eq=False)
class ObjRef:
    """An annotation (a link's) in the tree."""

    objr: Dictionary  # /Type /OBJR, its /Obj the annotation


@dataclass(eq=False)
class Node:
    """A structure element: its type (`s`), its page, and its kids in reading order."""

    obj: Dictionary
    s: str
    page: int | None
    kids: list = field(default_factory=list)
    parent: Node | None = None

    def nodes(self):
        return [kid for kid in self.kids if isinstance(kid, Node)]

    # Both in document order, with a stack rather than nested generators: a yield from a
    # generator n levels down passes through n frames, and a tree is walked many times.
    def walk(self):
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.nodes()))

    def contents(self):
        stack = [iter(self.kids)]
        while stack:
            for kid in stack[-1]:
                if isinstance(kid, Content):
                    yield kid
                elif isinstance(kid, Node):
                    stack.append(iter(kid.kids))
                    break
            else:
                stack.pop()

    def adopt(self, kids: list, at: int | None = None) -> None:
        for kid in kids:
            if isinstance(kid, Node):
                kid.parent = self
        if at is None:
            self.kids.extend(kids)
        else:
            self.kids[at:at] = kids

    def remove(self) -> None:
        if self.parent is not None:
            self.parent.kids = [kid for kid in self.parent.kids if kid is not self]
            self.parent = None


def as_list(value) -> list:
    """A /K or /Ref entry as a list: PDF writes a single kid without the array."""
    if value is None:
        return []
    return list(value) if isinstance(value, Array) else [value]


def join_columns(document: Node) -> None:
    """A list set in CSS columns is one list. WeasyPrint tags each column box as an
    element of its own: a list with `columns` becomes a list of column lists (L > L > LI),
    and a block with `columns` around one list (the signatories': parts/signatories.html)
    a Div of column Divs, each with its part of the list (Div > Div > L). Either way a
    screen reader would announce columns, not names. HTML cannot nest a list right in a
    list, and no template puts a lone list in each of several divs, so both shapes are
    columns: the items become one list, in the columns' order, which is the reading
    order (down the first column, then the next)."""
    for node in list(document.walk()):
        if node.s == "L" and any(isinstance(kid, Node) and kid.s == "L"
                                 for kid in node.kids):
            kids = []
            for kid in node.kids:
                kids.extend(kid.kids if isinstance(kid, Node) and kid.s == "L" else [kid])
            node.kids = []
            node.adopt(kids)
        elif node.s == "Div" and node.kids and all(_column_of_one_list(kid)
                                                   for kid in node.kids):
            lists = [kid.kids[0] for kid in node.kids]
            for part in lists[1:]:
                lists[0].adopt(part.kids)
            node.kids = []
            node.adopt([lists[0]])


def _column_of_one_list(node) -> bool:
    """A column box of a multi-column block that holds one list: a Div with only a list."""
    return isinstance(node, Node) and node.s == "Div" and len(node.kids) == 1 \
        and isinstance(node.kids[0], Node) and node.kids[0].s == "L"


def read_tree(root: Dictionary, page_of: dict) -> list[Node]:
    """The elements at the top of the tree (WeasyPrint's /Document), with everything below;
    `page_of` gives a page object's index by its objgen."""
    top = [_read(kid, None, None, page_of) for kid in as_list(root.get("/K"))]
    return [node for node in top if isinstance(node, Node)]


def _read(item, parent: Node | None, page: int | None, page_of: dict):
    if isinstance(item, int):  # pikepdf gives integers as int
        return Content(page, item)
    if not isinstance(item, Dictionary):
        return None
    kind = item.get("/Type")
    if kind == "/MCR":
        where = item.get("/Pg")
        return Content(page_of.get(where.objgen, page) if where is not None else page,
                       int(item.MCID))
    if kind == "/OBJR":
        return ObjRef(item)
    if "/S" not in item:
        return None
    where = item.get("/Pg")
    if where is not None and where.objgen in page_of:
        page = page_of[where.objgen]
    node = Node(item, str(item.S)[1:], page, parent=parent)
    for kid in as_list(item.get("/K")):
        read = _read(kid, node, page, page_of)
        if read is not None:
            node.kids.append(read)
    return node


def write_tree(document, top: list[Node], pages: list) -> None:
    """The nodes back into the PDF as its structure tree, with the parent tree that maps
    each page's marked content and each annotation to its element. `pages` are the parsed
    pages (pdfua_content.Page), in order."""
    root = document.Root.StructTreeRoot
    nums: dict[int, Dictionary | Array] = {}
    page_arrays: dict[int, dict[int, Dictionary]] = {}
    for node in top:
        node.parent = None
        _write_node(node, root, pages, page_arrays, nums)
    root.K = Array([node.obj for node in top])
    for index, page in enumerate(pages):
        mapping = page_arrays.get(index, {})
        key = page.page.obj.get("/StructParents")
        if key is None:
            if not mapping:
                continue
            key = _free_key(nums, pages)
            page.page.obj.StructParents = key
        size = max(page.mcids | set(mapping), default=-1) + 1
        nums[int(key)] = Array([mapping.get(mcid, None) for mcid in range(size)])
    root.ParentTree = document.make_indirect(Dictionary(
        Nums=Array([item for key in sorted(nums) for item in (key, nums[key])])))
    root.ParentTreeNextKey = max(nums, default=-1) + 1


def _free_key(nums: dict, pages: list) -> int:
    used = set(nums) | {int(page.page.obj.get("/StructParents", -1)) for page in pages}
    return max(used, default=-1) + 1


def _write_node(node: Node, parent_obj, pages: list, page_arrays: dict, nums: dict) -> None:
    obj = node.obj
    obj.S = Name("/" + node.s)
    obj.P = parent_obj
    if node.page is not None:
        obj.Pg = pages[node.page].page.obj
    kids = Array()
    for kid in node.kids:
        if isinstance(kid, Node):
            _write_node(kid, obj, pages, page_arrays, nums)
            kids.append(kid.obj)
        elif isinstance(kid, Content):
            page_arrays.setdefault(kid.page, {})[kid.mcid] = obj
            if kid.page == node.page:
                kids.append(kid.mcid)
            else:
                kids.append(Dictionary(Type=Name.MCR, MCID=kid.mcid,
                                       Pg=pages[kid.page].page.obj))
        else:
            annotation = kid.objr.Obj
            key = annotation.get("/StructParent")
            if key is None:
                key = max([*nums, *(int(p.page.obj.get("/StructParents", -1))
                                    for p in pages)], default=-1) + 1
                annotation.StructParent = key
            nums[int(key)] = obj
            kids.append(kid.objr)
    obj.K = kids
