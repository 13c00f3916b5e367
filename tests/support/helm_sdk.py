"""Test helper: lints and renders a chart with real Helm, for tests/deploy_templates.rs.

Helm's own Go SDK, compiled into the shared library of the helm-python-sdk wheel (installed by
scripts/setup.sh into .tools/helm-python), so no helm binary or Go toolchain is needed.

Reads one JSON object on standard input:
    {"chart": DIRECTORY, "release": NAME, "namespace": NAMESPACE, "values": [OVERRIDES, ...]}
and writes one on standard output:
    {"helm": SDK VERSION, "lint": REPORT of `helm lint --strict`,
     "renders": [{TEMPLATE NAME: RENDERED TEXT, ...} for each OVERRIDES]}
A render error is reported as {"error": MESSAGE} in place of that render.
"""

import json
import sys

import helm_python as helm


def main() -> None:
    request = json.load(sys.stdin)
    report = {
        "helm": helm.helm_sdk_version(),
        "lint": helm.lint(request["chart"], strict=True, namespace=request["namespace"]),
        "renders": [],
    }
    with helm.Chart.load(request["chart"]) as chart:
        for overrides in request["values"]:
            try:
                rendered = chart.render(
                    overrides, name=request["release"], namespace=request["namespace"]
                )
            except helm.HelmError as error:
                rendered = {"error": str(error)}
            report["renders"].append(rendered)
    json.dump(report, sys.stdout)


if __name__ == "__main__":
    main()
