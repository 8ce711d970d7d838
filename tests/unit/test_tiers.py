"""Import arrows point down only: the unifier's tiers, the shared library below every service,
no service importing another, and the tools (load generator, dev stack) above the product:
neither the shared library nor a service imports them. Read from the source with ``ast``
(nothing is imported).

Unifier tiers, highest first; a module may import its own tier and any tier below it:

| tier | what | may import of the unifier |
|---|---|---|
| http | FastAPI app, agent API, workspace pages, SSE live feed | everything |
| processes | consumer runtime and handler, relay, worker, rethread, settings | all but http |
| service | agent commands: merge, close, split, reply, suggestions | service, store, domain |
| store | SQL: schema, migrations, load/write of plans, queries | store, domain |
| domain | pure decisions | domain; else only the stdlib and the contract |

The consumer runtime sits below the API: the app passes its live feed in as an on-commit hook.
Below the entry points nothing speaks HTTP (fastapi, jinja2, typer); the service tier leaves
SQL (sqlalchemy, tables, dialect helpers) to the store.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT / "shared" / "src"
PACKAGES = sorted((ROOT / "services").glob("*/src/*/__init__.py"))
SERVICES = {p.parent.name: p.parent.parent for p in PACKAGES}  # package -> its src directory
TOOLS = "hotline_tools"  # load generator, dev stack: they use the product, never the reverse

# Longest prefix wins: the API and the app are entry points above the other entry points.
UNIFIER_TIERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "http",
        (
            "unifier.entrypoints.api",
            "unifier.entrypoints.web",
            "unifier.entrypoints.app",
            "unifier.__main__",
        ),
    ),
    # the runtime, consumer handler, relay, worker, rethread; the settings and the shims kept
    # for `python -m unifier.worker` and the `unifier.cli:rethread` entry point
    ("processes", ("unifier.entrypoints", "unifier.worker", "unifier.cli", "unifier.settings")),
    ("service", ("unifier.service",)),
    ("store", ("unifier.store",)),
    ("domain", ("unifier.domain",)),
)
RANK = {name: rank for rank, (name, _) in enumerate(UNIFIER_TIERS)}  # 0 = highest
# What the domain may import besides itself and the standard library: the event contract.
DOMAIN_ALLOWED = ("hotline.events", "hotline.unified")
# The web and the console belong to the entry points: below them, no tier imports these.
ENTRY_ONLY = ("fastapi", "starlette", "jinja2", "typer", "rich", "hotline.http")
# SQL is the store's: a service module takes a connection and calls store functions.
SQL = ("sqlalchemy", "unifier.store.schema", "unifier.store.dialect", "unifier.store.bulk")
SQL_TYPES = ("sqlalchemy.ext.asyncio",)  # AsyncConnection: the transaction a command runs in


@dataclass(frozen=True)
class Arrow:
    source: str  # importing module
    target: str  # imported module (or package)
    where: str  # file:line

    def __str__(self) -> str:
        return f"{self.where}: {self.source} imports {self.target}"


def module_of(path: Path, src: Path) -> str:
    parts = list(path.relative_to(src).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def targets(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> Iterator[str]:
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
        return
    base = node.module or ""
    if node.level:  # relative: resolve against the importing package
        package = module.split(".") if is_package else module.split(".")[:-1]
        anchor = package[: len(package) - node.level + 1]
        base = ".".join([*anchor, base] if base else anchor)
    for alias in node.names:
        yield f"{base}.{alias.name}"  # a submodule, or a name in `base`: both classify as `base`


def arrows(src: Path, package: str) -> Iterator[Arrow]:
    for path in sorted((src / package).rglob("*.py")):
        module = module_of(path, src)
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                for target in targets(node, module, path.name == "__init__.py"):
                    yield Arrow(module, target, where)


def within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def tier_of(module: str) -> str | None:
    best: tuple[int, str] | None = None
    for name, prefixes in UNIFIER_TIERS:
        for prefix in prefixes:
            if within(module, prefix) and (best is None or len(prefix) > best[0]):
                best = (len(prefix), name)
    return best[1] if best else None


def unifier_arrows() -> list[Arrow]:
    return [a for a in arrows(SERVICES["unifier"], "unifier") if a.source != "unifier"]


def upward(arrow: Arrow) -> bool:
    source, target = tier_of(arrow.source), tier_of(arrow.target)
    if source is None or target is None or not within(arrow.target, "unifier"):
        return False
    return RANK[target] < RANK[source]


def impure(arrow: Arrow) -> bool:
    if tier_of(arrow.source) != "domain" or arrow.target == "__future__":
        return False
    top = arrow.target.split(".")[0]
    if top in sys.stdlib_module_names or within(arrow.target, "unifier.domain"):
        return False
    return not any(within(arrow.target, allowed) for allowed in DOMAIN_ALLOWED)


def web_below_entrypoints(arrow: Arrow) -> bool:
    below = tier_of(arrow.source) in {"service", "store", "domain"}
    return below and any(within(arrow.target, name) for name in ENTRY_ONLY)


def inline_sql(arrow: Arrow) -> bool:
    if tier_of(arrow.source) != "service" or any(within(arrow.target, t) for t in SQL_TYPES):
        return False
    return any(within(arrow.target, name) for name in SQL)


def test_every_unifier_module_has_a_tier() -> None:
    modules = {a.source for a in unifier_arrows()}
    modules |= {module_of(p, SERVICES["unifier"]) for p in SERVICES["unifier"].rglob("*.py")}
    assert sorted(m for m in modules - {"unifier"} if tier_of(m) is None) == []


def test_no_unifier_tier_imports_a_higher_one() -> None:
    wrong = [a for a in unifier_arrows() if upward(a)]
    assert [str(a) for a in wrong] == []


def test_the_domain_is_pure() -> None:
    wrong = [a for a in unifier_arrows() if impure(a)]
    assert [str(a) for a in wrong] == []


def test_only_entrypoints_speak_http() -> None:
    wrong = [a for a in unifier_arrows() if web_below_entrypoints(a)]
    assert [str(a) for a in wrong] == []


def test_services_leave_sql_to_the_store() -> None:
    wrong = [a for a in unifier_arrows() if inline_sql(a)]
    assert [str(a) for a in wrong] == []


def test_the_shared_library_imports_no_service() -> None:
    wrong = [a for a in arrows(SHARED, "hotline") if a.target.split(".")[0] in SERVICES]
    assert [str(a) for a in wrong] == []


def test_the_product_imports_no_tools() -> None:
    product = [(SHARED, "hotline"), *((src, name) for name, src in SERVICES.items())]
    wrong = [a for src, name in product for a in arrows(src, name) if within(a.target, TOOLS)]
    assert [str(a) for a in wrong] == []


def test_services_do_not_import_each_other() -> None:
    wrong = [
        a
        for name, src in SERVICES.items()
        for a in arrows(src, name)
        if a.target.split(".")[0] in SERVICES.keys() - {name}
    ]
    assert [str(a) for a in wrong] == []


def test_the_check_sees_an_upward_arrow() -> None:
    """The classification itself: a store module importing the API would be caught."""
    assert upward(Arrow("unifier.store.queries", "unifier.entrypoints.api.routes.router", "x:1"))
    assert upward(Arrow("unifier.entrypoints.runtime", "unifier.entrypoints.api.live_feed", "x:1"))
    assert upward(Arrow("unifier.service.commands", "unifier.entrypoints.runtime", "x:1"))
    assert upward(Arrow("unifier.domain.unify", "unifier.store.write.write_plan", "x:1"))
    assert not upward(Arrow("unifier.entrypoints.api.routes", "unifier.store.queries", "x:1"))
    assert impure(Arrow("unifier.domain.unify", "sqlalchemy", "x:1"))
    assert not impure(Arrow("unifier.domain.unify", "hotline.events.Identifier", "x:1"))
    assert web_below_entrypoints(Arrow("unifier.service.commands", "fastapi.HTTPException", "x:1"))
    assert not web_below_entrypoints(Arrow("unifier.entrypoints.api.routes", "fastapi", "x:1"))
    assert inline_sql(Arrow("unifier.service.commands", "unifier.store.schema.contacts", "x:1"))
    assert not inline_sql(Arrow("unifier.service.commands", "sqlalchemy.ext.asyncio", "x:1"))
