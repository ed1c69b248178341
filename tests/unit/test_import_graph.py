"""The house's imports, read by grimp (the import-graph library behind import-linter): no import
circles anywhere, and the domain imports nothing from the floors above it."""

from __future__ import annotations

import grimp
import pytest

PACKAGES = ("wms", "printing", "scanners")


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph(*PACKAGES, include_external_packages=False)


def test_no_module_imports_one_that_imports_it_back(graph):
    circles = set()
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            if graph.chain_exists(importer=imported, imported=module):
                circles.add(tuple(sorted((module, imported))))
    assert sorted(circles) == []


def test_the_domain_stands_alone(graph):
    for module in graph.find_children("wms.domain") | {"wms.domain"}:
        for imported in graph.find_modules_directly_imported_by(module):
            assert imported.startswith("wms.domain"), f"{module} imports {imported}"
