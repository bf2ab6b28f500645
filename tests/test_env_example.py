"""Every setting read from the environment is listed in .env.example and in
docs/deploy.md, so an operator who copies the example sees every knob."""

import re

from tests.test_settings import ROOT

READ = re.compile(r"""env(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]*)["']""")


def variables_read_by_the_settings() -> set[str]:
    return set(READ.findall((ROOT / "practice/settings.py").read_text()))


def test_the_settings_read_the_variables_we_expect_to_find():
    names = variables_read_by_the_settings()
    # Read across line breaks too, or a wrapped call would hide its variable.
    assert {"DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "COFACTOR_SITE_URL"} <= names
    assert "DJANGO_STATICFILES_STORAGE" in names


def test_every_variable_the_settings_read_is_in_the_env_example():
    example = (ROOT / ".env.example").read_text()
    listed = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]*)=", example, re.MULTILINE))
    assert variables_read_by_the_settings() - listed == set()


def test_every_variable_the_settings_read_is_explained_in_the_deploy_guide():
    guide = (ROOT / "docs/deploy.md").read_text()
    missing = {n for n in variables_read_by_the_settings() if f"`{n}`" not in guide}
    assert missing == set()
