"""System check: the knowledge base must load and validate before the app serves."""

from __future__ import annotations

from pathlib import Path

from django.core.checks import CheckMessage, Error, register

from questionnaires.interactions.knowledge import (
    KNOWLEDGE_DIR,
    KnowledgeError,
    load,
    load_uncached,
)


def check_knowledge(directory: Path = KNOWLEDGE_DIR) -> list[CheckMessage]:
    """Return one error naming the file, entry and problem, or nothing."""
    try:
        if Path(directory) == KNOWLEDGE_DIR:
            load()  # kept: the process that checks then serves loads it once
        else:
            load_uncached(Path(directory))
    except KnowledgeError as error:
        return [
            Error(
                f"Knowledge base: {error}",
                hint="Fix that entry in questionnaires/interactions/knowledge/.",
                obj=error.file,
                id="questionnaires.E001",
            )
        ]
    return []


@register()
def knowledge_base(app_configs: object = None, **kwargs: object) -> list[CheckMessage]:
    return check_knowledge()
