//! Test helper: renders a Helm chart the way `helm template` does, without helm.
//!
//! No helm binary (nor a Go toolchain to build one) is available to the tests, so this module
//! executes the chart's Go templates with `gtmpl`, an implementation of Go's `text/template` in
//! Rust, and implements the Sprig and Helm functions the generated chart uses, with their Go
//! semantics: `include`, `default`, `quote`, `toYaml`, `nindent`, `indent`, `trunc`,
//! `trimSuffix`, `replace`, `contains`, `sha256sum`, `toString` and `required` (plus gtmpl's
//! built-ins `print`, `printf`, `eq`, `not`, `and`, `or`, ...). A template that calls any other
//! function fails to parse, so a chart change that needs one fails its test instead of
//! rendering wrongly; add the function here, with Sprig's semantics, when that happens.
//!
//! What it reproduces from Helm:
//! - values: the chart's values.yaml with the overrides merged over it (maps merge key by key,
//!   `null` removes a key), exposed as `.Values`; `.Chart` (fields from Chart.yaml, Go-style
//!   names), `.Release`, `.Capabilities.KubeVersion` and `.Template` are strict objects, so a
//!   misspelt field is an error there as it is in Helm;
//! - every file under templates/ is a named template `<chart>/templates/<file>` that `include`
//!   can call (so the `checksum/config` idiom works); files starting with `_` only hold
//!   definitions and produce no manifest; NOTES.txt is rendered apart;
//! - `<no value>` left by a missing value is erased, as Helm does, unless `strict` is set,
//!   in which case it is an error: stricter than Helm, so that a misspelt value key, which
//!   Helm renders as an empty string, fails the tests.
//!
//! What it does not: range over a map visits keys in hash order where Go sorts them (output
//! order only); values are not checked against values.schema.json (the real-Helm test does
//! that); `.Capabilities.APIVersions`, `tpl`, `lookup` and `.Files` are absent.
//!
//! Real Helm keeps it honest: [`render_with_real_helm`] lints and renders a chart with Helm's
//! own Go SDK (the helm-python-sdk wheel, which scripts/setup.sh installs, driven by
//! tests/support/helm_sdk.py), and a test requires both renders to be identical, up to the
//! quoting style `toYaml` picks for strings such as "true" (Go writes `"true"`, serde_norway
//! `'true'`): then the parsed documents must be equal.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::rc::Rc;

use gtmpl::{Context, Func, FuncError, Template, Value};
use serde_json::Value as Json;
use sha2::{Digest, Sha256};

/// A chart as helm reads it: Chart.yaml, values.yaml and the files of templates/.
pub struct Chart {
    /// Chart.yaml, parsed.
    pub metadata: Json,
    /// values.yaml, parsed.
    pub values: Json,
    /// File name under templates/ (e.g. `deployment.yaml`) → template source.
    pub templates: BTreeMap<String, String>,
}

/// The release a chart is rendered for (`helm template NAME --namespace NAMESPACE`).
pub struct Release {
    pub name: String,
    pub namespace: String,
}

/// The output of one render.
pub struct Rendered {
    /// Template name (`<chart>/templates/<file>`) → rendered text, for the templates whose
    /// output is not blank (a disabled optional object renders to nothing).
    pub manifests: BTreeMap<String, String>,
    /// NOTES.txt, rendered; empty when the chart has none.
    pub notes: String,
}

/// One YAML document of the rendered manifests.
pub struct Document {
    /// The template it came from.
    pub source: String,
    /// The document, as JSON for easy navigation (`value["spec"]["replicas"]`).
    pub value: Json,
}

impl Rendered {
    /// Every non-empty YAML document of every manifest, parsed; an error names the template
    /// whose output is not valid YAML.
    pub fn documents(&self) -> Result<Vec<Document>, String> {
        let mut documents = Vec::new();
        for (source, text) in &self.manifests {
            for value in yaml_documents(source, text)? {
                documents.push(Document {
                    source: source.clone(),
                    value,
                });
            }
        }
        Ok(documents)
    }
}

/// The non-empty YAML documents of one rendered template, parsed; `source` names it in errors.
pub fn yaml_documents(source: &str, text: &str) -> Result<Vec<Json>, String> {
    let mut documents = Vec::new();
    for part in split_documents(text) {
        // Through serde_norway's own Value first: it refuses duplicate keys.
        let yaml: serde_norway::Value = serde_norway::from_str(&part)
            .map_err(|error| format!("{source} is not valid YAML: {error}\n{part}"))?;
        let value = serde_json::to_value(&yaml)
            .map_err(|error| format!("{source} is not a JSON-like document: {error}"))?;
        if !value.is_null() {
            documents.push(value);
        }
    }
    Ok(documents)
}

/// Renders every template of `chart` with its default values and `overrides` merged over them
/// (pass `Json::Null` for none), like `helm template`.
pub fn render(
    chart: &Chart,
    release: &Release,
    overrides: &Json,
    strict: bool,
) -> Result<Rendered, String> {
    let chart_name = chart.metadata["name"]
        .as_str()
        .ok_or("Chart.yaml has no name")?
        .to_string();
    let base_path = format!("{chart_name}/templates");
    let mut values = chart.values.clone();
    merge(&mut values, overrides);

    let sources: Vec<(String, String)> = chart
        .templates
        .iter()
        .map(|(file, source)| (format!("{base_path}/{file}"), source.clone()))
        .collect();
    let _installed = InstalledTemplates::install(sources.clone());

    let mut manifests = BTreeMap::new();
    let mut notes = String::new();
    for (name, _) in &sources {
        let file = &name[base_path.len() + 1..];
        if file.starts_with('_') {
            continue;
        }
        let context = root_context(chart, release, &values, name, &base_path);
        let output = execute(name, context)?;
        if strict && output.contains("<no value>") {
            return Err(format!("{name} prints a missing value:\n{output}"));
        }
        let output = output.replace("<no value>", "");
        if file == "NOTES.txt" {
            notes = output;
        } else if !output.trim().is_empty() {
            manifests.insert(name.clone(), output);
        }
    }
    Ok(Rendered { manifests, notes })
}

/// Helm's value coalescing: maps merge key by key, anything else replaces, null deletes.
fn merge(base: &mut Json, overrides: &Json) {
    match (base, overrides) {
        (Json::Object(base), Json::Object(overrides)) => {
            for (key, value) in overrides {
                if value.is_null() {
                    base.remove(key);
                } else if let Some(existing) = base.get_mut(key) {
                    merge(existing, value);
                } else {
                    base.insert(key.clone(), value.clone());
                }
            }
        }
        (_, Json::Null) => {}
        (base, overrides) => *base = overrides.clone(),
    }
}

fn root_context(
    chart: &Chart,
    release: &Release,
    values: &Json,
    template_name: &str,
    base_path: &str,
) -> Value {
    let metadata_field = |key: &str| Value::from(chart.metadata[key].as_str().unwrap_or_default());
    let chart_object = object(&[
        ("Name", metadata_field("name")),
        ("Version", metadata_field("version")),
        ("AppVersion", metadata_field("appVersion")),
        ("Description", metadata_field("description")),
        ("Type", metadata_field("type")),
        ("KubeVersion", metadata_field("kubeVersion")),
        ("APIVersion", metadata_field("apiVersion")),
    ]);
    let release_object = object(&[
        ("Name", Value::from(release.name.as_str())),
        ("Namespace", Value::from(release.namespace.as_str())),
        ("Service", Value::from("Helm")),
        ("IsInstall", Value::from(true)),
        ("IsUpgrade", Value::from(false)),
        ("Revision", Value::from(1u64)),
    ]);
    let capabilities_object = object(&[(
        "KubeVersion",
        object(&[
            ("Version", Value::from("v1.30.0")),
            ("Major", Value::from("1")),
            ("Minor", Value::from("30")),
        ]),
    )]);
    let template_object = object(&[
        ("Name", Value::from(template_name)),
        ("BasePath", Value::from(base_path)),
    ]);
    object(&[
        ("Values", from_json(values)),
        ("Chart", chart_object),
        ("Release", release_object),
        ("Capabilities", capabilities_object),
        ("Template", template_object),
    ])
}

/// A Go struct: reading a field it does not have is an error.
fn object(fields: &[(&str, Value)]) -> Value {
    Value::Object(
        fields
            .iter()
            .map(|(key, value)| (key.to_string(), value.clone()))
            .collect(),
    )
}

/// A values map: reading a missing key gives "no value", as in Go.
fn from_json(json: &Json) -> Value {
    match json {
        Json::Null => Value::Nil,
        Json::Bool(value) => Value::from(*value),
        Json::Number(number) => {
            if let Some(value) = number.as_u64() {
                Value::from(value)
            } else if let Some(value) = number.as_i64() {
                Value::from(value)
            } else {
                Value::from(number.as_f64().unwrap_or_default())
            }
        }
        Json::String(value) => Value::from(value.as_str()),
        Json::Array(items) => Value::Array(items.iter().map(from_json).collect()),
        Json::Object(map) => Value::Map(
            map.iter()
                .map(|(key, value)| (key.clone(), from_json(value)))
                .collect::<HashMap<_, _>>(),
        ),
    }
}

fn to_json(value: &Value) -> Result<Json, FuncError> {
    Ok(match value {
        Value::NoValue | Value::Nil => Json::Null,
        Value::Bool(value) => Json::Bool(*value),
        Value::String(value) => Json::String(value.clone()),
        Value::Number(number) => {
            if let Some(value) = number.as_u64() {
                Json::from(value)
            } else if let Some(value) = number.as_i64() {
                Json::from(value)
            } else {
                Json::from(number.as_f64().unwrap_or_default())
            }
        }
        Value::Array(items) => Json::Array(items.iter().map(to_json).collect::<Result<_, _>>()?),
        Value::Map(map) | Value::Object(map) => {
            // Sorted keys, as Go's YAML marshalling writes them.
            let sorted = map
                .iter()
                .map(|(key, value)| Ok((key.clone(), to_json(value)?)))
                .collect::<Result<BTreeMap<_, _>, FuncError>>()?;
            Json::Object(sorted.into_iter().collect())
        }
        Value::Function(_) => return Err(generic("a function cannot be serialized")),
    })
}

// `include` must reach the chart's templates while a template runs, but gtmpl functions are
// plain function pointers without state: the templates of the render in progress live here,
// with the template set already parsed for each name executed so far (gtmpl executes the
// template a `Template` is named after, so each name gets its own parsed set).
thread_local! {
    static TEMPLATES: RefCell<Vec<(String, String)>> = const { RefCell::new(Vec::new()) };
    static PARSED: RefCell<HashMap<String, Rc<Template>>> = RefCell::new(HashMap::new());
}

/// Holds the chart's templates in `TEMPLATES` for the duration of one render.
struct InstalledTemplates;

impl InstalledTemplates {
    fn install(sources: Vec<(String, String)>) -> Self {
        TEMPLATES.with(|templates| *templates.borrow_mut() = sources);
        PARSED.with(|parsed| parsed.borrow_mut().clear());
        InstalledTemplates
    }
}

impl Drop for InstalledTemplates {
    fn drop(&mut self) {
        TEMPLATES.with(|templates| templates.borrow_mut().clear());
        PARSED.with(|parsed| parsed.borrow_mut().clear());
    }
}

/// Executes the named template (a file or a `define`) with `dot` as its context.
fn execute(name: &str, dot: Value) -> Result<String, String> {
    let cached = PARSED.with(|parsed| parsed.borrow().get(name).cloned());
    let template = match cached {
        Some(template) => template,
        None => {
            let template = Rc::new(parse_templates(name)?);
            PARSED.with(|parsed| {
                parsed
                    .borrow_mut()
                    .insert(name.to_string(), Rc::clone(&template))
            });
            template
        }
    };
    template
        .render(&Context::from(dot))
        .map_err(|error| format!("{name}: {error}"))
}

/// Every template of the chart, parsed into one set that executes `name`.
fn parse_templates(name: &str) -> Result<Template, String> {
    let sources = TEMPLATES.with(|templates| templates.borrow().clone());
    let mut template = Template::default();
    template.add_funcs(FUNCTIONS);
    for (file, source) in &sources {
        template
            .add_template(file.as_str(), source.as_str())
            .map_err(|error| format!("{file}: {error}"))?;
    }
    template.name = name.to_string();
    Ok(template)
}

const FUNCTIONS: &[(&str, Func)] = &[
    ("include", include),
    ("default", default),
    ("quote", quote),
    ("toYaml", to_yaml),
    ("nindent", nindent),
    ("indent", indent),
    ("trunc", trunc),
    ("trimSuffix", trim_suffix),
    ("replace", replace),
    ("contains", contains),
    ("sha256sum", sha256sum),
    ("toString", to_string),
    ("required", required),
];

fn generic(message: impl Into<String>) -> FuncError {
    FuncError::Generic(message.into())
}

fn exactly<'a, const N: usize>(name: &str, args: &'a [Value]) -> Result<&'a [Value; N], FuncError> {
    args.try_into()
        .map_err(|_| FuncError::ExactlyXArgs(name.to_string(), N))
}

/// A `string` parameter: Go refuses anything else, and so does this.
fn string<'a>(function: &str, value: &'a Value) -> Result<&'a str, FuncError> {
    match value {
        Value::String(text) => Ok(text),
        other => Err(generic(format!(
            "{function}: wrong type for value; expected string; got {other:?}"
        ))),
    }
}

/// An `int` parameter.
fn integer(function: &str, value: &Value) -> Result<i64, FuncError> {
    match value {
        Value::Number(number) => number
            .as_i64()
            .ok_or_else(|| generic(format!("{function}: expected an integer, got {number}"))),
        other => Err(generic(format!(
            "{function}: wrong type for value; expected int; got {other:?}"
        ))),
    }
}

/// Sprig's `strval` (and so `toString`): strings as they are, anything else as Go's `%v`.
fn string_value(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::NoValue | Value::Nil => "<nil>".to_string(),
        other => other.to_string(),
    }
}

/// Sprig's `empty`: nil, false, 0, "" and empty collections.
fn is_empty(value: &Value) -> bool {
    match value {
        Value::NoValue | Value::Nil => true,
        Value::Bool(value) => !value,
        Value::String(text) => text.is_empty(),
        Value::Array(items) => items.is_empty(),
        Value::Map(map) | Value::Object(map) => map.is_empty(),
        Value::Number(number) => {
            number.as_i64() == Some(0) || number.as_f64().is_some_and(|value| value == 0.0)
        }
        Value::Function(_) => false,
    }
}

/// Go's `%q` (strconv.Quote) for the characters a chart meets.
fn go_quote(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for character in text.chars() {
        match character {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            '\r' => quoted.push_str("\\r"),
            '\t' => quoted.push_str("\\t"),
            control if control.is_control() => {
                quoted.push_str(&format!("\\x{:02x}", u32::from(control)))
            }
            other => quoted.push(other),
        }
    }
    quoted.push('"');
    quoted
}

fn indent_text(width: i64, text: &str) -> String {
    let pad = " ".repeat(usize::try_from(width).unwrap_or_default());
    format!("{pad}{}", text.replace('\n', &format!("\n{pad}")))
}

/// `include NAME DOT`: runs a named template and returns its output as a string.
fn include(args: &[Value]) -> Result<Value, FuncError> {
    let [name, dot] = exactly::<2>("include", args)?;
    let name = string("include", name)?;
    execute(name, dot.clone()).map(Value::from).map_err(generic)
}

/// `default DEFAULT GIVEN`: GIVEN unless it is empty.
fn default(args: &[Value]) -> Result<Value, FuncError> {
    match args {
        [fallback] => Ok(fallback.clone()),
        [fallback, given] => Ok(if is_empty(given) {
            fallback.clone()
        } else {
            given.clone()
        }),
        _ => Err(FuncError::AtLeastXArgs("default".to_string(), 1)),
    }
}

/// `quote VALUE...`: each non-nil value as a Go quoted string, joined by spaces.
fn quote(args: &[Value]) -> Result<Value, FuncError> {
    let quoted: Vec<String> = args
        .iter()
        .filter(|value| !matches!(value, Value::Nil | Value::NoValue))
        .map(|value| go_quote(&string_value(value)))
        .collect();
    Ok(Value::from(quoted.join(" ")))
}

/// `toYaml VALUE`: YAML without the final newline, keys sorted (Go marshals through JSON).
fn to_yaml(args: &[Value]) -> Result<Value, FuncError> {
    let [value] = exactly::<1>("toYaml", args)?;
    let yaml = serde_norway::to_string(&to_json(value)?)
        .map_err(|error| generic(format!("toYaml: {error}")))?;
    Ok(Value::from(yaml.strip_suffix('\n').unwrap_or(&yaml)))
}

/// `nindent WIDTH TEXT`: a newline, then TEXT with every line indented.
fn nindent(args: &[Value]) -> Result<Value, FuncError> {
    let [width, text] = exactly::<2>("nindent", args)?;
    let indented = indent_text(integer("nindent", width)?, string("nindent", text)?);
    Ok(Value::from(format!("\n{indented}")))
}

/// `indent WIDTH TEXT`: TEXT with every line indented.
fn indent(args: &[Value]) -> Result<Value, FuncError> {
    let [width, text] = exactly::<2>("indent", args)?;
    Ok(Value::from(indent_text(
        integer("indent", width)?,
        string("indent", text)?,
    )))
}

/// `trunc LENGTH TEXT`: the first LENGTH characters, or the last -LENGTH when negative.
fn trunc(args: &[Value]) -> Result<Value, FuncError> {
    let [length, text] = exactly::<2>("trunc", args)?;
    let length = integer("trunc", length)?;
    let characters: Vec<char> = string("trunc", text)?.chars().collect();
    let count = usize::try_from(length.unsigned_abs()).unwrap_or(usize::MAX);
    let kept: String = if length >= 0 {
        characters.iter().take(count).collect()
    } else {
        characters[characters.len().saturating_sub(count)..]
            .iter()
            .collect()
    };
    Ok(Value::from(kept))
}

/// `trimSuffix SUFFIX TEXT`.
fn trim_suffix(args: &[Value]) -> Result<Value, FuncError> {
    let [suffix, text] = exactly::<2>("trimSuffix", args)?;
    let (suffix, text) = (string("trimSuffix", suffix)?, string("trimSuffix", text)?);
    Ok(Value::from(text.strip_suffix(suffix).unwrap_or(text)))
}

/// `replace OLD NEW TEXT`: every occurrence.
fn replace(args: &[Value]) -> Result<Value, FuncError> {
    let [old, new, text] = exactly::<3>("replace", args)?;
    Ok(Value::from(
        string("replace", text)?.replace(string("replace", old)?, string("replace", new)?),
    ))
}

/// `contains SUBSTRING TEXT`.
fn contains(args: &[Value]) -> Result<Value, FuncError> {
    let [needle, text] = exactly::<2>("contains", args)?;
    Ok(Value::from(
        string("contains", text)?.contains(string("contains", needle)?),
    ))
}

/// `sha256sum TEXT`: lowercase hex digest.
fn sha256sum(args: &[Value]) -> Result<Value, FuncError> {
    let [text] = exactly::<1>("sha256sum", args)?;
    let digest = Sha256::digest(string("sha256sum", text)?.as_bytes());
    let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
    Ok(Value::from(hex))
}

/// `toString VALUE`.
fn to_string(args: &[Value]) -> Result<Value, FuncError> {
    let [value] = exactly::<1>("toString", args)?;
    Ok(Value::from(string_value(value)))
}

/// `required MESSAGE VALUE`: VALUE, or a render error with MESSAGE when it is nil or "".
fn required(args: &[Value]) -> Result<Value, FuncError> {
    let [message, value] = exactly::<2>("required", args)?;
    match value {
        Value::NoValue | Value::Nil => Err(generic(string("required", message)?)),
        Value::String(text) if text.is_empty() => Err(generic(string("required", message)?)),
        other => Ok(other.clone()),
    }
}

/// Splits a manifest on its `---` separator lines.
fn split_documents(text: &str) -> Vec<String> {
    let mut documents = vec![String::new()];
    for line in text.lines() {
        if line.trim_end() == "---" {
            documents.push(String::new());
        } else if let Some(current) = documents.last_mut() {
            current.push_str(line);
            current.push('\n');
        }
    }
    documents
        .into_iter()
        .filter(|document| !document.trim().is_empty())
        .collect()
}

/// The Python interpreter of the virtualenv in which scripts/setup.sh installs Helm's SDK and
/// the Kubernetes schemas (`AXIOMOD_TEST_HELM_PYTHON`, default
/// `.tools/helm-python/bin/python`), to check this
/// renderer against real Helm. When it is missing the test is skipped with a loud message,
/// except under `CI=true`, where that is a failure.
pub fn real_helm() -> Option<PathBuf> {
    let python = std::env::var_os("AXIOMOD_TEST_HELM_PYTHON").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join(".tools/helm-python/bin/python"),
        PathBuf::from,
    );
    let usable = Command::new(&python)
        .args(["-c", "import helm_python, kubernetes_validate"])
        .output()
        .is_ok_and(|output| output.status.success());
    if usable {
        return Some(python);
    }
    super::skip(&format!(
        "real Helm is not installed at {} (run scripts/setup.sh)",
        python.display()
    ));
    None
}

/// What real Helm made of a chart.
pub struct RealHelmReport {
    /// The version of Helm's SDK.
    pub version: String,
    /// The warnings and errors of `helm lint --strict` (informational messages left out).
    pub lint_problems: Vec<String>,
    /// One render per set of overrides, or Helm's error message.
    pub renders: Vec<Result<Rendered, String>>,
    /// Where the rendered objects break the strict Kubernetes API schemas (unknown or
    /// mistyped fields, missing required ones).
    pub schema_errors: Vec<String>,
}

/// Lints the chart in `chart_directory` and renders it once per entry of `overrides`, with
/// real Helm through `python` (see [`real_helm`]) and tests/support/helm_sdk.py, which also
/// validates every rendered object against the Kubernetes API schemas.
pub fn render_with_real_helm(
    python: &Path,
    chart_directory: &Path,
    release: &Release,
    overrides: &[Json],
) -> Result<RealHelmReport, String> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/helm_sdk.py");
    let request = serde_json::json!({
        "chart": chart_directory,
        "release": release.name,
        "namespace": release.namespace,
        "values": overrides
            .iter()
            .map(|values| if values.is_null() { serde_json::json!({}) } else { values.clone() })
            .collect::<Vec<_>>(),
    });
    let mut child = Command::new(python)
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|error| format!("cannot run {}: {error}", python.display()))?;
    child
        .stdin
        .take()
        .ok_or("no standard input for helm_sdk.py")?
        .write_all(request.to_string().as_bytes())
        .map_err(|error| format!("cannot write to helm_sdk.py: {error}"))?;
    let output = child
        .wait_with_output()
        .map_err(|error| format!("helm_sdk.py did not finish: {error}"))?;
    if !output.status.success() {
        return Err(format!(
            "helm_sdk.py failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let report: Json = serde_json::from_slice(&output.stdout)
        .map_err(|error| format!("helm_sdk.py wrote no JSON report: {error}"))?;

    let lint_problems = report["lint"]["messages"]
        .as_array()
        .ok_or("the lint report has no messages")?
        .iter()
        .filter(|message| message["severity"].as_u64().unwrap_or(3) >= 2)
        .map(|message| format!("{}: {}", message["path"], message["error"]))
        .chain(
            report["lint"]["errors"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|error| format!("error: {error}")),
        )
        .collect();
    let renders = report["renders"]
        .as_array()
        .ok_or("the report has no renders")?
        .iter()
        .map(|render| {
            let templates = render.as_object().ok_or("a render is not a map")?;
            if let Some(error) = templates.get("error").and_then(Json::as_str) {
                return Err(error.to_string());
            }
            let mut rendered = Rendered {
                manifests: BTreeMap::new(),
                notes: String::new(),
            };
            for (name, text) in templates {
                let text = text.as_str().unwrap_or_default().to_string();
                if name.ends_with("/NOTES.txt") {
                    rendered.notes = text;
                } else if !text.trim().is_empty() {
                    rendered.manifests.insert(name.clone(), text);
                }
            }
            Ok(rendered)
        })
        .collect();
    let schema_errors = report["schema_errors"]
        .as_array()
        .ok_or("the report has no schema errors list")?
        .iter()
        .map(|error| error.as_str().unwrap_or_default().to_string())
        .collect();
    Ok(RealHelmReport {
        version: report["helm"].as_str().unwrap_or("unknown").to_string(),
        lint_problems,
        renders,
        schema_errors,
    })
}
