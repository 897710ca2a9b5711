"""The question generators by name: the names module.yaml lists under ``quiz.generators``."""

from __future__ import annotations

from collections.abc import Callable

from builder.model import Course, Module
from builder.quiz.choices import Generated
from builder.quiz.competency_questions import (
    competency_from_description,
    competency_matching,
    description_from_title,
    module_of_competency,
)
from builder.quiz.context_questions import audience_true_false, module_dependencies

Generator = Callable[[Course, Module, int], Generated]

# The order is the order they run in; schemas/module.schema.json lists the same names.
GENERATORS: dict[str, Generator] = {
    "competency-from-description": competency_from_description,
    "description-from-title": description_from_title,
    "module-of-competency": module_of_competency,
    "competency-matching": competency_matching,
    "audience-true-false": audience_true_false,
    "module-dependencies": module_dependencies,
}
