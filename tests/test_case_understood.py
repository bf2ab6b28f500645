"""The case page's "How each answer was understood" section (issue 10, item 7), and
the answers casefacts now reads for it: smoking and free-text red-flag words."""

import pytest

from questionnaires.models import Answer
from questionnaires.review.engine_facts import build_case_facts
from tests.intake_helpers import shipped_version
from tests.review_helpers import MAGNESIUM, submitted_case

ADCAL = {"name": "Adcal-D3", "strength": "", "frequency": "one tablet twice daily"}
TYPO = {"name": "Atorvastatn", "strength": "40 mg", "frequency": "at night"}


def herb(name: str) -> dict:
    return {**MAGNESIUM, "product": name, "nutrient": name, "form": ""}


@pytest.fixture
def case(alice):
    response = submitted_case(
        alice,
        medications=[ADCAL, TYPO],
        supplements=[MAGNESIUM, herb("Ashwagandha"), herb("Gotu kola")],
    )
    _answer(response, "conditions_other", "sarcoidosis")
    return response


def case_url(response):
    return f"/cases/{response.code}/"


def section(page: str) -> str:
    start = page.index('id="understood"')
    return page[start : page.index("</section>", start)]


def test_case_page_shows_how_each_answer_was_understood(client, priya, case):
    client.force_login(priya.user)
    page = section(client.get(case_url(case)).content.decode())
    # A product listed as a medicine, with the label amounts counted.
    assert "Adcal-d3 <span" in page and "(product)" in page
    assert "Calcium: 1200 mg a day" in page
    assert "Vitamin d: 20 mcg a day" in page
    # A misspelling matched by a guess is flagged for checking.
    assert "fuzzy (check it)" in page
    # Recognised with no rule is not the same as not recognised.
    assert "Recognised; no interaction in our knowledge base" in page
    assert "Not recognised: a person must match it" in page
    # Conditions are listed too.
    assert "Sarcoidosis" in page and "(condition)" in page


@pytest.mark.parametrize("who", ["anonymous", "bob", "omar"])
def test_nobody_else_sees_the_section(client, case, who, request):
    if who != "anonymous":
        person = request.getfixturevalue(who)
        client.force_login(person.user)
    got = client.get(case_url(case))
    assert got.status_code in (302, 403, 404)
    assert b"How each answer was understood" not in got.content


def _answer(response, concept, value):
    question = shipped_version().questions.get(concept=concept)
    Answer.objects.update_or_create(
        response=response, question=question, defaults={"value": value}
    )


def test_smoking_and_free_text_reach_the_engine(alice):
    response = submitted_case(alice, supplements=[MAGNESIUM])
    _answer(response, "smoking", "current")
    _answer(response, "anything_else", "I have had black stools this month")
    facts = build_case_facts(response)
    assert facts.smoker is True
    assert facts.notes["anything_else"] == "I have had black stools this month"


def test_a_former_smoker_is_not_a_smoker(alice):
    response = submitted_case(alice, supplements=[MAGNESIUM])
    _answer(response, "smoking", "former")
    assert build_case_facts(response).smoker is False


def test_an_entry_can_be_matched_by_hand_to_a_named_product(client, priya, alice):
    response = submitted_case(
        alice,
        medications=[
            {"name": "Calcium chews from the GP", "frequency": "twice daily"},
            {"name": "Levothyroxine", "strength": "100 micrograms"},
        ],
    )
    client.force_login(priya.user)
    client.get(case_url(response))
    row = response.medications.get(position=0)
    search = client.get(
        case_url(response), {"match": str(row.code), "q": "calcichew forte"}
    ).content.decode()
    assert 'value="calcichew_d3_forte"' in search
    assert "(product)" in search
    done = client.post(
        f"/cases/{response.code}/medication/{row.code}/match/",
        {"substance": "calcichew_d3_forte"},
        follow=True,
    ).content.decode()
    assert "to calcichew-d3 forte" in done
    rules = set(response.findings.current().values_list("rule", flat=True))
    assert "ca-levothyroxine" in rules
    understood = section(client.get(case_url(response)).content.decode())
    assert "by hand" in understood
    assert "Calcium: 1000 mg a day" in understood  # 500 mg x twice daily
