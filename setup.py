"""Packaging detail pyproject.toml cannot say: schemas/ (course JSON Schemas, XSD catalog and lock,
the project's own driver XSDs) is shipped inside the wheel as the data package builder.course_schemas,
so an installed builder finds them without a checkout. Everything else is in pyproject.toml."""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["builder", "builder.*"]), "builder.course_schemas"],
    package_dir={"builder.course_schemas": "schemas"},
    package_data={
        "builder": ["templates/*", "static/*", "static/scorm/*", "locale/*.pot", "locale/*/LC_MESSAGES/*.po"],
        "builder.course_schemas": ["*.json", "schemas.lock", "drivers/*.xsd"],
    },
)
