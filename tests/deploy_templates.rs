//! The deployment files of a generated service: the Helm chart, the Dockerfile and the CI
//! workflow under templates/new render for every kind of project, and the chart, rendered the
//! way `helm template` does (see tests/support/helm.rs), makes valid, production-shaped
//! Kubernetes objects. The last test checks that renderer against real Helm, and lints the
//! chart with it.

mod support;

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Value as Json, json};
use sha2::{Digest, Sha256};
use support::helm::{self, Chart, Document, Release};

/// The project options `axiomod new` puts into the tera context.
struct Project {
    name: &'static str,
    crate_name: &'static str,
    db: &'static str,
    broker: &'static str,
}

const SHOP: Project = Project {
    name: "shop",
    crate_name: "shop",
    db: "postgres",
    broker: "nats",
};

const ORDER_SERVICE: Project = Project {
    name: "order-service",
    crate_name: "order_service",
    db: "sqlite",
    broker: "none",
};

/// A crate name with an underscore, which Kubernetes names do not allow.
const BILLING_API: Project = Project {
    name: "billing_api",
    crate_name: "billing_api",
    db: "postgres",
    broker: "rabbitmq",
};

/// The name of the chart and of the Kubernetes objects: lowercase, dashes for underscores.
fn k8s_name(project: &Project) -> String {
    project.name.to_lowercase().replace('_', "-")
}

/// A DNS-1123 label: what Service and container names must be (other names are a superset).
fn is_dns_label(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name.chars().all(|character| {
            character.is_ascii_lowercase() || character.is_ascii_digit() || character == '-'
        })
        && !name.starts_with('-')
        && !name.ends_with('-')
}

fn templates_root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/new"))
}

fn tera_context(project: &Project) -> tera::Context {
    tera::Context::from_serialize(json!({
        "project": {
            "name": project.name,
            "crate_name": project.crate_name,
            "db": project.db,
            "broker": project.broker,
        },
        "axiomod_version": "0.1.0",
    }))
    .expect("a JSON object is a valid tera context")
}

/// Renders one file of templates/new like `axiomod new`: `.tera` files through tera (suffix
/// dropped), anything else verbatim, `__name__` path segments replaced by the project name.
fn render_template_file(relative: &str, project: &Project) -> (String, String) {
    let source = std::fs::read_to_string(templates_root().join(relative))
        .unwrap_or_else(|error| panic!("cannot read templates/new/{relative}: {error}"));
    let target = relative
        .split('/')
        .map(|segment| {
            if segment == "__name__" {
                project.name
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/");
    match target.strip_suffix(".tera") {
        Some(target) => {
            let rendered = tera::Tera::one_off(&source, &tera_context(project), false)
                .unwrap_or_else(|error| panic!("{relative} does not render: {error:?}"));
            (target.to_string(), rendered)
        }
        None => (target, source),
    }
}

/// Every file under templates/new/`directory`, rendered; generated path → content.
fn render_tree(directory: &str, project: &Project) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    let mut pending = vec![directory.to_string()];
    while let Some(current) = pending.pop() {
        let entries = std::fs::read_dir(templates_root().join(&current))
            .unwrap_or_else(|error| panic!("cannot list templates/new/{current}: {error}"));
        for entry in entries {
            let entry = entry.expect("a directory entry of templates/new");
            let relative = format!("{current}/{}", entry.file_name().to_string_lossy());
            if entry.path().is_dir() {
                pending.push(relative);
            } else {
                let (target, content) = render_template_file(&relative, project);
                files.insert(target, content);
            }
        }
    }
    files
}

fn chart(project: &Project) -> Chart {
    let prefix = format!("deploy/helm/{}/", project.name);
    let files = render_tree("deploy", project);
    let file = |name: &str| {
        files
            .get(&format!("{prefix}{name}"))
            .unwrap_or_else(|| panic!("the chart has no {name}"))
    };
    let parse = |name: &str| -> Json {
        serde_norway::from_str(file(name))
            .unwrap_or_else(|error| panic!("{name} is not valid YAML: {error}\n{}", file(name)))
    };
    let templates = files
        .iter()
        .filter_map(|(path, content)| {
            let name = path.strip_prefix(&format!("{prefix}templates/"))?;
            Some((name.to_string(), content.clone()))
        })
        .collect();
    Chart {
        metadata: parse("Chart.yaml"),
        values: parse("values.yaml"),
        templates,
    }
}

fn release() -> Release {
    Release {
        name: "prod".to_string(),
        namespace: "apps".to_string(),
    }
}

/// The chart of `project` rendered with `overrides`, every document parsed.
fn render_chart(project: &Project, overrides: Json) -> Vec<Document> {
    let rendered = helm::render(&chart(project), &release(), &overrides, true)
        .unwrap_or_else(|error| panic!("the chart of {} does not render: {error}", project.name));
    rendered
        .documents()
        .unwrap_or_else(|error| panic!("the chart of {}: {error}", project.name))
}

fn kinds(documents: &[Document]) -> Vec<String> {
    let mut kinds: Vec<String> = documents
        .iter()
        .map(|document| document.value["kind"].as_str().unwrap_or("?").to_string())
        .collect();
    kinds.sort();
    kinds
}

fn find<'a>(documents: &'a [Document], kind: &str) -> &'a Json {
    let mut matching = documents
        .iter()
        .filter(|document| document.value["kind"] == kind);
    let found = matching
        .next()
        .unwrap_or_else(|| panic!("no {kind} among {:?}", kinds(documents)));
    assert!(matching.next().is_none(), "more than one {kind}");
    &found.value
}

fn only_container(workload: &Json) -> &Json {
    let containers = workload["spec"]["template"]["spec"]["containers"]
        .as_array()
        .expect("the pod template has containers");
    assert_eq!(containers.len(), 1, "one container per pod");
    &containers[0]
}

fn env_var<'a>(container: &'a Json, name: &str) -> Option<&'a Json> {
    container["env"]
        .as_array()
        .expect("the container has an env list")
        .iter()
        .find(|variable| variable["name"] == name)
}

/// Whether every label of `selector` is on `labels`.
fn selects(selector: &Json, labels: &Json) -> bool {
    let selector = selector.as_object().expect("a label selector is a map");
    !selector.is_empty()
        && selector
            .iter()
            .all(|(key, value)| labels.get(key) == Some(value))
}

fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

// --- the chart's files ---------------------------------------------------------------------

#[test]
fn chart_files_render_for_every_kind_of_project() {
    for project in [&SHOP, &ORDER_SERVICE, &BILLING_API] {
        let files = render_tree("deploy", project);
        let chart_directory = format!("deploy/helm/{}", project.name);
        for expected in [
            "Chart.yaml",
            "values.yaml",
            ".helmignore",
            "values.schema.json",
            "templates/_helpers.tpl",
            "templates/deployment.yaml",
            "templates/service.yaml",
            "templates/configmap.yaml",
            "templates/ingress.yaml",
            "templates/hpa.yaml",
            "templates/pdb.yaml",
            "templates/serviceaccount.yaml",
            "templates/migration-job.yaml",
            "templates/NOTES.txt",
        ] {
            assert!(
                files.contains_key(&format!("{chart_directory}/{expected}")),
                "{} lacks {expected}: {:?}",
                project.name,
                files.keys()
            );
        }
        for (path, content) in &files {
            assert!(
                !path.contains("__name__") && !path.ends_with(".tera"),
                "{path}"
            );
            for tera_syntax in ["{%", "%}", "{#", "#}"] {
                assert!(!content.contains(tera_syntax), "{path} keeps {tera_syntax}");
            }
        }

        let chart = chart(project);
        assert_eq!(chart.metadata["apiVersion"], "v2");
        assert_eq!(chart.metadata["name"], k8s_name(project));
        assert_eq!(chart.metadata["type"], "application");
        assert!(chart.metadata["version"].is_string());
        assert!(chart.metadata["appVersion"].is_string());
    }
}

/// Every key of `values` is declared where `schema` (a values.schema.json node) closes its
/// object with `additionalProperties: false`; `path` names the place in messages.
fn assert_declared(values: &Json, schema: &Json, root: &Json, path: &str) {
    let schema = match schema["$ref"].as_str() {
        Some(reference) => {
            let name = reference
                .strip_prefix("#/definitions/")
                .expect("references point into definitions");
            &root["definitions"][name]
        }
        None => schema,
    };
    let Some(values) = values.as_object() else {
        return;
    };
    for (key, value) in values {
        let declared = &schema["properties"][key];
        if declared.is_null() {
            assert_ne!(
                schema["additionalProperties"], false,
                "values.yaml has {path}{key}, which values.schema.json does not declare"
            );
            continue;
        }
        assert_declared(value, declared, root, &format!("{path}{key}."));
    }
}

#[test]
fn values_schema_declares_every_default_value() {
    for project in [&SHOP, &ORDER_SERVICE, &BILLING_API] {
        let files = render_tree("deploy", project);
        let schema_text = &files[&format!("deploy/helm/{}/values.schema.json", project.name)];
        let schema: Json = serde_json::from_str(schema_text).expect("values.schema.json is JSON");
        assert_eq!(schema["additionalProperties"], false);
        assert_declared(&chart(project).values, &schema, &schema, "");
        // The check itself can fail.
        let result = std::panic::catch_unwind(|| {
            assert_declared(
                &json!({"autoscaling": {"enable": true}}),
                &schema,
                &schema,
                "",
            )
        });
        assert!(result.is_err(), "a misspelt key must be reported");
    }
}

#[test]
fn values_never_hold_a_database_password() {
    for project in [&SHOP, &ORDER_SERVICE, &BILLING_API] {
        let chart = chart(project);
        let database = &chart.values["database"];
        let url = database["url"].as_str().expect("database.url is a string");
        assert!(!url.contains('@'), "{}: credentials in {url}", project.name);
        if project.db == "postgres" {
            assert_eq!(
                database["existingSecret"],
                format!("{}-database", k8s_name(project))
            );
            assert_eq!(url, "");
        } else {
            assert_eq!(database["existingSecret"], "");
            assert!(url.starts_with("sqlite:///data/"), "{url}");
        }
        assert_eq!(chart.values["broker"]["url"], "");
        let expected_broker_secret = match project.broker {
            "none" => String::new(),
            _ => format!("{}-broker", k8s_name(project)),
        };
        assert_eq!(
            chart.values["broker"]["existingSecret"],
            expected_broker_secret
        );
    }
}

// --- default values ------------------------------------------------------------------------

#[test]
fn default_values_render_every_template_to_valid_yaml() {
    let postgres = render_chart(&SHOP, Json::Null);
    assert_eq!(
        kinds(&postgres),
        [
            "ConfigMap",
            "Deployment",
            "Job",
            "PodDisruptionBudget",
            "Service",
            "ServiceAccount"
        ]
    );
    // SQLite: one replica on one volume, so no disruption budget, and the pod migrates at start.
    let sqlite = render_chart(&ORDER_SERVICE, Json::Null);
    assert_eq!(
        kinds(&sqlite),
        ["ConfigMap", "Deployment", "Service", "ServiceAccount"]
    );
    // A crate name with an underscore still gives valid Kubernetes names.
    let underscored = render_chart(&BILLING_API, Json::Null);
    assert_eq!(
        find(&underscored, "Deployment")["metadata"]["name"],
        "prod-billing-api"
    );
    for document in postgres.iter().chain(&sqlite).chain(&underscored) {
        let value = &document.value;
        assert!(value["apiVersion"].is_string(), "{}", document.source);
        let name = value["metadata"]["name"].as_str().expect("a name");
        assert!(name.starts_with("prod-"), "{name}");
        assert!(is_dns_label(name), "{name} is not a valid object name");
        let pod = &value["spec"]["template"]["spec"];
        for container in pod["containers"].as_array().into_iter().flatten() {
            let container_name = container["name"].as_str().expect("a container name");
            assert!(is_dns_label(container_name), "{container_name}");
        }
        let labels = &value["metadata"]["labels"];
        assert_eq!(labels["app.kubernetes.io/instance"], "prod");
        assert_eq!(labels["app.kubernetes.io/managed-by"], "Helm");
        assert_eq!(labels["app.kubernetes.io/version"], "0.1.0");
        assert!(
            labels["helm.sh/chart"]
                .as_str()
                .is_some_and(|chart| chart.ends_with("-0.1.0"))
        );
    }
}

#[test]
fn deployment_has_probes_resources_and_a_locked_down_security_context() {
    for project in [&SHOP, &ORDER_SERVICE, &BILLING_API] {
        let documents = render_chart(project, Json::Null);
        let deployment = find(&documents, "Deployment");
        assert_eq!(
            deployment["metadata"]["name"],
            format!("prod-{}", k8s_name(project))
        );
        let expected_replicas = if project.db == "sqlite" { 1 } else { 2 };
        assert_eq!(deployment["spec"]["replicas"], expected_replicas);
        // Never fewer serving pods during an upgrade; SQLite's single volume forbids overlap.
        let expected_strategy = if project.db == "sqlite" {
            json!({"type": "Recreate"})
        } else {
            json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}})
        };
        assert_eq!(deployment["spec"]["strategy"], expected_strategy);

        let pod = &deployment["spec"]["template"]["spec"];
        let container = only_container(deployment);
        assert_eq!(container["name"], k8s_name(project));
        assert_eq!(container["image"], format!("{}:0.1.0", project.name));
        assert_eq!(container["args"], json!(["serve"]));
        assert_eq!(
            container["ports"],
            json!([{"name": "http", "containerPort": 8080, "protocol": "TCP"}])
        );
        assert_eq!(container["livenessProbe"]["httpGet"]["path"], "/live");
        assert_eq!(container["livenessProbe"]["httpGet"]["port"], "http");
        assert_eq!(container["readinessProbe"]["httpGet"]["path"], "/ready");
        assert_eq!(container["readinessProbe"]["httpGet"]["port"], "http");
        assert_eq!(container["startupProbe"]["httpGet"]["path"], "/live");

        assert!(container["resources"]["requests"]["cpu"].is_string());
        assert!(container["resources"]["requests"]["memory"].is_string());
        assert!(container["resources"]["limits"]["memory"].is_string());

        let security = &container["securityContext"];
        assert_eq!(security["runAsNonRoot"], true);
        assert_eq!(security["runAsUser"], 10001);
        assert_eq!(security["readOnlyRootFilesystem"], true);
        assert_eq!(security["allowPrivilegeEscalation"], false);
        assert_eq!(security["capabilities"]["drop"], json!(["ALL"]));
        assert_eq!(security["seccompProfile"]["type"], "RuntimeDefault");
        assert_eq!(pod["securityContext"]["runAsNonRoot"], true);
        assert_eq!(pod["securityContext"]["runAsUser"], 10001);
        assert_eq!(
            pod["securityContext"]["seccompProfile"]["type"],
            "RuntimeDefault"
        );

        assert_eq!(pod["terminationGracePeriodSeconds"], 30);
        assert_eq!(
            pod["serviceAccountName"],
            format!("prod-{}", k8s_name(project))
        );
        assert_eq!(pod["automountServiceAccountToken"], false);

        // The read-only root filesystem leaves /tmp writable through an emptyDir.
        let mounts = container["volumeMounts"].as_array().expect("volume mounts");
        let volumes = pod["volumes"].as_array().expect("volumes");
        let tmp = mounts
            .iter()
            .find(|mount| mount["mountPath"] == "/tmp")
            .expect("/tmp is mounted");
        let tmp_volume = volumes
            .iter()
            .find(|volume| volume["name"] == tmp["name"])
            .expect("the /tmp volume exists");
        assert_eq!(tmp_volume["emptyDir"], json!({}));
        for mount in mounts {
            assert!(
                volumes.iter().any(|volume| volume["name"] == mount["name"]),
                "{mount} mounts a volume the pod does not have"
            );
        }
    }
}

#[test]
fn environment_follows_the_runtime_contract_and_takes_urls_from_secrets() {
    let documents = render_chart(&SHOP, Json::Null);
    let container = only_container(find(&documents, "Deployment"));
    assert_eq!(env_var(container, "PORT").expect("PORT")["value"], "8080");
    assert_eq!(
        env_var(container, "LOG_FORMAT").expect("LOG_FORMAT")["value"],
        "json"
    );
    assert_eq!(
        env_var(container, "RUST_LOG").expect("RUST_LOG")["value"],
        "info"
    );
    // The hook Job migrates: the pods do not.
    assert_eq!(
        env_var(container, "MIGRATE_ON_START").expect("MIGRATE_ON_START")["value"],
        "false"
    );
    assert_eq!(
        env_var(container, "DATABASE_URL").expect("DATABASE_URL"),
        &json!({"name": "DATABASE_URL", "valueFrom": {"secretKeyRef": {"name": "shop-database", "key": "url"}}})
    );
    assert_eq!(
        env_var(container, "BROKER_URL").expect("BROKER_URL"),
        &json!({"name": "BROKER_URL", "valueFrom": {"secretKeyRef": {"name": "shop-broker", "key": "url"}}})
    );
    assert!(env_var(container, "OTEL_EXPORTER_OTLP_ENDPOINT").is_none());

    let documents = render_chart(
        &SHOP,
        json!({
            "env": {
                "otelExporterOtlpEndpoint": "http://otel-collector:4317",
                "logFormat": "pretty",
                "extra": [{"name": "FEATURE_X", "value": "on"}],
            },
            "broker": {"existingSecret": "", "url": "nats://nats:4222"},
        }),
    );
    let container = only_container(find(&documents, "Deployment"));
    assert_eq!(
        env_var(container, "OTEL_EXPORTER_OTLP_ENDPOINT").expect("OTEL endpoint")["value"],
        "http://otel-collector:4317"
    );
    assert_eq!(
        env_var(container, "LOG_FORMAT").expect("LOG_FORMAT")["value"],
        "pretty"
    );
    assert_eq!(
        env_var(container, "FEATURE_X").expect("extra env")["value"],
        "on"
    );
    assert_eq!(
        env_var(container, "BROKER_URL").expect("BROKER_URL")["value"],
        "nats://nats:4222"
    );
}

#[test]
fn sqlite_project_keeps_its_database_on_a_volume_and_migrates_at_start() {
    let documents = render_chart(&ORDER_SERVICE, Json::Null);
    let deployment = find(&documents, "Deployment");
    let container = only_container(deployment);
    assert_eq!(
        env_var(container, "DATABASE_URL").expect("DATABASE_URL")["value"],
        "sqlite:///data/order_service.db?mode=rwc"
    );
    assert_eq!(
        env_var(container, "MIGRATE_ON_START").expect("MIGRATE_ON_START")["value"],
        "true"
    );
    assert!(env_var(container, "BROKER_URL").is_none());
    let data = container["volumeMounts"]
        .as_array()
        .expect("volume mounts")
        .iter()
        .find(|mount| mount["mountPath"] == "/data")
        .expect("/data is mounted");
    assert_eq!(data["name"], "data");

    let documents = render_chart(
        &ORDER_SERVICE,
        json!({"persistence": {"existingClaim": "order-data"}}),
    );
    let volumes = &find(&documents, "Deployment")["spec"]["template"]["spec"]["volumes"];
    let data = volumes
        .as_array()
        .expect("volumes")
        .iter()
        .find(|volume| volume["name"] == "data")
        .expect("the data volume");
    assert_eq!(data["persistentVolumeClaim"]["claimName"], "order-data");
}

#[test]
fn service_routes_to_the_http_port_of_the_deployment_pods() {
    let documents = render_chart(&SHOP, Json::Null);
    let service = find(&documents, "Service");
    let deployment = find(&documents, "Deployment");
    assert_eq!(service["spec"]["type"], "ClusterIP");
    assert_eq!(
        service["spec"]["ports"],
        json!([{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}])
    );
    let pod_labels = &deployment["spec"]["template"]["metadata"]["labels"];
    assert!(selects(&service["spec"]["selector"], pod_labels));
    assert!(selects(
        &deployment["spec"]["selector"]["matchLabels"],
        pod_labels
    ));
    assert_eq!(
        service["spec"]["selector"],
        deployment["spec"]["selector"]["matchLabels"]
    );
}

#[test]
fn configmap_is_mounted_under_app_config_and_rolls_the_pods_when_it_changes() {
    let rendered = helm::render(&chart(&SHOP), &release(), &Json::Null, true).expect("renders");
    let documents = rendered.documents().expect("valid YAML");
    let configmap = find(&documents, "ConfigMap");
    assert_eq!(configmap["metadata"]["name"], "prod-shop");
    let settings = configmap["data"]["kubernetes.toml"]
        .as_str()
        .expect("the default configuration file");
    assert!(
        settings.starts_with("# Settings for this deployment"),
        "{settings}"
    );

    let deployment = find(&documents, "Deployment");
    let pod = &deployment["spec"]["template"];
    let config_text = &rendered.manifests["shop/templates/configmap.yaml"];
    assert_eq!(
        pod["metadata"]["annotations"]["checksum/config"],
        sha256_hex(config_text)
    );
    let config_volume = pod["spec"]["volumes"]
        .as_array()
        .expect("volumes")
        .iter()
        .find(|volume| volume["name"] == "config")
        .expect("the config volume");
    assert_eq!(config_volume["configMap"]["name"], "prod-shop");
    let mount = only_container(deployment)["volumeMounts"]
        .as_array()
        .expect("volume mounts")
        .iter()
        .find(|mount| mount["name"] == "config")
        .expect("the config mount");
    assert_eq!(mount["mountPath"], "/app/config/kubernetes.toml");
    assert_eq!(mount["subPath"], "kubernetes.toml");
    assert_eq!(mount["readOnly"], true);

    let changed = render_chart(
        &SHOP,
        json!({"config": {"files": {"kubernetes.toml": "[http]\ntimeout_seconds = 5\n"}}}),
    );
    let changed_configmap = find(&changed, "ConfigMap");
    assert_eq!(
        changed_configmap["data"]["kubernetes.toml"],
        "[http]\ntimeout_seconds = 5\n"
    );
    assert_ne!(
        find(&changed, "Deployment")["spec"]["template"]["metadata"]["annotations"]["checksum/config"],
        pod["metadata"]["annotations"]["checksum/config"]
    );
}

#[test]
fn migration_hook_job_runs_migrate_before_install_and_upgrade() {
    let documents = render_chart(&SHOP, Json::Null);
    let job = find(&documents, "Job");
    assert_eq!(job["apiVersion"], "batch/v1");
    assert_eq!(job["metadata"]["name"], "prod-shop-migrate");
    let annotations = &job["metadata"]["annotations"];
    assert_eq!(annotations["helm.sh/hook"], "pre-install,pre-upgrade");
    assert_eq!(
        annotations["helm.sh/hook-delete-policy"],
        "before-hook-creation,hook-succeeded"
    );
    assert_eq!(job["spec"]["backoffLimit"], 3);
    assert_eq!(job["spec"]["activeDeadlineSeconds"], 600);

    let pod = &job["spec"]["template"]["spec"];
    assert_eq!(pod["restartPolicy"], "Never");
    // Before a first install the chart's ServiceAccount does not exist yet.
    assert!(pod["serviceAccountName"].is_null());
    assert_eq!(pod["automountServiceAccountToken"], false);
    let migrate = only_container(job);
    assert_eq!(migrate["args"], json!(["migrate"]));

    // The same image, environment and security as the service itself.
    let deployment = find(&documents, "Deployment");
    let serve = only_container(deployment);
    assert_eq!(migrate["image"], serve["image"]);
    assert_eq!(migrate["env"], serve["env"]);
    assert_eq!(migrate["securityContext"], serve["securityContext"]);
    assert_eq!(
        pod["securityContext"],
        deployment["spec"]["template"]["spec"]["securityContext"]
    );
    assert!(migrate["resources"]["limits"]["memory"].is_string());

    // The Service must never send requests to the migration pod.
    let job_pod_labels = &job["spec"]["template"]["metadata"]["labels"];
    assert!(!selects(
        &find(&documents, "Service")["spec"]["selector"],
        job_pod_labels
    ));
    assert!(!selects(
        &deployment["spec"]["selector"]["matchLabels"],
        job_pod_labels
    ));

    let with_account = render_chart(
        &SHOP,
        json!({"migrations": {"serviceAccountName": "migrator"}}),
    );
    assert_eq!(
        find(&with_account, "Job")["spec"]["template"]["spec"]["serviceAccountName"],
        "migrator"
    );
}

#[test]
fn optional_objects_render_when_enabled() {
    let documents = render_chart(
        &SHOP,
        json!({
            "ingress": {
                "enabled": true,
                "className": "nginx",
                "annotations": {"cert-manager.io/cluster-issuer": "letsencrypt"},
                "hosts": [{"host": "shop.example.org", "paths": [{"path": "/", "pathType": "Prefix"}]}],
                "tls": [{"secretName": "shop-tls", "hosts": ["shop.example.org"]}],
            },
            "autoscaling": {"enabled": true, "minReplicas": 3, "maxReplicas": 7, "targetCPUUtilizationPercentage": 65},
            "podDisruptionBudget": {"minAvailable": 2},
            "serviceAccount": {"annotations": {"iam.gke.io/gcp-service-account": "shop@project.iam.gserviceaccount.com"}},
        }),
    );
    assert_eq!(
        kinds(&documents),
        [
            "ConfigMap",
            "Deployment",
            "HorizontalPodAutoscaler",
            "Ingress",
            "Job",
            "PodDisruptionBudget",
            "Service",
            "ServiceAccount"
        ]
    );

    let ingress = find(&documents, "Ingress");
    assert_eq!(ingress["apiVersion"], "networking.k8s.io/v1");
    assert_eq!(ingress["spec"]["ingressClassName"], "nginx");
    assert_eq!(
        ingress["metadata"]["annotations"]["cert-manager.io/cluster-issuer"],
        "letsencrypt"
    );
    assert_eq!(
        ingress["spec"]["tls"],
        json!([{"hosts": ["shop.example.org"], "secretName": "shop-tls"}])
    );
    let rule = &ingress["spec"]["rules"][0];
    assert_eq!(rule["host"], "shop.example.org");
    assert_eq!(
        rule["http"]["paths"][0],
        json!({"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "prod-shop", "port": {"number": 80}}}})
    );

    let autoscaler = find(&documents, "HorizontalPodAutoscaler");
    assert_eq!(autoscaler["apiVersion"], "autoscaling/v2");
    assert_eq!(
        autoscaler["spec"]["scaleTargetRef"],
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "name": "prod-shop"})
    );
    assert_eq!(autoscaler["spec"]["minReplicas"], 3);
    assert_eq!(autoscaler["spec"]["maxReplicas"], 7);
    assert_eq!(
        autoscaler["spec"]["metrics"][0]["resource"],
        json!({"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 65}})
    );
    // The autoscaler owns the replica count.
    assert!(find(&documents, "Deployment")["spec"]["replicas"].is_null());

    let budget = find(&documents, "PodDisruptionBudget");
    assert_eq!(budget["apiVersion"], "policy/v1");
    assert_eq!(budget["spec"]["minAvailable"], 2);
    let pod_labels = &find(&documents, "Deployment")["spec"]["template"]["metadata"]["labels"];
    assert!(selects(
        &budget["spec"]["selector"]["matchLabels"],
        pod_labels
    ));

    let account = find(&documents, "ServiceAccount");
    assert_eq!(account["metadata"]["name"], "prod-shop");
    assert_eq!(
        account["metadata"]["annotations"]["iam.gke.io/gcp-service-account"],
        "shop@project.iam.gserviceaccount.com"
    );
    assert_eq!(account["automountServiceAccountToken"], false);
}

#[test]
fn optional_objects_are_absent_when_disabled() {
    let documents = render_chart(
        &SHOP,
        json!({
            "serviceAccount": {"create": false},
            "migrations": {"enabled": false, "onStart": true},
            "podDisruptionBudget": {"enabled": false},
        }),
    );
    assert_eq!(kinds(&documents), ["ConfigMap", "Deployment", "Service"]);
    let deployment = find(&documents, "Deployment");
    assert_eq!(
        deployment["spec"]["template"]["spec"]["serviceAccountName"],
        "default"
    );
    assert_eq!(
        env_var(only_container(deployment), "MIGRATE_ON_START").expect("MIGRATE_ON_START")["value"],
        "true"
    );
}

#[test]
fn scheduling_and_pod_metadata_values_reach_every_pod() {
    let documents = render_chart(
        &SHOP,
        json!({
            "image": {"repository": "registry.example.com/team/shop", "tag": "1.4.2", "pullPolicy": "Always"},
            "imagePullSecrets": [{"name": "registry"}],
            "podAnnotations": {"prometheus.io/scrape": "true"},
            "podLabels": {"team": "checkout"},
            "nodeSelector": {"kubernetes.io/arch": "arm64"},
            "tolerations": [{"key": "dedicated", "operator": "Equal", "value": "apps", "effect": "NoSchedule"}],
            "affinity": {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
                {"weight": 100, "podAffinityTerm": {"topologyKey": "kubernetes.io/hostname",
                    "labelSelector": {"matchLabels": {"app.kubernetes.io/name": "shop"}}}}
            ]}},
            "terminationGracePeriodSeconds": 45,
        }),
    );
    let deployment = find(&documents, "Deployment");
    let template = &deployment["spec"]["template"];
    assert_eq!(
        template["metadata"]["annotations"]["prometheus.io/scrape"],
        "true"
    );
    assert!(template["metadata"]["annotations"]["checksum/config"].is_string());
    assert_eq!(template["metadata"]["labels"]["team"], "checkout");
    assert_eq!(
        template["metadata"]["labels"]["app.kubernetes.io/version"],
        "1.4.2"
    );
    assert_eq!(template["spec"]["terminationGracePeriodSeconds"], 45);
    let container = only_container(deployment);
    assert_eq!(container["image"], "registry.example.com/team/shop:1.4.2");
    assert_eq!(container["imagePullPolicy"], "Always");

    let job = find(&documents, "Job");
    assert_eq!(only_container(job)["image"], container["image"]);
    for pod in [&template["spec"], &job["spec"]["template"]["spec"]] {
        assert_eq!(pod["imagePullSecrets"], json!([{"name": "registry"}]));
        assert_eq!(pod["nodeSelector"], json!({"kubernetes.io/arch": "arm64"}));
        assert_eq!(pod["tolerations"][0]["key"], "dedicated");
        assert_eq!(
            pod["affinity"]["podAntiAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"]
                [0]["weight"],
            100
        );
    }
}

#[test]
fn names_follow_helm_conventions() {
    let name_of = |release_name: &str, overrides: Json| {
        let release = Release {
            name: release_name.to_string(),
            namespace: "apps".to_string(),
        };
        let rendered =
            helm::render(&chart(&SHOP), &release, &overrides, true).expect("the chart renders");
        let documents = rendered.documents().expect("valid YAML");
        find(&documents, "Deployment")["metadata"]["name"]
            .as_str()
            .expect("a name")
            .to_string()
    };
    // A release named like the chart is not repeated.
    assert_eq!(name_of("shop", Json::Null), "shop");
    assert_eq!(name_of("shop-eu", Json::Null), "shop-eu");
    assert_eq!(
        name_of("prod", json!({"fullnameOverride": "storefront"})),
        "storefront"
    );
    assert_eq!(
        name_of("prod", json!({"nameOverride": "store"})),
        "prod-store"
    );
    // At most 63 characters, never ending with a dash.
    assert_eq!(
        name_of(&"a".repeat(59), Json::Null),
        format!("{}-sho", "a".repeat(59))
    );
    let cut_at_dash = name_of(&"b".repeat(62), Json::Null);
    assert_eq!(cut_at_dash, "b".repeat(62));

    // The migration Job keeps "-migrate" within 63 characters.
    let long_release = Release {
        name: "c".repeat(62),
        namespace: "apps".to_string(),
    };
    let documents = helm::render(&chart(&SHOP), &long_release, &Json::Null, true)
        .expect("the chart renders")
        .documents()
        .expect("valid YAML");
    let job_name = find(&documents, "Job")["metadata"]["name"]
        .as_str()
        .expect("a name")
        .to_string();
    assert_eq!(job_name, format!("{}-migrate", "c".repeat(55)));
    assert!(is_dns_label(&job_name));
}

#[test]
fn a_database_url_is_required() {
    let result = helm::render(
        &chart(&SHOP),
        &release(),
        &json!({"database": {"existingSecret": ""}}),
        true,
    );
    let error = result
        .err()
        .expect("rendering without a database URL fails");
    assert!(
        error.contains("database.existingSecret (a Secret holding DATABASE_URL) or database.url"),
        "{error}"
    );
}

#[test]
fn notes_tell_how_to_reach_the_service() {
    let rendered = helm::render(&chart(&SHOP), &release(), &Json::Null, true).expect("renders");
    assert!(
        rendered.notes.contains("release prod in namespace apps"),
        "{}",
        rendered.notes
    );
    assert!(rendered.notes.contains("hook Job prod-shop-migrate"));
    assert!(
        rendered
            .notes
            .contains("create secret generic shop-database --from-literal=url=")
    );
    assert!(
        rendered
            .notes
            .contains("port-forward service/prod-shop 8080:80")
    );

    let with_ingress = helm::render(
        &chart(&SHOP),
        &release(),
        &json!({"ingress": {"enabled": true, "tls": [{"secretName": "t", "hosts": ["shop.example.com"]}]}}),
        true,
    )
    .expect("renders");
    assert!(
        with_ingress.notes.contains("https://shop.example.com/"),
        "{}",
        with_ingress.notes
    );
}

// --- the renderer standing in for helm can fail --------------------------------------------

fn single_template_chart(source: &str) -> Chart {
    Chart {
        metadata: json!({"apiVersion": "v2", "name": "probe", "version": "1.0.0+build.7", "appVersion": "2.0"}),
        values: json!({"text": "a-b-", "number": 5, "empty": "", "list": [], "map": {"b": 1, "a": "x"}}),
        templates: BTreeMap::from([("probe.yaml".to_string(), source.to_string())]),
    }
}

fn render_one(source: &str) -> Result<String, String> {
    let rendered = helm::render(
        &single_template_chart(source),
        &release(),
        &Json::Null,
        true,
    )?;
    Ok(rendered
        .manifests
        .get("probe/templates/probe.yaml")
        .cloned()
        .unwrap_or_default())
}

#[test]
fn renderer_implements_the_sprig_functions_with_go_semantics() {
    let cases = [
        (r#"{{ .Values.text | trimSuffix "-" }}"#, "a-b"),
        (r#"{{ .Values.text | trunc 2 }}"#, "a-"),
        (r#"{{ .Values.text | trunc -2 }}"#, "b-"),
        (r#"{{ .Values.text | replace "-" "_" }}"#, "a_b_"),
        (r#"{{ .Values.empty | default "fallback" }}"#, "fallback"),
        (r#"{{ .Values.list | default "fallback" }}"#, "fallback"),
        (r#"{{ .Values.missing | default "fallback" }}"#, "fallback"),
        (r#"{{ .Values.text | default "fallback" }}"#, "a-b-"),
        (r#"{{ .Values.number | quote }}"#, r#""5""#),
        (r#"{{ "say \"hi\"" | quote }}"#, r#""say \"hi\"""#),
        (r#"{{ .Values.number | toString | quote }}"#, r#""5""#),
        (r#"{{ contains "b" .Values.text }}"#, "true"),
        (r#"{{ "x\ny" | indent 2 }}"#, "  x\n  y"),
        (r#"a:{{ "x\ny" | nindent 2 }}"#, "a:\n  x\n  y"),
        (r#"{{ toYaml .Values.map }}"#, "a: x\nb: 1"),
        (r#"{{ toYaml .Values.list }}"#, "[]"),
        (
            r#"{{ "abc" | sha256sum }}"#,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        ),
        (
            r#"{{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}"#,
            "probe-1.0.0_build.7",
        ),
        (r#"{{ required "needed" .Values.text }}"#, "a-b-"),
    ];
    for (source, expected) in cases {
        assert_eq!(render_one(source).as_deref(), Ok(expected), "{source}");
    }
    let include = r#"{{- define "probe.inner" -}}[{{ . }}]{{- end -}}{{ include "probe.inner" .Values.text | trimSuffix "]" }}"#;
    assert_eq!(render_one(include).as_deref(), Ok("[a-b-"));
}

#[test]
fn renderer_fails_on_bad_templates() {
    // A function the renderer does not implement is a parse error, never empty output.
    assert!(render_one(r#"{{ .Values.text | upper }}"#).is_err());
    // Strings only where Go wants strings.
    assert!(render_one(r#"{{ .Values.number | trunc 2 }}"#).is_err());
    // .Chart is a struct: a misspelt field is an error.
    assert!(render_one(r#"{{ .Chart.Nmae }}"#).is_err());
    // A missing value printed as such is an error in strict mode (helm lint --strict).
    assert!(render_one(r#"{{ .Values.missing }}"#).is_err());
    let lenient = helm::render(
        &single_template_chart("a: {{ .Values.missing }}"),
        &release(),
        &Json::Null,
        false,
    )
    .expect("renders without strict mode");
    assert_eq!(lenient.manifests["probe/templates/probe.yaml"], "a: ");
    assert!(
        render_one(r#"{{ required "need a value" .Values.empty }}"#)
            .is_err_and(|error| error.contains("need a value"))
    );
    assert!(render_one(r#"{{ include "nowhere" . }}"#).is_err());
    assert!(render_one("{{ if .Values.text }}unclosed").is_err());
    // Invalid YAML and duplicate keys are caught when the documents are read.
    for invalid in ["a: [1, 2", "a: 1\na: 2", "a: 1\n b: 2"] {
        let rendered = helm::render(
            &single_template_chart(invalid),
            &release(),
            &Json::Null,
            true,
        )
        .expect("plain text renders");
        assert!(
            rendered.documents().is_err(),
            "{invalid:?} should not parse"
        );
    }
    // Several documents in one file, blank ones skipped.
    let rendered = helm::render(
        &single_template_chart("---\na: 1\n---\n\n---\nb: 2\n"),
        &release(),
        &Json::Null,
        true,
    )
    .expect("renders");
    assert_eq!(rendered.documents().expect("valid YAML").len(), 2);
}

// --- Dockerfile ----------------------------------------------------------------------------

#[test]
fn dockerfile_builds_in_two_stages_and_runs_as_a_non_root_user() {
    for project in [&SHOP, &ORDER_SERVICE] {
        let (path, dockerfile) = render_template_file("Dockerfile.tera", project);
        assert_eq!(path, "Dockerfile");
        let name = project.name;
        let instructions: Vec<&str> = dockerfile
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .collect();
        let froms: Vec<&&str> = instructions
            .iter()
            .filter(|line| line.starts_with("FROM "))
            .collect();
        assert_eq!(
            froms,
            [
                &"FROM rust:1.95-slim-bookworm AS builder",
                &"FROM gcr.io/distroless/cc-debian12:nonroot"
            ]
        );
        // The dependency layer is built before the sources are copied.
        let position = |needle: &str| {
            instructions
                .iter()
                .position(|line| line.starts_with(needle))
                .unwrap_or_else(|| panic!("no {needle} in\n{dockerfile}"))
        };
        assert!(position("COPY Cargo.toml Cargo.lock") < position("COPY . ."));
        assert!(dockerfile.contains(&format!("cp target/release/{name} /build/{name}")));
        assert!(
            instructions
                .contains(&format!("COPY --from=builder /build/{name} /app/{name}").as_str())
        );
        assert!(instructions.contains(&"COPY --from=builder /build/config /app/config"));
        assert!(instructions.contains(&"EXPOSE 8080"));
        assert!(instructions.contains(&format!(r#"ENTRYPOINT ["/app/{name}"]"#).as_str()));
        assert!(instructions.contains(&r#"CMD ["serve"]"#));
        // The runtime stage runs as the user the chart expects.
        let user = instructions
            .iter()
            .rposition(|line| line.starts_with("USER "))
            .expect("a USER instruction");
        assert!(user > position("FROM gcr.io/distroless"));
        assert_eq!(instructions[user], "USER 10001:10001");
        assert!(!dockerfile.contains("{{") && !dockerfile.contains("{%"));

        // SQLite writes its file under /data, which the non-root user must own.
        let data_directory = "COPY --from=builder --chown=10001:10001 /build/data /data";
        let sqlite_url = format!(
            "ENV DATABASE_URL=sqlite:///data/{}.db?mode=rwc",
            project.crate_name
        );
        let is_sqlite = project.db == "sqlite";
        assert_eq!(instructions.contains(&data_directory), is_sqlite);
        assert_eq!(instructions.contains(&sqlite_url.as_str()), is_sqlite);
        assert_eq!(dockerfile.contains("mkdir /build/data"), is_sqlite);
    }

    let (path, dockerignore) = render_template_file(".dockerignore", &SHOP);
    assert_eq!(path, ".dockerignore");
    let ignored: Vec<&str> = dockerignore.lines().collect();
    for entry in ["target/", ".git/", "deploy/"] {
        assert!(ignored.contains(&entry), "{entry} is not ignored");
    }
    for needed in ["config/", "migrations/", "src/", "Cargo.lock"] {
        assert!(!ignored.contains(&needed), "{needed} must reach the build");
    }
}

// --- CI workflow ---------------------------------------------------------------------------

fn workflow(project: &Project) -> (String, Json) {
    let (path, text) = render_template_file(".github/workflows/ci.yml.tera", project);
    assert_eq!(path, ".github/workflows/ci.yml");
    let parsed: Json = serde_norway::from_str(&text)
        .unwrap_or_else(|error| panic!("ci.yml is not valid YAML: {error}\n{text}"));
    (text, parsed)
}

fn run_lines(job: &Json) -> String {
    job["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .filter_map(|step| step["run"].as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn workflow_runs_fmt_clippy_tests_and_the_architecture_check() {
    for project in [&SHOP, &ORDER_SERVICE] {
        let (text, workflow) = workflow(project);
        for tera_syntax in ["{%", "%}", "{#", "#}"] {
            assert!(!text.contains(tera_syntax), "ci.yml keeps {tera_syntax}");
        }
        // Every remaining `{{` is a GitHub expression `${{ … }}`.
        assert_eq!(text.matches("{{").count(), text.matches("${{").count());
        assert!(text.contains("${{ vars.AXIOMOD_INSTALL }}"));

        let jobs = workflow["jobs"].as_object().expect("jobs");
        let mut names: Vec<&String> = jobs.keys().collect();
        names.sort();
        assert_eq!(names, ["architecture", "clippy", "fmt", "test"]);
        for (name, job) in jobs {
            assert_eq!(job["runs-on"], "ubuntu-latest", "{name}");
            let checkout = &job["steps"][0]["uses"];
            assert_eq!(checkout, "actions/checkout@v4", "{name}");
        }
        assert!(run_lines(&jobs["fmt"]).contains("cargo fmt --all -- --check"));
        assert!(
            run_lines(&jobs["clippy"])
                .contains("cargo clippy --all-targets --locked -- -D warnings")
        );
        assert!(run_lines(&jobs["test"]).contains("cargo test"));

        let architecture = &jobs["architecture"];
        assert_eq!(architecture["permissions"]["security-events"], "write");
        assert!(
            run_lines(architecture).contains("axiomod validate --format sarif > axiomod.sarif")
        );
        let upload = architecture["steps"]
            .as_array()
            .expect("steps")
            .iter()
            .find(|step| step["uses"] == "github/codeql-action/upload-sarif@v3")
            .expect("the SARIF upload step");
        assert_eq!(upload["with"]["sarif_file"], "axiomod.sarif");

        let test = &jobs["test"];
        let database_url = test["env"]["DATABASE_URL"].as_str().expect("DATABASE_URL");
        if project.db == "postgres" {
            let postgres = &test["services"]["postgres"];
            assert_eq!(postgres["image"], "postgres:15");
            assert_eq!(postgres["ports"], json!(["5432:5432"]));
            assert!(
                postgres["options"]
                    .as_str()
                    .is_some_and(|options| options.contains("pg_isready"))
            );
            assert_eq!(
                database_url,
                format!(
                    "postgres://postgres:postgres@localhost:5432/{}",
                    project.crate_name
                )
            );
        } else {
            assert!(test["services"].is_null(), "no database server for SQLite");
            assert!(!text.contains("postgres"), "{text}");
            assert!(database_url.starts_with("sqlite://"), "{database_url}");
        }
    }
}

// --- real Helm agrees -----------------------------------------------------------------------

/// Every optional object and value at once (one configuration file: `range` over a map is the
/// one place where the test renderer's order may differ from Go's).
fn every_option() -> Json {
    json!({
        "image": {"repository": "registry.example.com/team/app", "tag": "1.4.2"},
        "imagePullSecrets": [{"name": "registry"}],
        "podAnnotations": {"prometheus.io/scrape": "true"},
        "podLabels": {"team": "checkout"},
        "ingress": {
            "enabled": true,
            "className": "nginx",
            "annotations": {"cert-manager.io/cluster-issuer": "letsencrypt"},
            "hosts": [{"host": "app.example.org", "paths": [{"path": "/", "pathType": "Prefix"}]}],
            "tls": [{"secretName": "app-tls", "hosts": ["app.example.org"]}],
        },
        "autoscaling": {"enabled": true},
        "podDisruptionBudget": {"enabled": true},
        "serviceAccount": {"annotations": {"iam.gke.io/gcp-service-account": "app@p.iam.gserviceaccount.com"}},
        "env": {"otelExporterOtlpEndpoint": "http://otel:4317", "extra": [{"name": "A", "value": "b"}]},
        "broker": {"existingSecret": "", "url": "nats://nats:4222"},
        "config": {"files": {"kubernetes.toml": "[http]\ntimeout_seconds = 5\n"}},
        "migrations": {"enabled": true, "serviceAccountName": "migrator"},
        "persistence": {"enabled": true, "existingClaim": "app-data"},
        "nodeSelector": {"kubernetes.io/arch": "arm64"},
        "tolerations": [{"key": "dedicated", "operator": "Exists"}],
        "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [{"matchExpressions": [{"key": "pool", "operator": "In", "values": ["apps"]}]}]
        }}},
    })
}

#[test]
fn real_helm_lints_and_renders_the_chart_into_valid_kubernetes_objects() {
    let Some(python) = helm::real_helm() else {
        return;
    };
    // Values Helm and the test renderer both accept: their outputs must agree.
    let accepted = [
        Json::Null,
        every_option(),
        json!({"serviceAccount": {"create": false}, "migrations": {"enabled": false}, "podDisruptionBudget": {"enabled": false}}),
        json!({"fullnameOverride": "storefront", "database": {"existingSecret": "", "url": "sqlite:///data/x.db"}}),
    ];
    // Values Helm refuses, with what its error names: values.schema.json stops the first three
    // before any template runs, `required` the last.
    let refused = [
        (
            json!({"autoscaling": {"enable": true}}),
            "'enable' not allowed",
        ),
        (json!({"replicaCount": "two"}), "/replicaCount"),
        (json!({"env": {"logFormat": "xml"}}), "/env/logFormat"),
        (
            json!({"database": {"existingSecret": "", "url": ""}}),
            "database.existingSecret",
        ),
    ];
    let override_sets: Vec<Json> = accepted
        .iter()
        .cloned()
        .chain(refused.iter().map(|(overrides, _)| overrides.clone()))
        .collect();
    for project in [&SHOP, &ORDER_SERVICE, &BILLING_API] {
        let directory = tempfile::tempdir().expect("a temporary directory");
        for (path, content) in render_tree("deploy", project) {
            let target = directory.path().join(path);
            std::fs::create_dir_all(target.parent().expect("a file has a parent directory"))
                .expect("the chart's directories can be made");
            std::fs::write(&target, content).expect("the chart's files can be written");
        }
        let chart_directory = directory
            .path()
            .join(format!("deploy/helm/{}", project.name));
        let report =
            helm::render_with_real_helm(&python, &chart_directory, &release(), &override_sets)
                .unwrap_or_else(|error| panic!("real Helm could not run: {error}"));
        assert!(
            report.lint_problems.is_empty(),
            "helm lint --strict (Helm {}) on {}: {:#?}",
            report.version,
            project.name,
            report.lint_problems
        );
        assert!(
            report.schema_errors.is_empty(),
            "{}: rendered objects break the Kubernetes API schemas: {:#?}",
            project.name,
            report.schema_errors
        );
        assert_eq!(report.renders.len(), override_sets.len());
        let (accepted_renders, refused_renders) = report.renders.split_at(accepted.len());

        for (overrides, real) in accepted.iter().zip(accepted_renders) {
            let real = real.as_ref().unwrap_or_else(|error| {
                panic!("{}: Helm refused {overrides}: {error}", project.name)
            });
            let emulated = helm::render(&chart(project), &release(), overrides, true)
                .unwrap_or_else(|error| panic!("{}: {error}", project.name));
            let names =
                |rendered: &helm::Rendered| rendered.manifests.keys().cloned().collect::<Vec<_>>();
            assert_eq!(
                names(&emulated),
                names(real),
                "{} with {overrides}",
                project.name
            );
            for (name, text) in &emulated.manifests {
                let real_text = &real.manifests[name];
                if text != real_text {
                    // Formatting may differ where YAML allows (the quoting style of toYaml);
                    // the documents themselves must not.
                    assert_eq!(
                        helm::yaml_documents(name, text),
                        helm::yaml_documents(name, real_text),
                        "{name} with {overrides}: the test renderer and Helm {} differ\n{text}\n{real_text}",
                        report.version
                    );
                }
            }
            assert_eq!(emulated.notes, real.notes, "{} NOTES.txt", project.name);
        }

        for ((overrides, expected), real) in refused.iter().zip(refused_renders) {
            match real {
                Err(error) => assert!(error.contains(expected), "{overrides}: {error}"),
                Ok(_) => panic!("{}: Helm accepted {overrides}", project.name),
            }
        }
        // The test renderer does not read values.schema.json, but refuses what `required` does.
        let (missing_url, expected) = &refused[3];
        let emulated = helm::render(&chart(project), &release(), missing_url, true);
        assert!(emulated.is_err_and(|error| error.contains(expected)));
    }
}
