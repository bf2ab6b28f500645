"""Medicine and supplement names suggested as a client types: what is suggested,
that it comes from whatever knowledge base is loaded, and who may ask."""

import shutil

import pytest

from questionnaires.intake import suggestions
from questionnaires.interactions import knowledge

MEDICINES = "/q/suggest/medicines/"
SUPPLEMENTS = "/q/suggest/supplements/"


def labels(found):
    return [s.label for s in found]


def test_typing_the_start_of_a_medicine_suggests_it():
    assert labels(suggestions.suggest("medicines", "omep"))[0] == "Omeprazole"
    assert "Alendronic acid" in labels(suggestions.suggest("medicines", "alen"))


def test_a_uk_brand_is_suggested_with_its_generic_name():
    found = suggestions.suggest("medicines", "fosa")
    assert [(s.label, s.hint) for s in found] == [("Fosamax", "alendronic acid")]


def test_a_known_misspelling_leads_to_the_right_name():
    assert labels(suggestions.suggest("medicines", "amlodap")) == ["Amlodipine"]


def test_a_typing_slip_still_finds_the_name():
    assert "Omeprazole" in labels(suggestions.suggest("medicines", "omeprazol3"))


def test_one_letter_suggests_nothing_and_at_most_eight_are_given():
    assert suggestions.suggest("medicines", "a") == []
    assert len(suggestions.suggest("medicines", "ce")) <= suggestions.LIMIT


def test_supplements_suggest_nutrients_their_forms_and_products():
    found = labels(suggestions.suggest("supplements", "magnesium c"))
    assert "Magnesium citrate" in found
    assert labels(suggestions.suggest("supplements", "cod li"))[0] == "Cod liver oil"
    assert "Adcal-D3" in labels(suggestions.suggest("supplements", "adcal"))


def test_a_generic_name_comes_before_its_brands_and_other_names():
    assert labels(suggestions.suggest("supplements", "mag"))[0] == "Magnesium"


def test_a_medicine_added_to_the_knowledge_base_is_suggested_without_code(tmp_path):
    copy = tmp_path / "knowledge"
    shutil.copytree(knowledge.KNOWLEDGE_DIR, copy)
    with (copy / "drugs.toml").open("a") as drugs:
        drugs.write(
            # Made up for this test only, in a copy of the knowledge base.
            '\n[[drug]]\nid = "testomab"\nname = "testomab"\n'
            'atc = "V03AX99"\natc_ver = "U"\nclasses = []\nbrands = ["Zyxtest"]\n'
        )
    grown = knowledge.load_uncached(copy)
    found = suggestions.suggest("medicines", "zyx", knowledge=grown)
    assert [(s.label, s.hint) for s in found] == [("Zyxtest", "testomab")]
    assert labels(suggestions.suggest("medicines", "zyx")) == []  # the shipped one


# ------------------------------------------------------------------ access


def test_a_signed_in_client_gets_suggestions(client, alice, bob):
    for person in (alice, bob):
        client.force_login(person.user)
        answer = client.get(MEDICINES, {"q": "fosa"})
        assert answer.status_code == 200
        assert answer.json() == {
            "suggestions": [{"label": "Fosamax", "hint": "alendronic acid"}]
        }


def test_someone_signed_out_is_sent_to_sign_in(client, db):
    answer = client.get(MEDICINES, {"q": "fosa"})
    assert answer.status_code == 302
    assert answer["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("who", ["priya", "omar", "ada"])
def test_staff_get_404(client, request, who):
    person = request.getfixturevalue(who)
    client.force_login(getattr(person, "user", person))
    assert client.get(MEDICINES, {"q": "fosa"}).status_code == 404
    assert client.get(SUPPLEMENTS, {"q": "mag"}).status_code == 404


def test_only_medicines_and_supplements_can_be_asked_for(client, alice):
    client.force_login(alice.user)
    assert client.get("/q/suggest/conditions/", {"q": "dia"}).status_code == 404
    assert client.post(MEDICINES, {"q": "fosa"}).status_code == 405


def test_a_very_long_or_odd_query_is_answered_quietly(client, alice):
    client.force_login(alice.user)
    for text in ("x" * 5000, "\x00\x00", "<script>", "' OR 1=1 --", "   "):
        answer = client.get(SUPPLEMENTS, {"q": text})
        assert answer.status_code == 200
        assert isinstance(answer.json()["suggestions"], list)


def test_suggestions_do_not_touch_the_database_beyond_the_session(
    client, alice, django_assert_max_num_queries
):
    client.force_login(alice.user)
    with django_assert_max_num_queries(2):  # the session and the user
        client.get(MEDICINES, {"q": "amlo"})
