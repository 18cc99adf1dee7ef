"""The shared rule engine (``etr.rules``): versions, locating JSON and XML, and rules that raise."""

from __future__ import annotations

from typing import Any

import pytest
from lxml import etree

from etr.model import Location, Severity
from etr.rules import NO_HITS, JsonLocator, RuleSet, XmlLocator

VERSIONS = ("1.0", "1.1", "2.0", "2.1")


def ruleset() -> RuleSet[Any]:
    rules: RuleSet[Any] = RuleSet("test", VERSIONS)

    @rules.rule("T-ALWAYS", Severity.ERROR, "always", reference="test")
    def _always(doc: Any) -> Any:
        return [("/a", "always")]

    @rules.rule("T-SINCE", Severity.WARNING, "since 1.1", reference="test", since="1.1")
    def _since(doc: Any) -> Any:
        return [("", "since")]

    @rules.rule("T-UNTIL", Severity.ERROR, "until 1.1", reference="test", until="1.1")
    def _until(doc: Any) -> Any:
        return [("/b/0", "until")]

    @rules.rule("T-EXACT", Severity.ERROR, "exactly 1.0 and 2.1", reference="test", versions=("2.1", "1.0"))
    def _exact(doc: Any) -> Any:
        return [("/c", "exact")]

    @rules.rule("T-QUIET", Severity.ERROR, "never fires", reference="test")
    def _quiet(doc: Any) -> Any:
        return NO_HITS

    return rules


@pytest.mark.parametrize("version, codes", [
    ("1.0", ["T-ALWAYS", "T-UNTIL", "T-EXACT"]),
    ("1.1", ["T-ALWAYS", "T-SINCE", "T-UNTIL"]),
    ("2.0", ["T-ALWAYS", "T-SINCE"]),
    ("2.1", ["T-ALWAYS", "T-SINCE", "T-EXACT"]),
])
def test_a_rule_runs_only_in_its_versions(version: str, codes: list[str]) -> None:
    found = list(ruleset().run(version, lambda: {}, JsonLocator()))
    assert [f.code for f in found] == codes


def test_rules_record_their_versions() -> None:
    by_code = {r.code: r for r in ruleset().rules}
    assert by_code["T-ALWAYS"].versions == VERSIONS
    assert by_code["T-SINCE"].versions == ("1.1", "2.0", "2.1") and by_code["T-SINCE"].since == "1.1"
    assert by_code["T-UNTIL"].versions == ("1.0", "1.1") and by_code["T-UNTIL"].until == "1.1"
    assert by_code["T-EXACT"].versions == ("1.0", "2.1")
    assert by_code["T-EXACT"].applies_to("2.1") and not by_code["T-EXACT"].applies_to("2.0")


@pytest.mark.parametrize("kwargs", [{"since": "3.0"}, {"until": "0.9"}, {"versions": ("1.0", "9.9")},
                                    {"since": "2.0", "until": "1.0"}, {"since": "1.0", "versions": ("1.0",)}])
def test_bad_version_statements_are_refused(kwargs: dict[str, Any]) -> None:
    rules: RuleSet[Any] = RuleSet("test", VERSIONS)
    with pytest.raises(ValueError):
        rules.rule("T-X", Severity.ERROR, "x", reference="test", **kwargs)


def test_codes_are_unique() -> None:
    rules = ruleset()
    with pytest.raises(ValueError, match="duplicate"):
        rules.rule("T-ALWAYS", Severity.ERROR, "again", reference="test")(lambda doc: NO_HITS)


def test_unknown_version_is_refused_at_the_call() -> None:
    with pytest.raises(ValueError, match=r"3\.0"):
        ruleset().run("3.0", lambda: {}, JsonLocator())


def test_json_locations_are_made_absolute() -> None:
    found = list(ruleset().run("1.1", lambda: {}, JsonLocator("/transportDocument", attachment="bl.json")))
    assert [f.location for f in found] == [
        Location(pointer="/transportDocument/a", attachment="bl.json"),
        Location(pointer="/transportDocument", attachment="bl.json"),
        Location(pointer="/transportDocument/b/0", attachment="bl.json"),
    ]
    assert [f.severity for f in found] == [Severity.ERROR, Severity.WARNING, Severity.ERROR]


def test_a_raising_rule_is_a_warning_and_the_others_still_run() -> None:
    rules = ruleset()

    @rules.rule("T-BROKEN", Severity.ERROR, "raises", reference="test")
    def _broken(doc: Any) -> Any:
        return [("/x", "fine")] if doc["missing"] else NO_HITS

    @rules.rule("T-AFTER", Severity.ERROR, "after the broken one", reference="test")
    def _after(doc: Any) -> Any:
        return [("/y", "after")]

    found = list(rules.run("2.0", lambda: {}, JsonLocator()))
    assert [f.code for f in found] == ["T-ALWAYS", "T-SINCE", "ETR-RULE-ERROR", "T-AFTER"]
    error = found[2]
    assert error.severity is Severity.WARNING
    assert error.message == "rule T-BROKEN not evaluated: KeyError"
    assert error.detail == {"rule": "T-BROKEN", "exception": "KeyError"}


def test_a_rule_giving_a_bad_location_is_a_rule_error() -> None:
    rules: RuleSet[Any] = RuleSet("test", VERSIONS)

    @rules.rule("T-BAD-WHERE", Severity.ERROR, "not a pointer", reference="test")
    def _bad(doc: Any) -> Any:
        return [("a/b", "relative without a slash")]

    found = list(rules.run("1.0", lambda: {}, JsonLocator()))
    assert [(f.code, f.message) for f in found] == [("ETR-RULE-ERROR", "rule T-BAD-WHERE not evaluated: TypeError")]


def test_a_context_that_cannot_be_built_is_one_rule_error() -> None:
    def context() -> Any:
        raise ValueError("odd shape")

    found = list(ruleset().run("1.0", context, JsonLocator()))
    assert [(f.code, f.message) for f in found] == [("ETR-RULE-ERROR", "rule test (all rules) not evaluated: "
                                                                        "ValueError")]


# --------------------------------------------------------------------------- XML

NS = {"inv": "urn:example:invoice"}
INVOICE = b"""<Invoice xmlns="urn:example:invoice" xmlns:x="urn:example:ext">
  <ID>INV-1</ID>
  <Line>
    <Amount>-5</Amount>
  </Line>
  <Line>
    <Amount>7</Amount>
  </Line>
  <x:Note>n</x:Note>
</Invoice>
"""


def xml_rules() -> RuleSet[Any]:
    rules: RuleSet[Any] = RuleSet("xml-test", ("1",))

    @rules.rule("X-NEGATIVE", Severity.ERROR, "amounts are not negative", reference="test")
    def _negative(root: Any) -> Any:
        # An element: the driver records its path and line.
        return [(amount, f"amount {amount.text} is negative")
                for amount in root.iterfind("inv:Line/inv:Amount", NS) if amount.text.startswith("-")]

    @rules.rule("X-SECOND-LINE", Severity.WARNING, "a relative path that selects an element", reference="test")
    def _second(root: Any) -> Any:
        return [("inv:Line[2]/inv:Amount", "second line's amount")]

    @rules.rule("X-MISSING", Severity.ERROR, "a relative path to a missing member", reference="test")
    def _missing(root: Any) -> Any:
        return [("inv:IssueDate", "IssueDate is missing")] if root.find("inv:IssueDate", NS) is None else NO_HITS

    @rules.rule("X-ROOT", Severity.WARNING, "the element given", reference="test")
    def _root(root: Any) -> Any:
        return [("", "about the invoice")]

    @rules.rule("X-PREFIXED", Severity.WARNING, "an element with a prefix", reference="test")
    def _prefixed(root: Any) -> Any:
        return [(root[3], "a note")]

    return rules


def test_xml_rules_are_located_by_xpath_and_line() -> None:
    root = etree.fromstring(INVOICE)
    found = list(xml_rules().run("1", lambda: root, XmlLocator(root, NS, attachment="factur-x.xml")))
    assert [(f.code, f.location) for f in found] == [
        ("X-NEGATIVE", Location(xpath="/*/*[2]/*", line=4, attachment="factur-x.xml")),
        ("X-SECOND-LINE", Location(xpath="/*/*[3]/*", line=7, attachment="factur-x.xml")),
        ("X-MISSING", Location(xpath="/*/inv:IssueDate", line=1, attachment="factur-x.xml")),
        ("X-ROOT", Location(xpath="/*", line=1, attachment="factur-x.xml")),
        ("X-PREFIXED", Location(xpath="/*/x:Note", line=9, attachment="factur-x.xml")),
    ]
    # The recorded path selects the very element the rule pointed at.
    tree = root.getroottree()
    amount = tree.xpath(found[0].location.xpath)  # type: ignore[union-attr]
    assert amount[0].text == "-5"


def test_xml_rules_are_relative_to_the_element_given() -> None:
    root = etree.fromstring(b"<Envelope><Body>" + INVOICE + b"</Body></Envelope>")
    invoice = root[0][0]
    found = list(xml_rules().run("1", lambda: invoice, XmlLocator(invoice, NS)))
    assert [(f.code, f.location.xpath if f.location else None) for f in found] == [
        ("X-NEGATIVE", "/Envelope/Body/*/*[2]/*"),
        ("X-SECOND-LINE", "/Envelope/Body/*/*[3]/*"),
        ("X-MISSING", "/Envelope/Body/*/inv:IssueDate"),
        ("X-ROOT", "/Envelope/Body/*"),
        ("X-PREFIXED", "/Envelope/Body/*/x:Note"),
    ]


def test_an_xml_rule_giving_something_else_is_a_rule_error() -> None:
    rules: RuleSet[Any] = RuleSet("xml-test", ("1",))

    @rules.rule("X-BAD", Severity.ERROR, "gives a number", reference="test")
    def _bad(root: Any) -> Any:
        return [(42, "not a place")]

    root = etree.fromstring(INVOICE)
    found = list(rules.run("1", lambda: root, XmlLocator(root, NS)))
    assert [(f.code, f.message) for f in found] == [("ETR-RULE-ERROR", "rule X-BAD not evaluated: TypeError")]
