"""The case page takes the same number of queries however many findings, entries
and other clients there are."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import ClientFactory
from tests.review_helpers import MAGNESIUM, submitted_case

MEDICINES = [
    "Lisinopril",
    "Levothyroxine",
    "Alendronic acid",
    "Omeprazole",
    "Furosemide",
    "Metformin",
    "Ciprofloxacin",
    "Doxycycline",
    "Gabapentin",
    "Digoxin",
    "Amlodipine",
    "Bendroflumethiazide",
]


def count(client, url) -> int:
    client.get(url)  # the first opening moves the case into review
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_case_page_costs_the_same_for_a_small_and_a_large_case(
    client, priya, alice, django_assert_max_num_queries
):
    small = submitted_case(alice, medications=[{"name": "Lisinopril"}])
    client.force_login(priya.user)
    few = count(client, f"/cases/{small.code}/")

    carol = ClientFactory(practitioner=priya)
    large = submitted_case(
        carol,
        medications=[{"name": name, "strength": "10 mg"} for name in MEDICINES],
        supplements=[MAGNESIUM] * 6,
        symptoms={"chest_pain": "2", "persistent_heartburn": "2", "fatigue": "3"},
    )
    assert large.findings.count() > 3 * small.findings.count()
    many = count(client, f"/cases/{large.code}/")
    assert many == few
    with django_assert_max_num_queries(30):
        client.get(f"/cases/{large.code}/")


def test_the_case_page_does_not_grow_with_the_number_of_clients(client, priya, alice):
    case = submitted_case(alice, medications=[{"name": "Lisinopril"}])
    client.force_login(priya.user)
    ClientFactory.create_batch(4, practitioner=priya)
    five = count(client, f"/cases/{case.code}/")
    ClientFactory.create_batch(45, practitioner=priya)
    fifty = count(client, f"/cases/{case.code}/")
    assert fifty == five
