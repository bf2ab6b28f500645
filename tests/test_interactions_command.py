"""`manage.py check_interactions CASE.json`: text, JSON and one-line errors."""

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from questionnaires.interactions import knowledge

CASES = Path(__file__).with_name("cases")
ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> str:
    out = StringIO()
    call_command("check_interactions", *args, stdout=out)
    return out.getvalue()


def test_json_output_has_the_documented_shape():
    document = json.loads(run(str(CASES / "bisphosphonate.json"), "--format", "json"))
    assert document["knowledge_version"] == knowledge.load().version
    assert document["limits"] == "uk"
    first = document["findings"][0]
    for key in (
        "rule",
        "kind",
        "severity",
        "subjects",
        "classes",
        "title",
        "message",
        "action",
        "spacing_hours",
        "sources",
    ):
        assert key in first
    rules = {f["rule"]: f for f in document["findings"]}
    bisphosphonate = rules["mg-bisphosphonates"]
    assert bisphosphonate["subjects"] == ["magnesium", "alendronic acid"]
    assert bisphosphonate["classes"] == ["bisphosphonates"]
    assert bisphosphonate["spacing_hours"] == 4
    assert bisphosphonate["sources"][0]["title"].startswith("UK SmPC")
    assert set(bisphosphonate["sources"][0]) >= {"title", "url"}


def test_json_lisinopril_example_lists_subjects_and_classes():
    document = json.loads(
        run(str(CASES / "lisinopril_letrozole.json"), "--format", "json")
    )
    [caution] = [
        f for f in document["findings"] if f["rule"] == "mg-antihypertensives-bp"
    ]
    assert caution["subjects"] == ["magnesium", "lisinopril"]
    assert caution["classes"] == ["ace inhibitors", "antihypertensives"]


def test_text_output_is_grouped_by_severity_for_people():
    text = run(str(CASES / "bisphosphonate.json"))
    assert "MAJOR (2)" in text
    assert text.index("MAJOR") < text.index("FOR INFORMATION")
    assert "Magnesium can stop alendronic acid being absorbed" in text
    assert "Keep apart: at least 4 hours" in text
    assert "Keep apart: at least 1 hour" in text
    assert "From the answers: Magnesium citrate (150 mg, 2 a day)" in text


def test_limits_option_changes_the_limit_used():
    case = str(CASES / "magnesium_forms.json")
    assert "UK EVM guidance level" in run(case)
    assert "EFSA upper level" in run(case, "--limits", "eu")
    assert "US IOM upper level" in run(case, "--limits", "us")


def test_no_findings_says_so():
    assert "No findings" in run(str(CASES / "nothing_to_flag.json"))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "case: not valid JSON"),
        ('{"weight": 70}', "weight: is not a known field"),
        ('{"age": "old"}', "age: must be a whole number"),
        (
            '{"supplements": [{"name": "Mg", "amount": -1}]}',
            "supplements[0].amount: must be a positive number",
        ),
        (
            '{"supplements": [{"name": "Mg", "unit": "spoon"}]}',
            "supplements[0].unit: must be one of mg, mcg, g, IU",
        ),
        (
            '{"symptoms": {"tiredness": 2}}',
            "symptoms.tiredness: is not a known symptom key",
        ),
    ],
)
def test_bad_input_raises_an_error_naming_the_field(tmp_path, content, message):
    case = tmp_path / "case.json"
    case.write_text(content)
    with pytest.raises(CommandError) as error:
        run(str(case))
    assert str(error.value).startswith(message)
    assert error.value.returncode == 2


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run(str(tmp_path / "absent.json"))


@pytest.mark.slow
def test_from_the_shell_bad_input_exits_2_with_one_line_and_no_traceback(tmp_path):
    case = tmp_path / "case.json"
    case.write_text('{"supplements": [{"name": "Magnesium", "amount": -150}]}')
    result = subprocess.run(
        [sys.executable, "manage.py", "check_interactions", str(case)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ},
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "supplements[0].amount: must be a positive number"
    ]
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


@pytest.mark.slow
def test_from_the_shell_json_output_parses(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "check_interactions",
            str(CASES / "levothyroxine_aspirin_fish_oil.json"),
            "--format",
            "json",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ},
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    rules = {f["rule"] for f in json.loads(result.stdout)["findings"]}
    assert {"mg-levothyroxine", "omega3-antiplatelets"} <= rules
