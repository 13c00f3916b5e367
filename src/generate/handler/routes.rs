//! The routes a project already serves, read from its sources with syn: every
//! `#[utoipa::path(<method>, path = "…")]` attribute (what `routes!` serves), every
//! `.route("…", <method router>)` or `.route_service("…", …)` call, and the API docs pages of
//! utoipa's UI crates (`Scalar::with_url("…", …)`, `Redoc::with_url`, …), which answer GET.
//! Routes inside a router that is `nest`ed under a prefix are read as they are written, without
//! the prefix.

use std::fmt;
use std::path::Path;

use proc_macro2::TokenTree;
use syn::visit::Visit;

/// The methods `--method` can take, and `head`, `options` and `trace`, as axum names them.
const METHODS: [&str; 8] = [
    "get", "post", "put", "patch", "delete", "head", "options", "trace",
];

/// A route found in the sources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclaredRoute {
    pub path: String,
    pub methods: Methods,
    /// `file:line:column` of the path's string, the file relative to the project root.
    pub location: String,
}

/// The methods a route answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Methods {
    /// These methods, lower case.
    Only(Vec<&'static str>),
    /// Every method, or methods the sources do not spell out (`any(…)`, `on(…)`, a service, a
    /// function's result).
    Any,
}

impl Methods {
    pub fn contains(&self, method: &str) -> bool {
        match self {
            Methods::Only(methods) => methods.contains(&method),
            Methods::Any => true,
        }
    }
}

impl fmt::Display for Methods {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Methods::Only(methods) => {
                let upper: Vec<String> =
                    methods.iter().map(|method| method.to_uppercase()).collect();
                formatter.write_str(&upper.join(", "))
            }
            Methods::Any => formatter.write_str("any method on"),
        }
    }
}

impl fmt::Display for DeclaredRoute {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{} {}", self.methods, self.path)
    }
}

/// Every route declared in the `.rs` files under `root/src`, in file name order. Files that do
/// not parse are skipped: the project does not build either, and rustc says why.
pub fn declared_routes(root: &Path) -> Vec<DeclaredRoute> {
    walkdir::WalkDir::new(root.join("src"))
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|entry| {
            entry
                .path()
                .extension()
                .is_some_and(|extension| extension == "rs")
        })
        .flat_map(|entry| {
            let file = entry.path().strip_prefix(root).unwrap_or(entry.path());
            std::fs::read_to_string(entry.path())
                .map(|source| routes_in(&source, &file.display().to_string()))
                .unwrap_or_default()
        })
        .collect()
}

/// The routes declared in one file's `source`; `file` names it in the locations.
fn routes_in(source: &str, file: &str) -> Vec<DeclaredRoute> {
    let Ok(syntax) = syn::parse_file(source) else {
        return Vec::new();
    };
    let mut visitor = RouteVisitor {
        file,
        routes: Vec::new(),
    };
    visitor.visit_file(&syntax);
    visitor.routes.sort_by_key(|(start, _)| *start);
    visitor.routes.into_iter().map(|(_, route)| route).collect()
}

struct RouteVisitor<'a> {
    file: &'a str,
    /// With where each starts (line, column): a chain of `.route` calls is visited last first.
    routes: Vec<((usize, usize), DeclaredRoute)>,
}

impl RouteVisitor<'_> {
    fn add(&mut self, path: &syn::LitStr, methods: Methods) {
        let start = path.span().start();
        let route = DeclaredRoute {
            path: path.value(),
            methods,
            location: format!("{}:{}:{}", self.file, start.line, start.column + 1),
        };
        self.routes.push(((start.line, start.column), route));
    }
}

impl<'ast> Visit<'ast> for RouteVisitor<'_> {
    fn visit_attribute(&mut self, attribute: &'ast syn::Attribute) {
        let path = attribute.path();
        let is_utoipa_path = path.segments.len() == 2
            && path.segments[0].ident == "utoipa"
            && path.segments[1].ident == "path";
        if is_utoipa_path
            && let syn::Meta::List(list) = &attribute.meta
            && let Some((path, methods)) = utoipa_route(list.tokens.clone())
        {
            self.add(&path, methods);
        }
        syn::visit::visit_attribute(self, attribute);
    }

    fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
        if let syn::Expr::Path(function) = &*call.func
            && function
                .path
                .segments
                .last()
                .is_some_and(|segment| segment.ident == "with_url")
            && let Some(path) = call.args.first().and_then(string_literal)
        {
            self.add(path, Methods::Only(vec!["get"]));
        }
        syn::visit::visit_expr_call(self, call);
    }

    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        let name = call.method.to_string();
        if (name == "route" || name == "route_service")
            && call.args.len() == 2
            && let Some(path) = string_literal(&call.args[0])
        {
            let methods = if name == "route" {
                methods_of(&call.args[1])
            } else {
                Methods::Any
            };
            self.add(path, methods);
        }
        syn::visit::visit_expr_method_call(self, call);
    }
}

/// The string of a literal expression: a route's path.
fn string_literal(expression: &syn::Expr) -> Option<&syn::LitStr> {
    match expression {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(string),
            ..
        }) => Some(string),
        _ => None,
    }
}

/// The path and methods of a `#[utoipa::path(…)]` attribute's arguments: a leading method
/// (`get, path = "…"`) or utoipa 5's `method(get, head)`.
fn utoipa_route(arguments: proc_macro2::TokenStream) -> Option<(syn::LitStr, Methods)> {
    let tokens: Vec<TokenTree> = arguments.into_iter().collect();
    let mut methods = Vec::new();
    let mut path = None;
    if let Some(TokenTree::Ident(first)) = tokens.first()
        && let Some(method) = method_named(&first.to_string())
    {
        methods.push(method);
    }
    for window in tokens.windows(3) {
        match window {
            [
                TokenTree::Ident(key),
                TokenTree::Punct(equals),
                TokenTree::Literal(value),
            ] if key == "path" && equals.as_char() == '=' => {
                path = syn::parse2::<syn::LitStr>(TokenTree::Literal(value.clone()).into()).ok();
            }
            [TokenTree::Ident(key), TokenTree::Group(list), _] if key == "method" => {
                methods.extend(list.stream().into_iter().filter_map(|token| match token {
                    TokenTree::Ident(ident) => method_named(&ident.to_string()),
                    _ => None,
                }));
            }
            _ => {}
        }
    }
    let methods = if methods.is_empty() {
        Methods::Any
    } else {
        Methods::Only(methods)
    };
    path.map(|path| (path, methods))
}

/// The methods a method router expression answers: `get(a)`, `get(a).post(b)`,
/// `get_service(s)`, through `.layer(…)` and other calls that add no method.
fn methods_of(router: &syn::Expr) -> Methods {
    match router {
        syn::Expr::Call(call) => match &*call.func {
            syn::Expr::Path(function) => function
                .path
                .segments
                .last()
                .and_then(|segment| method_named(&segment.ident.to_string()))
                .map_or(Methods::Any, |method| Methods::Only(vec![method])),
            _ => Methods::Any,
        },
        syn::Expr::MethodCall(call) => {
            let name = call.method.to_string();
            match (methods_of(&call.receiver), method_named(&name)) {
                (Methods::Only(mut methods), Some(method)) => {
                    methods.push(method);
                    Methods::Only(methods)
                }
                (methods, None) if !name.starts_with("on") && name != "fallback" => methods,
                _ => Methods::Any,
            }
        }
        syn::Expr::Paren(inner) => methods_of(&inner.expr),
        syn::Expr::Group(inner) => methods_of(&inner.expr),
        _ => Methods::Any,
    }
}

/// `get` for `get` and `get_service`; `None` for anything that is not a method.
fn method_named(name: &str) -> Option<&'static str> {
    let method = name.strip_suffix("_service").unwrap_or(name);
    METHODS.into_iter().find(|known| *known == method)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn only(methods: &[&'static str]) -> Methods {
        Methods::Only(methods.to_vec())
    }

    #[test]
    fn reads_utoipa_attributes_and_route_calls() {
        let source = r#"
#[utoipa::path(get, path = "/api/v1/notes/{id}", responses((status = 200, body = Note)))]
async fn get_note() {}

#[utoipa::path(method(get, head), path = "/api/v1/heads")]
async fn heads() {}

pub fn routes() -> Router {
    Router::new()
        .route("/metrics", get(render))
        .route("/both", get(a).post(b).layer(TraceLayer::new()))
        .route("/any", any(handler))
        .route("/filtered", on(MethodFilter::GET, handler))
        .route("/built", method_router())
        .route_service("/files", ServeDir::new("assets"))
        .route(PATH, get(constant_path))
        .merge(Scalar::with_url("/docs", api))
}
"#;
        let routes = routes_in(source, "src/x.rs");
        let found: Vec<(&str, &Methods)> = routes
            .iter()
            .map(|route| (route.path.as_str(), &route.methods))
            .collect();
        assert_eq!(
            found,
            [
                ("/api/v1/notes/{id}", &only(&["get"])),
                ("/api/v1/heads", &only(&["get", "head"])),
                ("/metrics", &only(&["get"])),
                ("/both", &only(&["get", "post"])),
                ("/any", &Methods::Any),
                ("/filtered", &Methods::Any),
                ("/built", &Methods::Any),
                ("/files", &Methods::Any),
                ("/docs", &only(&["get"])),
            ]
        );
        assert_eq!(routes[0].location, "src/x.rs:2:28");
        assert_eq!(routes[2].location, "src/x.rs:10:16");
        assert_eq!(routes[1].to_string(), "GET, HEAD /api/v1/heads");
        assert_eq!(routes[4].to_string(), "any method on /any");
    }

    #[test]
    fn files_that_do_not_parse_declare_nothing() {
        assert!(routes_in("fn broken( {", "src/x.rs").is_empty());
    }
}
