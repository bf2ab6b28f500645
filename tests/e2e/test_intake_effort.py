"""How much work the whole questionnaire is for the demo client on a phone.

Alice (born 12 March 1952) walks every step at 375 px, typing with key presses and
tapping as a person does, from the portal to "sent". The walk counts the pages she
loads, the screens she scrolls through (page height / 812 px, summed), her taps and
her key presses, and prints them: the figures the issue asks for, before and after
the intake was made quicker. Run with `-s` to see them.

Each step is recognised by its heading and answered the same way whatever the
layout, so the figures compare like with like; where the page offers a quicker way
(feet and inches, a suggestion to pick, three boxes for a date) the walk takes it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Page, expect

from practice.models import Client
from questionnaires.intake import sending
from questionnaires.models import ResponseStatus
from tests.e2e.conftest import PHONE, new_context
from tests.e2e.helpers import sign_in

MEDICINES = [
    ("Alendronic acid", "70 mg", "once a week"),
    ("Amlodipine", "5 mg", "once a day"),
    ("Omeprazole", "20 mg", "once a day"),
]
SUPPLEMENTS = [("Magnesium citrate", "400", "1"), ("Cod liver oil", "1000", "1")]
SYMPTOMS = {"cramp": "Severe or constant", "tired": "Moderate or frequent"}


@dataclass
class Effort:
    pages: int = 0
    screens: float = 0.0
    taps: int = 0
    repeated_taps: int = 0
    keys: int = 0
    steps: list[str] = field(default_factory=list)
    per_page: list[dict] = field(default_factory=list)

    def tap(self, locator) -> None:
        self.taps += 1
        locator.click()

    def type(self, locator, text: str) -> None:
        self.taps += 1  # into the box
        self.keys += len(text)
        locator.press_sequentially(text)

    def page_seen(self, page: Page) -> None:
        height = page.evaluate("document.documentElement.scrollHeight")
        title = page.locator("h1").first.inner_text()
        self.pages += 1
        self.screens += height / PHONE["height"]
        self.per_page.append({"page": title, "height": height})


def _next(page: Page, effort: Effort) -> None:
    button = page.get_by_role("button", name=re.compile("^Save and (continue|review)$"))
    before = page.url
    effort.tap(button)
    # The page saves first, then moves on: wait for the next address.
    page.wait_for_url(lambda url: url != before)
    page.wait_for_load_state()


def _about_you(page: Page, effort: Effort) -> None:
    dob = page.get_by_role("group", name=re.compile("date of birth"))
    if dob.count():
        effort.type(dob.get_by_label("Day"), "12")
        effort.type(dob.get_by_label("Month"), "3")
        effort.type(dob.get_by_label("Year"), "1952")
    else:  # a native date input: the digits, the browser adds the separators
        box = page.get_by_label("What is your date of birth?")
        effort.tap(box)
        effort.keys += 8
        box.fill("1952-03-12")
    effort.tap(
        page.get_by_role("group", name="What is your sex?").get_by_label("Female")
    )
    for question in ("Are you pregnant?", "Are you breastfeeding?"):
        group = page.get_by_role("group", name=question)
        if group.count():
            effort.tap(group.get_by_label("No"))
    feet = page.get_by_label("Feet", exact=True)
    if feet.count():
        effort.type(feet, "5")
        effort.type(page.get_by_label("Inches", exact=True), "3")
        effort.type(page.get_by_label("Stones", exact=True), "10")
        effort.type(page.get_by_label("Pounds", exact=True), "4")
    else:  # centimetres and kilograms only: she works them out first
        effort.type(page.get_by_label(re.compile("How tall are you")), "160")
        effort.type(page.get_by_label(re.compile("How much do you weigh")), "65")


def _health(page: Page, effort: Effort) -> None:
    effort.tap(page.get_by_label("Osteoporosis or thin bones (osteopenia)"))
    effort.tap(page.get_by_label("High blood pressure (hypertension)"))
    for question in ("Are you pregnant?", "Are you breastfeeding?"):
        group = page.get_by_role("group", name=question)
        if group.count():
            effort.tap(group.get_by_label("No"))


def _add_row(page: Page, effort: Effort, noun: str, number: int) -> None:
    """Tap "Add another"; tap again if nothing appears, as people do."""
    card = page.get_by_role("group", name=f"{noun.capitalize()} {number}", exact=True)
    add = page.get_by_role("button", name=re.compile(f"^Add (another|a) {noun}", re.I))
    for attempt in range(3):
        effort.repeated_taps += attempt > 0
        effort.tap(add)
        try:
            expect(card).to_be_visible(timeout=2000)
            return
        except AssertionError:
            continue
    raise AssertionError(f"{noun} {number} never appeared")


def _pick_or_type(page: Page, effort: Effort, box, text: str) -> None:
    """Type until the suggestion appears, then tap it (when the page suggests)."""
    if box.get_attribute("role") != "combobox":
        effort.type(box, text)
        return
    for i, letter in enumerate(text):
        effort.keys += 1
        box.press_sequentially(letter)
        if i < 3:
            continue
        option = page.get_by_role("option", name=re.compile(f"^{text}", re.I))
        try:
            expect(option.first).to_be_visible(timeout=1500)
        except AssertionError:
            continue
        effort.tap(option.first)
        return
    effort.taps += 1


def _medicines(page: Page, effort: Effort) -> None:
    for i, (name, strength, often) in enumerate(MEDICINES, start=1):
        card = page.get_by_role("group", name=f"Medicine {i}", exact=True)
        if not card.count():
            _add_row(page, effort, "medicine", i)
        _pick_or_type(page, effort, card.get_by_label("Name of the medicine"), name)
        effort.type(card.get_by_label("Strength"), strength)
        effort.type(card.get_by_label("How often you take it"), often)


def _supplements(page: Page, effort: Effort) -> None:
    for i, (product, amount, per_day) in enumerate(SUPPLEMENTS, start=1):
        card = page.get_by_role("group", name=f"Supplement {i}", exact=True)
        if not card.count():
            _add_row(page, effort, "supplement", i)
        _pick_or_type(page, effort, card.get_by_label("Product name"), product)
        effort.type(card.get_by_label(re.compile("Amount in each")), amount)
        per_day_box = card.get_by_label(re.compile("(Doses|How many) a day"))
        if per_day_box.input_value() != per_day:  # "1" is already there
            effort.type(per_day_box, per_day)


def _diet(page: Page, effort: Effort) -> None:
    effort.tap(page.get_by_label("Vegetarian: no meat or fish"))
    for group in page.get_by_role("group").all():
        if group.get_by_label("Every day", exact=True).count():
            effort.tap(group.get_by_label("1 or 2 times a week", exact=True))
    effort.type(page.get_by_label(re.compile("cups of tea or coffee")), "4")
    effort.type(page.get_by_label(re.compile("glasses of water")), "5")


def _symptoms(page: Page, effort: Effort) -> None:
    for group in page.get_by_role("group").all():
        if not group.get_by_label("None", exact=True).count():
            continue
        legend = group.locator("legend").first.inner_text().lower()
        answer = next((a for k, a in SYMPTOMS.items() if k in legend), "None")
        effort.tap(group.get_by_label(answer, exact=True))


STEPS = {
    "About you": _about_you,
    "Your health": _health,
    "Medicines": _medicines,
    "Supplements": _supplements,
    "Food and drink": _diet,
    "Alcohol": lambda page, e: e.type(page.get_by_label(re.compile("units")), "10"),
    "Daily life": lambda page, e: e.tap(page.get_by_label("A little")),
    "Your goals": lambda page, e: e.type(
        page.get_by_label("What would you most like help with?"), "Fewer cramps"
    ),
    "Your consent": lambda page, e: e.tap(page.get_by_role("checkbox")),
}


def walk_questionnaire(page: Page) -> Effort:
    """From the portal to "sent": every step, the review, and the send button."""
    effort = Effort()
    effort.tap(page.get_by_role("link", name="Start the questionnaire"))
    page.wait_for_load_state()
    while page.get_by_text(re.compile(r"^Step \d+ of \d+$")).count():
        title = page.locator("h1").first.inner_text()
        effort.steps.append(title)
        handler = STEPS.get(title, _symptoms if "How you feel" in title else None)
        assert handler, f"no answers for the step {title!r}"
        handler(page, effort)
        effort.page_seen(page)  # its height once filled in
        _next(page, effort)
        alerts = page.get_by_role("alert")
        assert alerts.count() == 0, alerts.all_inner_texts()
    effort.page_seen(page)  # the review
    effort.tap(page.get_by_role("button", name="Send my questionnaire"))
    expect(
        page.get_by_role("heading", name="Thank you, your questionnaire has been sent")
    ).to_be_visible()
    effort.pages += 1
    return effort


@pytest.fixture
def fresh_questionnaire(demo):
    alice = Client.objects.get(user__email="client@example.com")
    alice.responses.all().delete()
    return sending.send_questionnaire(client=alice, sent_by=None)


def test_count_the_work_of_the_whole_questionnaire_on_a_phone(
    browser, live_server, fresh_questionnaire
):
    context = new_context(browser, live_server, PHONE)
    page = context.new_page()
    sign_in(page, "client@example.com")
    effort = walk_questionnaire(page)
    context.close()

    response = fresh_questionnaire
    response.refresh_from_db()
    assert response.status == ResponseStatus.SUBMITTED
    assert [m.name for m in response.medications.all()] == [m[0] for m in MEDICINES]
    stored = dict(response.answers.values_list("question__concept", "value"))
    assert stored["date_of_birth"] == "1952-03-12"
    assert stored["height_cm"] in ("5 ft 3 in", "160")  # after / before issue 11
    figures = {
        "steps": len(effort.steps),
        "pages loaded": effort.pages,
        "screens scrolled at 375x812": round(effort.screens, 1),
        "taps": effort.taps,
        "key presses": effort.keys,
        "add taps that had to be repeated": effort.repeated_taps,
        "per page": effort.per_page,
    }
    print("\nINTAKE EFFORT " + json.dumps(figures, indent=1))
