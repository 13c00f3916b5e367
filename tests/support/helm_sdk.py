"""Test helper: lints and renders a chart with real Helm, for tests/deploy_templates.rs, and
validates what it renders against the Kubernetes API schemas.

Helm's own Go SDK, compiled into the shared library of the helm-python-sdk wheel, and the
OpenAPI schemas of Kubernetes shipped by kubernetes-validate (both installed by
scripts/setup.sh into .tools/helm-python), so no helm binary, Go toolchain or cluster is needed.

Reads one JSON object on standard input:
    {"chart": DIRECTORY, "release": NAME, "namespace": NAMESPACE, "values": [OVERRIDES, ...]}
and writes one on standard output:
    {"helm": SDK VERSION, "lint": REPORT of `helm lint --strict`,
     "renders": [{TEMPLATE NAME: RENDERED TEXT, ...} for each OVERRIDES],
     "schema_errors": [MESSAGE, ...]}
A render error is reported as {"error": MESSAGE} in place of that render. Schema errors name
the set of overrides (by index), the template, the Kubernetes version and the field.
"""

import json
import sys

import helm_python as helm
import kubernetes_validate
import yaml

# The oldest and the newest Kubernetes the schemas cover; the chart asks for 1.23 or later.
KUBERNETES_VERSIONS = ["1.25.0", "1.35.0"]


def schema_errors(index: int, rendered: dict) -> list:
    """Each rendered object checked against the strict schemas: unknown fields are errors."""
    errors = []
    for template, text in sorted(rendered.items()):
        if template.endswith("NOTES.txt"):
            continue
        for document in yaml.safe_load_all(text):
            if not document:
                continue
            for version in KUBERNETES_VERSIONS:
                try:
                    kubernetes_validate.validate(document, version, strict=True)
                except kubernetes_validate.ValidationError as error:
                    field = ".".join(str(part) for part in error.path)
                    errors.append(
                        f"values #{index}: {template}: Kubernetes {version}: {field}: {error.message}"
                    )
    return errors


def main() -> None:
    request = json.load(sys.stdin)
    report = {
        "helm": helm.helm_sdk_version(),
        "lint": helm.lint(request["chart"], strict=True, namespace=request["namespace"]),
        "renders": [],
        "schema_errors": [],
    }
    with helm.Chart.load(request["chart"]) as chart:
        for index, overrides in enumerate(request["values"]):
            try:
                rendered = chart.render(
                    overrides, name=request["release"], namespace=request["namespace"]
                )
                report["schema_errors"].extend(schema_errors(index, rendered))
            except helm.HelmError as error:
                rendered = {"error": str(error)}
            report["renders"].append(rendered)
    json.dump(report, sys.stdout)


if __name__ == "__main__":
    main()
