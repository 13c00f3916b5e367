//! Reads one source file with syn and extracts the facts the resolver needs: the modules the
//! file holds (inline ones included), the names each declares, its `use` imports, every path
//! written in code (types, expressions, patterns, bounds, impl headers, attributes, derives,
//! macro invocations and the macro arguments that parse as Rust), the `mod name;`
//! declarations to follow, and the paths inside macro input that is not Rust syntax (listed
//! as unresolved, never guessed).
//!
//! Locations are 1-based lines and columns counted in characters.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use proc_macro2::{Delimiter, Spacing, Span, TokenStream, TokenTree};
use syn::ext::IdentExt;
use syn::punctuated::Punctuated;
use syn::visit::{self, Visit};
use syn::{Attribute, Expr, Item, Meta, Token, UseTree};

/// A span in a source file: 1-based lines, 1-based character columns; the end is exclusive.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub struct Location {
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

impl Location {
    fn between(start: Span, end: Span) -> Self {
        let start = start.start();
        let end = end.end();
        Self {
            line: start.line,
            column: start.column + 1,
            end_line: end.line,
            end_column: end.column + 1,
        }
    }
}

/// A path as written: `::a::b`, `crate::x`, `super::super::y`, `Foo::new`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WrittenPath {
    pub leading_colon: bool,
    pub segments: Vec<String>,
    pub location: Location,
}

impl WrittenPath {
    /// The path as source text.
    pub fn text(&self) -> String {
        let joined = self.segments.join("::");
        if self.leading_colon {
            format!("::{joined}")
        } else {
            joined
        }
    }
}

/// What a `use` leaf brings into scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImportName {
    /// `use a::b;` or `use a::b as c;`: the name in scope.
    Named(String),
    /// `use a::b as _;`: nothing nameable (a trait brought in for its methods).
    Underscore,
    /// `use a::*;`
    Glob,
}

/// One leaf of a `use` tree (or an `extern crate`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Import {
    pub name: ImportName,
    pub path: WrittenPath,
}

/// A path written in code outside `use`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Reference {
    pub path: WrittenPath,
    /// The innermost block scope around the path (index in `ModuleFacts::blocks`).
    pub block: Option<usize>,
}

/// A block (function body, closure, `{ … }`) that declares items or imports: they are seen
/// only inside it, and shadow the module's names there.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct BlockScope {
    /// The enclosing block scope, if any.
    pub parent: Option<usize>,
    /// Names of items and modules declared in the block.
    pub items: BTreeSet<String>,
    pub imports: Vec<Import>,
}

/// A path inside macro input that is not Rust syntax (or inside a `macro_rules!` body).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MacroPath {
    pub path: WrittenPath,
    pub macro_name: String,
    /// True inside a `macro_rules!` definition, false inside the input of an invocation.
    pub in_definition: bool,
    /// The innermost block scope around the path.
    pub block: Option<usize>,
}

/// What one module (a file module or an inline one) declares and refers to.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ModuleFacts {
    /// `["crate", "modules", "sales"]`.
    pub path: Vec<String>,
    /// Names of items declared here (structs, functions, traits, …), modules excepted.
    pub items: BTreeSet<String>,
    /// Names of child modules.
    pub children: BTreeSet<String>,
    pub imports: Vec<Import>,
    pub references: Vec<Reference>,
    pub macro_paths: Vec<MacroPath>,
    /// Block scopes of the module's functions and other blocks.
    pub blocks: Vec<BlockScope>,
    /// `#[macro_export] macro_rules!` names defined here: rustc places them at the crate root.
    pub exported_macros: Vec<String>,
    /// `extern crate name as alias;` written outside blocks: alias (or name) -> crate name
    /// (`self` for this crate). At the crate root they join the extern prelude.
    pub extern_crates: Vec<(String, String)>,
}

/// A `mod name;` whose body lives in another file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChildDeclaration {
    /// Module path of the child.
    pub module: Vec<String>,
    pub name: String,
    /// Inline modules of this file around the declaration.
    pub inline: Vec<String>,
    pub path_attribute: Option<String>,
    /// The paths of `#[cfg_attr(…, path = "…")]`, in order (without a `#[path]`).
    pub conditional_paths: Vec<String>,
    pub is_test: bool,
    pub location: Location,
}

/// Everything read from one file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct FileFacts {
    /// The file's own module first, then its inline modules.
    pub modules: Vec<ModuleFacts>,
    pub children: Vec<ChildDeclaration>,
    /// Set when the file is not valid Rust; the file's module is then empty.
    pub syntax_error: Option<(Location, String)>,
}

/// Parses `text`, the file of module `module`.
///
/// `is_test` says the whole file is test code (its `mod` declarations are test code too);
/// with `include_tests` false, test code is skipped (not extracted, its `mod` files not
/// followed). `doc_tests_crate`: read the Rust code blocks of doc comments too, as code of
/// the documented module in which the library's own name (this value) means `crate`.
pub fn parse_file(
    text: &str,
    module: &[String],
    is_test: bool,
    include_tests: bool,
    doc_tests_crate: Option<&str>,
) -> FileFacts {
    let facts = match syn::parse_file(text) {
        Ok(file) => {
            let mut collector = Collector {
                include_tests,
                modules: vec![ModuleFacts {
                    path: module.to_vec(),
                    ..ModuleFacts::default()
                }],
                stack: vec![0],
                inline: Vec::new(),
                test_depth: usize::from(is_test),
                block_depth: 0,
                block: None,
                children: Vec::new(),
                doc_tests_crate: doc_tests_crate.map(str::to_string),
            };
            collector.visit_file(&file);
            FileFacts {
                modules: collector.modules,
                children: collector.children,
                syntax_error: None,
            }
        }
        Err(error) => {
            let span = error.span();
            FileFacts {
                modules: vec![ModuleFacts {
                    path: module.to_vec(),
                    ..ModuleFacts::default()
                }],
                children: Vec::new(),
                syntax_error: Some((Location::between(span, span), error.to_string())),
            }
        }
    };
    // Spans were turned into line/column above; free this thread's copy of the source.
    proc_macro2::extra::invalidate_current_thread_spans();
    facts
}

struct Collector {
    include_tests: bool,
    modules: Vec<ModuleFacts>,
    /// Index in `modules` of the module being read, innermost last.
    stack: Vec<usize>,
    /// Names of the inline modules around the current position.
    inline: Vec<String>,
    test_depth: usize,
    /// Inside a function body or other block: items there do not name module members.
    block_depth: usize,
    /// The innermost block scope (of the current module) around the current position.
    block: Option<usize>,
    children: Vec<ChildDeclaration>,
    /// Set when doc tests are read: the library's crate name.
    doc_tests_crate: Option<String>,
}

impl Collector {
    fn current(&mut self) -> &mut ModuleFacts {
        let index = *self
            .stack
            .last()
            .expect("the file module is always on the stack");
        &mut self.modules[index]
    }

    fn current_path(&self) -> Vec<String> {
        let index = *self
            .stack
            .last()
            .expect("the file module is always on the stack");
        self.modules[index].path.clone()
    }

    /// Records an item name in the innermost block scope, or in the module.
    fn declare(&mut self, name: String) {
        match self.block.filter(|_| self.block_depth > 0) {
            Some(block) => self.current().blocks[block].items.insert(name),
            None => self.current().items.insert(name),
        };
    }

    /// Records an import in the innermost block scope, or in the module.
    fn add_import(&mut self, import: Import) {
        match self.block.filter(|_| self.block_depth > 0) {
            Some(block) => self.current().blocks[block].imports.push(import),
            None => self.current().imports.push(import),
        }
    }

    fn is_test(&self) -> bool {
        self.test_depth > 0
    }

    /// Runs `body` for an item with these attributes, unless it is test code to skip.
    fn with_item_attributes(&mut self, attributes: &[Attribute], body: impl FnOnce(&mut Self)) {
        let test_only = is_test_only(attributes);
        if test_only && !self.include_tests {
            return;
        }
        self.test_depth += usize::from(test_only);
        self.read_doc_tests(attributes);
        body(self);
        self.test_depth -= usize::from(test_only);
    }

    /// Reads the Rust code blocks of the doc comments in `attributes` (doc tests), each as
    /// a block scope of its own in the current module.
    fn read_doc_tests(&mut self, attributes: &[Attribute]) {
        let Some(crate_name) = self.doc_tests_crate.clone() else {
            return;
        };
        for code in doc_code_blocks(attributes) {
            let (file, line_offset) = match syn::parse_file(&code.text) {
                Ok(file) => (file, 0),
                Err(_) => match syn::parse_file(&format!("fn main() {{\n{}\n}}", code.text)) {
                    Ok(file) => (file, 1),
                    Err(_) => continue,
                },
            };
            let (saved_block, saved_depth) = (self.block, self.block_depth);
            let module = self.current();
            let first_block = module.blocks.len();
            let first_reference = module.references.len();
            let first_macro_path = module.macro_paths.len();
            module.blocks.push(BlockScope::default());
            self.block = Some(first_block);
            self.block_depth = saved_depth + 1;
            for item in &file.items {
                self.visit_item(item);
            }
            self.block = saved_block;
            self.block_depth = saved_depth;
            let place = |path: &mut WrittenPath| {
                code.relocate(&mut path.location, line_offset);
                if path.segments.first() == Some(&crate_name) {
                    path.segments[0] = "crate".to_string();
                    path.leading_colon = false;
                }
            };
            let module = self.current();
            module.references[first_reference..]
                .iter_mut()
                .for_each(|reference| place(&mut reference.path));
            module.macro_paths[first_macro_path..]
                .iter_mut()
                .for_each(|macro_path| place(&mut macro_path.path));
            module.blocks[first_block..]
                .iter_mut()
                .flat_map(|block| block.imports.iter_mut())
                .for_each(|import| place(&mut import.path));
        }
    }

    fn record_reference(&mut self, path: &syn::Path) {
        if path.segments.len() < 2 && path.leading_colon.is_none() {
            return;
        }
        let written = written_path(path);
        let block = self.block;
        self.current().references.push(Reference {
            path: written,
            block,
        });
    }

    fn record_macro_paths(&mut self, tokens: TokenStream, macro_name: &str, in_definition: bool) {
        let mut found = Vec::new();
        scan_token_paths(tokens, &mut found);
        let block = self.block;
        for path in found {
            self.current().macro_paths.push(MacroPath {
                path,
                macro_name: macro_name.to_string(),
                in_definition,
                block,
            });
        }
    }
}

impl<'ast> Visit<'ast> for Collector {
    fn visit_file(&mut self, file: &'ast syn::File) {
        self.read_doc_tests(&file.attrs);
        visit::visit_file(self, file);
    }

    fn visit_item(&mut self, item: &'ast Item) {
        let Some(attributes) = item_attributes(item) else {
            visit::visit_item(self, item);
            return;
        };
        self.with_item_attributes(attributes, |collector| {
            if let Some(name) = declared_name(item) {
                collector.declare(name);
            }
            visit::visit_item(collector, item);
        });
    }

    fn visit_item_mod(&mut self, module: &'ast syn::ItemMod) {
        if self.block_depth > 0 {
            // A module inside a function: its name shadows, its contents count as the
            // function's.
            self.declare(name_of(&module.ident));
            visit::visit_item_mod(self, module);
            return;
        }
        for attribute in &module.attrs {
            self.visit_attribute(attribute);
        }
        let name = name_of(&module.ident);
        let mut path = self.current_path();
        path.push(name.clone());
        self.current().children.insert(name.clone());
        match &module.content {
            Some((_, items)) => {
                self.modules.push(ModuleFacts {
                    path,
                    ..ModuleFacts::default()
                });
                self.stack.push(self.modules.len() - 1);
                self.inline.push(name);
                for item in items {
                    self.visit_item(item);
                }
                self.inline.pop();
                self.stack.pop();
            }
            None => {
                let ident_span = module.ident.span();
                self.children.push(ChildDeclaration {
                    module: path,
                    name,
                    inline: self.inline.clone(),
                    path_attribute: path_attribute(&module.attrs),
                    conditional_paths: conditional_paths(&module.attrs),
                    is_test: self.is_test(),
                    location: Location::between(ident_span, ident_span),
                });
            }
        }
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        for attribute in &item.attrs {
            self.visit_attribute(attribute);
        }
        let mut leaves = Vec::new();
        let mut prefix = Vec::new();
        let start = item.leading_colon.map(|colon| colon.spans[0]);
        flatten_use(&item.tree, &mut prefix, start, &mut leaves);
        let leading_colon = item.leading_colon.is_some();
        for (name, segments, start, end) in leaves {
            self.add_import(Import {
                name,
                path: WrittenPath {
                    leading_colon,
                    segments,
                    location: Location::between(start, end),
                },
            });
        }
    }

    fn visit_item_extern_crate(&mut self, item: &'ast syn::ItemExternCrate) {
        let crate_name = name_of(&item.ident);
        let name = match &item.rename {
            Some((_, rename)) if rename == "_" => ImportName::Underscore,
            Some((_, rename)) => ImportName::Named(name_of(rename)),
            None => ImportName::Named(crate_name.clone()),
        };
        if let (ImportName::Named(bound), 0) = (&name, self.block_depth) {
            let entry = (bound.clone(), crate_name.clone());
            self.current().extern_crates.push(entry);
        }
        let (leading_colon, segments) = if crate_name == "self" {
            (false, vec!["crate".to_string()])
        } else {
            (true, vec![crate_name])
        };
        let span = item.ident.span();
        self.add_import(Import {
            name,
            path: WrittenPath {
                leading_colon,
                segments,
                location: Location::between(span, span),
            },
        });
    }

    fn visit_item_macro(&mut self, item: &'ast syn::ItemMacro) {
        for attribute in &item.attrs {
            self.visit_attribute(attribute);
        }
        if item.mac.path.is_ident("macro_rules") {
            let exported = item
                .attrs
                .iter()
                .any(|attribute| attribute.path().is_ident("macro_export"));
            if let (true, Some(ident), 0) = (exported, &item.ident, self.block_depth) {
                let name = name_of(ident);
                self.current().items.insert(name.clone());
                self.current().exported_macros.push(name);
            }
            // A macro definition: its body is token patterns, not code of this module.
            let name = item
                .ident
                .as_ref()
                .map_or_else(|| "macro_rules".to_string(), |ident| ident.to_string());
            self.record_macro_paths(item.mac.tokens.clone(), &format!("{name}!"), true);
        } else {
            self.visit_macro(&item.mac);
        }
    }

    fn visit_impl_item(&mut self, item: &'ast syn::ImplItem) {
        let attributes: &[Attribute] = match item {
            syn::ImplItem::Const(constant) => &constant.attrs,
            syn::ImplItem::Fn(function) => &function.attrs,
            syn::ImplItem::Type(alias) => &alias.attrs,
            syn::ImplItem::Macro(mac) => &mac.attrs,
            _ => &[],
        };
        self.with_item_attributes(attributes, |collector| {
            visit::visit_impl_item(collector, item)
        });
    }

    fn visit_trait_item(&mut self, item: &'ast syn::TraitItem) {
        let attributes: &[Attribute] = match item {
            syn::TraitItem::Const(constant) => &constant.attrs,
            syn::TraitItem::Fn(function) => &function.attrs,
            syn::TraitItem::Type(alias) => &alias.attrs,
            syn::TraitItem::Macro(mac) => &mac.attrs,
            _ => &[],
        };
        self.with_item_attributes(attributes, |collector| {
            visit::visit_trait_item(collector, item)
        });
    }

    fn visit_block(&mut self, block: &'ast syn::Block) {
        let outer = self.block;
        let declares = block
            .stmts
            .iter()
            .any(|statement| matches!(statement, syn::Stmt::Item(_)));
        if declares {
            let parent = self.block;
            let blocks = &mut self.current().blocks;
            blocks.push(BlockScope {
                parent,
                ..BlockScope::default()
            });
            self.block = Some(blocks.len() - 1);
        }
        self.block_depth += 1;
        visit::visit_block(self, block);
        self.block_depth -= 1;
        self.block = outer;
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        self.record_reference(path);
        visit::visit_path(self, path);
    }

    // `pub(in crate::x)` names where an item is visible, not something it uses.
    fn visit_visibility(&mut self, _visibility: &'ast syn::Visibility) {}

    fn visit_attribute(&mut self, attribute: &'ast Attribute) {
        if attribute.path().is_ident("derive") {
            if let Ok(paths) =
                attribute.parse_args_with(Punctuated::<syn::Path, Token![,]>::parse_terminated)
            {
                for path in &paths {
                    self.visit_path(path);
                }
            }
            return;
        }
        visit::visit_attribute(self, attribute);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        self.visit_path(&mac.path);
        let macro_name = mac
            .path
            .segments
            .last()
            .map_or_else(String::new, |segment| format!("{}!", segment.ident));
        if let Ok(arguments) = mac.parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated)
        {
            for argument in &arguments {
                self.visit_expr(argument);
            }
        } else if let Ok(statements) = mac.parse_body_with(syn::Block::parse_within) {
            for statement in &statements {
                self.visit_stmt(statement);
            }
        } else if let Ok(file) = syn::parse2::<syn::File>(mac.tokens.clone()) {
            // Items (with inner attributes first): like the statements above, they belong
            // where the macro is written, so a `mod` among them is followed.
            for item in &file.items {
                self.visit_item(item);
            }
        } else if let Ok(file) = syn::parse2::<syn::File>(with_final_semicolon(&mac.tokens)) {
            // `thread_local!(static CACHE: Cell<u8> = Cell::new(0))`: the last item may
            // leave out its `;`.
            for item in &file.items {
                self.visit_item(item);
            }
        } else if let Ok(branches) = mac.parse_body_with(parse_cfg_if) {
            // `cfg_if! { if #[cfg(unix)] { mod unix; } else { … } }`: every branch is read,
            // as `cfg` is not evaluated; a `#[cfg(test)]` branch is test code.
            for branch in &branches {
                self.with_item_attributes(&branch.attributes, |collector| {
                    for statement in &branch.statements {
                        collector.visit_stmt(statement);
                    }
                });
            }
        } else if let Ok(matched) = mac.parse_body_with(parse_expression_and_pattern) {
            self.visit_expr(&matched.expression);
            self.visit_pat(&matched.pattern);
            if let Some(guard) = &matched.guard {
                self.visit_expr(guard);
            }
        } else {
            self.record_macro_paths(mac.tokens.clone(), &macro_name, false);
        }
    }
}

/// A Rust code block of a doc comment, with where each of its lines is in the file.
struct DocCode {
    text: String,
    /// For each line of `text`: its line in the file, and the file column (0-based) where
    /// the line's text starts.
    lines: Vec<(usize, usize)>,
}

impl DocCode {
    /// Moves a location inside `text` (parsed with `line_offset` extra lines before it) to
    /// the file.
    fn relocate(&self, location: &mut Location, line_offset: usize) {
        let place = |line: usize| {
            let index = line.saturating_sub(1 + line_offset);
            self.lines
                .get(index)
                .or(self.lines.last())
                .copied()
                .unwrap_or_default()
        };
        let (start_line, start_column) = place(location.line);
        let (end_line, end_column) = place(location.end_line);
        *location = Location {
            line: start_line,
            column: start_column + location.column,
            end_line,
            end_column: end_column + location.end_column,
        };
    }
}

/// The Rust code blocks of the doc comments among `attributes`, as rustdoc tests them:
/// fences without a language or with `rust` and test flags; `compile_fail` blocks and other
/// languages are not Rust that compiles. Hidden lines (`# code`) are code too.
fn doc_code_blocks(attributes: &[Attribute]) -> Vec<DocCode> {
    let mut lines: Vec<(String, usize, usize)> = Vec::new();
    for attribute in attributes {
        let Meta::NameValue(name_value) = &attribute.meta else {
            continue;
        };
        let Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(text),
            ..
        }) = &name_value.value
        else {
            continue;
        };
        if !name_value.path.is_ident("doc") {
            continue;
        }
        let start = text.span().start();
        // `/// text` (the `#` of a doc comment is the comment itself): the text starts after
        // the three slashes; `#[doc = "text"]`: after the opening quote.
        let sugared = attribute.pound_token.span.start() == start;
        let opening = if sugared {
            3
        } else {
            text.token()
                .to_string()
                .find('"')
                .map_or(1, |quote| quote + 1)
        };
        for (index, line) in text.value().split('\n').enumerate() {
            let column = if index == 0 {
                start.column + opening
            } else {
                0
            };
            lines.push((line.to_string(), start.line + index, column));
        }
    }
    let mut blocks = Vec::new();
    let mut open: Option<(String, bool, DocCode)> = None;
    for (line, file_line, column) in lines {
        let trimmed = line.trim_start();
        match &mut open {
            None => {
                let fence = if trimmed.starts_with("```") {
                    "```"
                } else if trimmed.starts_with("~~~") {
                    "~~~"
                } else {
                    continue;
                };
                let info = trimmed.trim_start_matches(fence.chars().next().unwrap_or('`'));
                let code = DocCode {
                    text: String::new(),
                    lines: Vec::new(),
                };
                open = Some((fence.to_string(), is_rust_fence(info), code));
            }
            Some((fence, is_rust, code)) => {
                if trimmed.starts_with(fence.as_str()) {
                    if *is_rust {
                        blocks.push(std::mem::replace(
                            code,
                            DocCode {
                                text: String::new(),
                                lines: Vec::new(),
                            },
                        ));
                    }
                    open = None;
                    continue;
                }
                // Hidden lines keep their columns: `# ` becomes two spaces.
                let visible = match trimmed.strip_prefix('#') {
                    Some(rest) if rest.is_empty() || rest.starts_with(' ') => {
                        line.replacen('#', " ", 1)
                    }
                    _ => line.clone(),
                };
                if !code.text.is_empty() || !code.lines.is_empty() {
                    code.text.push('\n');
                }
                code.text.push_str(&visible);
                code.lines.push((file_line, column));
            }
        }
    }
    blocks
}

fn is_rust_fence(info: &str) -> bool {
    let flags: Vec<&str> = info
        .split(|character: char| character == ',' || character.is_whitespace())
        .filter(|flag| !flag.is_empty())
        .collect();
    flags.iter().all(|flag| {
        matches!(
            *flag,
            "rust" | "ignore" | "no_run" | "should_panic" | "test_harness" | "standalone_crate"
        ) || flag.starts_with("edition")
    })
}

/// `tokens` followed by a `;`.
fn with_final_semicolon(tokens: &TokenStream) -> TokenStream {
    let mut tokens = tokens.clone();
    tokens.extend(std::iter::once(TokenTree::Punct(proc_macro2::Punct::new(
        ';',
        Spacing::Alone,
    ))));
    tokens
}

/// One branch of a `cfg_if!`: its `#[cfg(…)]` (none for the final `else`) and its code.
struct CfgIfBranch {
    attributes: Vec<Attribute>,
    statements: Vec<syn::Stmt>,
}

/// The input of `cfg_if!`: `if #[cfg(a)] { … } else if #[cfg(b)] { … } else { … }`.
fn parse_cfg_if(input: syn::parse::ParseStream<'_>) -> syn::Result<Vec<CfgIfBranch>> {
    let mut branches = Vec::new();
    loop {
        let attributes = if input.peek(Token![if]) {
            input.parse::<Token![if]>()?;
            let attributes = Attribute::parse_outer(input)?;
            if attributes.is_empty() {
                return Err(input.error("expected `#[cfg(…)]`"));
            }
            attributes
        } else if branches.is_empty() {
            return Err(input.error("expected `if`"));
        } else {
            Vec::new()
        };
        let content;
        syn::braced!(content in input);
        let last = attributes.is_empty();
        branches.push(CfgIfBranch {
            attributes,
            statements: syn::Block::parse_within(&content)?,
        });
        if last || input.is_empty() {
            break;
        }
        input.parse::<Token![else]>()?;
    }
    if !input.is_empty() {
        return Err(input.error("unexpected tokens after the last branch"));
    }
    Ok(branches)
}

/// The input of `matches!` and alike: `expression, pattern` with an optional `if` guard.
struct ExpressionAndPattern {
    expression: Expr,
    pattern: syn::Pat,
    guard: Option<Expr>,
}

fn parse_expression_and_pattern(
    input: syn::parse::ParseStream<'_>,
) -> syn::Result<ExpressionAndPattern> {
    let expression: Expr = input.parse()?;
    input.parse::<Token![,]>()?;
    let pattern = syn::Pat::parse_multi_with_leading_vert(input)?;
    let guard = if input.peek(Token![if]) {
        input.parse::<Token![if]>()?;
        Some(input.parse()?)
    } else {
        None
    };
    if input.peek(Token![,]) {
        input.parse::<Token![,]>()?;
    }
    Ok(ExpressionAndPattern {
        expression,
        pattern,
        guard,
    })
}

fn item_attributes(item: &Item) -> Option<&[Attribute]> {
    Some(match item {
        Item::Const(item) => &item.attrs,
        Item::Enum(item) => &item.attrs,
        Item::ExternCrate(item) => &item.attrs,
        Item::Fn(item) => &item.attrs,
        Item::ForeignMod(item) => &item.attrs,
        Item::Impl(item) => &item.attrs,
        Item::Macro(item) => &item.attrs,
        Item::Mod(item) => &item.attrs,
        Item::Static(item) => &item.attrs,
        Item::Struct(item) => &item.attrs,
        Item::Trait(item) => &item.attrs,
        Item::TraitAlias(item) => &item.attrs,
        Item::Type(item) => &item.attrs,
        Item::Union(item) => &item.attrs,
        Item::Use(item) => &item.attrs,
        _ => return None,
    })
}

/// The name an item declares in its module's namespace (modules, imports and impls aside).
fn declared_name(item: &Item) -> Option<String> {
    let ident = match item {
        Item::Const(item) => &item.ident,
        Item::Enum(item) => &item.ident,
        Item::Fn(item) => &item.sig.ident,
        Item::Static(item) => &item.ident,
        Item::Struct(item) => &item.ident,
        Item::Trait(item) => &item.ident,
        Item::TraitAlias(item) => &item.ident,
        Item::Type(item) => &item.ident,
        Item::Union(item) => &item.ident,
        _ => return None,
    };
    Some(name_of(ident))
}

/// `#[test]`, `#[tokio::test]` and the like, `#[cfg(test)]` and `#[cfg(all(test, …))]`.
fn is_test_only(attributes: &[Attribute]) -> bool {
    attributes.iter().any(|attribute| {
        let path = attribute.path();
        if path.is_ident("cfg") {
            return attribute
                .parse_args::<Meta>()
                .is_ok_and(|meta| cfg_requires_test(&meta));
        }
        path.segments
            .last()
            .is_some_and(|segment| segment.ident == "test")
    })
}

fn cfg_requires_test(meta: &Meta) -> bool {
    match meta {
        Meta::Path(path) => path.is_ident("test"),
        Meta::List(list) if list.path.is_ident("all") => list
            .parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated)
            .is_ok_and(|inner| inner.iter().any(cfg_requires_test)),
        _ => false,
    }
}

fn path_attribute(attributes: &[Attribute]) -> Option<String> {
    attributes
        .iter()
        .find_map(|attribute| path_value(&attribute.meta))
}

/// `#[cfg_attr(condition, path = "x.rs")]`: the paths, whatever the condition.
fn conditional_paths(attributes: &[Attribute]) -> Vec<String> {
    attributes
        .iter()
        .filter(|attribute| attribute.path().is_ident("cfg_attr"))
        .filter_map(|attribute| {
            attribute
                .parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated)
                .ok()
        })
        .flat_map(|arguments| {
            arguments
                .into_iter()
                .skip(1)
                .filter_map(|meta| path_value(&meta))
        })
        .collect()
}

/// The value of `path = "…"`.
fn path_value(meta: &Meta) -> Option<String> {
    let Meta::NameValue(name_value) = meta else {
        return None;
    };
    if !name_value.path.is_ident("path") {
        return None;
    }
    match &name_value.value {
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(text),
            ..
        }) => Some(text.value()),
        _ => None,
    }
}

/// The name an identifier stands for: `r#async` is the module, item or crate `async`.
fn name_of(ident: &proc_macro2::Ident) -> String {
    ident.unraw().to_string()
}

fn written_path(path: &syn::Path) -> WrittenPath {
    let first = path
        .leading_colon
        .map(|colon| colon.spans[0])
        .or_else(|| path.segments.first().map(|segment| segment.ident.span()))
        .unwrap_or_else(Span::call_site);
    let last = path
        .segments
        .last()
        .map_or(first, |segment| segment.ident.span());
    WrittenPath {
        leading_colon: path.leading_colon.is_some(),
        segments: path
            .segments
            .iter()
            .map(|segment| name_of(&segment.ident))
            .collect(),
        location: Location::between(first, last),
    }
}

type UseLeaf = (ImportName, Vec<String>, Span, Span);

/// Flattens a use tree into leaves. Each leaf starts at the first segment of its own
/// branch: `use a::{b::C, d}` gives `a::b::C` located at `b` and `a::d` at `d`.
fn flatten_use(
    tree: &UseTree,
    prefix: &mut Vec<String>,
    start: Option<Span>,
    leaves: &mut Vec<UseLeaf>,
) {
    match tree {
        UseTree::Path(path) => {
            let start = start.unwrap_or_else(|| path.ident.span());
            prefix.push(name_of(&path.ident));
            flatten_use(&path.tree, prefix, Some(start), leaves);
            prefix.pop();
        }
        UseTree::Name(name) => {
            let span = name.ident.span();
            let start = start.unwrap_or(span);
            if name.ident == "self" {
                if let Some(last) = prefix.last() {
                    leaves.push((ImportName::Named(last.clone()), prefix.clone(), start, span));
                }
            } else {
                let mut segments = prefix.clone();
                segments.push(name_of(&name.ident));
                leaves.push((
                    ImportName::Named(name_of(&name.ident)),
                    segments,
                    start,
                    span,
                ));
            }
        }
        UseTree::Rename(rename) => {
            let span = rename.ident.span();
            let start = start.unwrap_or(span);
            let mut segments = prefix.clone();
            if rename.ident != "self" {
                segments.push(name_of(&rename.ident));
            }
            let name = if rename.rename == "_" {
                ImportName::Underscore
            } else {
                ImportName::Named(name_of(&rename.rename))
            };
            leaves.push((name, segments, start, span));
        }
        UseTree::Glob(glob) => {
            let span = glob.star_token.spans[0];
            leaves.push((
                ImportName::Glob,
                prefix.clone(),
                start.unwrap_or(span),
                span,
            ));
        }
        UseTree::Group(group) => {
            for item in &group.items {
                flatten_use(item, prefix, None, leaves);
            }
        }
    }
}

/// Finds `a::b…`, `::a::b…` and `$crate::a…` sequences in raw tokens.
fn scan_token_paths(tokens: TokenStream, found: &mut Vec<WrittenPath>) {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut index = 0;
    while index < trees.len() {
        if let TokenTree::Group(group) = &trees[index] {
            if group.delimiter() != Delimiter::None || !group.stream().is_empty() {
                scan_token_paths(group.stream(), found);
            }
            index += 1;
            continue;
        }
        // A path never continues one that came before (`x::y` after `::` was consumed).
        let preceded_by_colons = index >= 1 && is_path_separator(&trees, index - 1);
        match read_token_path(&trees, index) {
            Some((path, next)) if !preceded_by_colons => {
                if path.segments.len() >= 2 || path.leading_colon {
                    found.push(path);
                }
                index = next;
            }
            _ => index += 1,
        }
    }
}

/// True when `trees[index - 1..=index]` is `::` ending at `index`.
fn is_path_separator(trees: &[TokenTree], index: usize) -> bool {
    index >= 1 && is_colon_pair(trees, index - 1)
}

fn is_colon_pair(trees: &[TokenTree], index: usize) -> bool {
    matches!(
        (trees.get(index), trees.get(index + 1)),
        (Some(TokenTree::Punct(first)), Some(TokenTree::Punct(second)))
            if first.as_char() == ':' && first.spacing() == Spacing::Joint && second.as_char() == ':'
    )
}

fn read_token_path(trees: &[TokenTree], start: usize) -> Option<(WrittenPath, usize)> {
    let mut index = start;
    let mut leading_colon = false;
    let mut segments = Vec::new();
    let first_span;
    if is_colon_pair(trees, index) {
        leading_colon = true;
        first_span = trees[index].span();
        index += 2;
    } else if let Some(TokenTree::Punct(dollar)) = trees.get(index)
        && dollar.as_char() == '$'
    {
        match trees.get(index + 1) {
            Some(TokenTree::Ident(ident)) if ident == "crate" => {
                first_span = dollar.span();
                segments.push("$crate".to_string());
                index += 2;
            }
            _ => return None,
        }
    } else if let Some(TokenTree::Ident(_)) = trees.get(index) {
        first_span = trees[index].span();
    } else {
        return None;
    }
    let mut last_span = first_span;
    if segments.is_empty() {
        let Some(TokenTree::Ident(ident)) = trees.get(index) else {
            return None;
        };
        segments.push(name_of(ident));
        last_span = ident.span();
        index += 1;
    }
    while is_colon_pair(trees, index) {
        let Some(TokenTree::Ident(ident)) = trees.get(index + 2) else {
            break;
        };
        segments.push(name_of(ident));
        last_span = ident.span();
        index += 3;
    }
    Some((
        WrittenPath {
            leading_colon,
            segments,
            location: Location::between(first_span, last_span),
        },
        index,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crate_root() -> Vec<String> {
        vec!["crate".to_string()]
    }

    fn texts(paths: impl Iterator<Item = String>) -> Vec<String> {
        paths.collect()
    }

    #[test]
    fn use_trees_are_flattened_with_names_and_locations() {
        let facts = parse_file(
            "use crate::a::{b::C, d as e, self, f::*};\npub use ::tokio::spawn;\n",
            &crate_root(),
            false,
            false,
            None,
        );
        let imports = &facts.modules[0].imports;
        let described: Vec<(String, ImportName, usize, usize)> = imports
            .iter()
            .map(|import| {
                (
                    import.path.text(),
                    import.name.clone(),
                    import.path.location.line,
                    import.path.location.column,
                )
            })
            .collect();
        assert_eq!(
            described,
            [
                (
                    "crate::a::b::C".into(),
                    ImportName::Named("C".into()),
                    1,
                    16
                ),
                ("crate::a::d".into(), ImportName::Named("e".into()), 1, 22),
                ("crate::a".into(), ImportName::Named("a".into()), 1, 30),
                ("crate::a::f".into(), ImportName::Glob, 1, 36),
                (
                    "::tokio::spawn".into(),
                    ImportName::Named("spawn".into()),
                    2,
                    9
                ),
            ]
        );
    }

    #[test]
    fn paths_in_code_attributes_and_macros_are_references() {
        let source = r#"
#[derive(Debug, serde::Serialize)]
struct S { field: crate::a::T }
#[tokio::main]
async fn main() {
    let x = crate::b::f(super::c::G);
    println!("{}", crate::d::h());
    sqlx::query!("select 1");
}
impl crate::e::Trait for S where S: crate::f::Bound {}
"#;
        let facts = parse_file(source, &crate_root(), false, false, None);
        let references = texts(facts.modules[0].references.iter().map(|r| r.path.text()));
        assert_eq!(
            references,
            [
                "serde::Serialize",
                "crate::a::T",
                "tokio::main",
                "crate::b::f",
                "super::c::G",
                "crate::d::h",
                "sqlx::query",
                "crate::f::Bound",
                "crate::e::Trait",
            ]
        );
    }

    #[test]
    fn test_code_is_skipped_unless_included() {
        let source = "#[cfg(test)]\nmod tests { use crate::x::Y; }\n#[test]\nfn t() { crate::z::w(); }\n#[cfg(test)]\nmod more;\n";
        let skipped = parse_file(source, &crate_root(), false, false, None);
        assert_eq!(skipped.modules.len(), 1);
        assert!(skipped.modules[0].references.is_empty());
        assert!(skipped.children.is_empty());
        let included = parse_file(source, &crate_root(), false, true, None);
        assert_eq!(included.modules.len(), 2);
        assert_eq!(included.modules[1].path, ["crate", "tests"]);
        assert_eq!(included.modules[0].references[0].path.text(), "crate::z::w");
        assert_eq!(included.children.len(), 1);
    }

    #[test]
    fn inline_modules_and_mod_declarations() {
        let source = "mod outer { #[path = \"x.rs\"] mod inner; pub struct A; }\nmod sibling;\n";
        let facts = parse_file(source, &crate_root(), false, false, None);
        assert_eq!(facts.modules[1].path, ["crate", "outer"]);
        assert!(facts.modules[1].items.contains("A"));
        assert_eq!(facts.children[0].module, ["crate", "outer", "inner"]);
        assert_eq!(facts.children[0].inline, ["outer"]);
        assert_eq!(facts.children[0].path_attribute.as_deref(), Some("x.rs"));
        assert_eq!(facts.children[1].module, ["crate", "sibling"]);
    }

    #[test]
    fn unparsable_macro_input_is_listed() {
        let source = "macro_rules! m { () => { $crate::infra::f() } }\nfn g() { weird!(crate::a::b => ;; ) }\n";
        let facts = parse_file(source, &crate_root(), false, false, None);
        let listed = texts(facts.modules[0].macro_paths.iter().map(|m| m.path.text()));
        assert_eq!(listed, ["$crate::infra::f", "crate::a::b"]);
        assert_eq!(facts.modules[0].macro_paths[1].macro_name, "weird!");
    }

    #[test]
    fn matches_input_is_read_as_expression_pattern_and_guard() {
        let source = "fn f(x: u8) -> bool { matches!(crate::a::get(x), crate::b::Kind::A | crate::c::Kind::B if crate::d::ok()) }\n";
        let facts = parse_file(source, &crate_root(), false, false, None);
        let references = texts(facts.modules[0].references.iter().map(|r| r.path.text()));
        assert_eq!(
            references,
            [
                "crate::a::get",
                "crate::b::Kind::A",
                "crate::c::Kind::B",
                "crate::d::ok"
            ]
        );
        assert!(facts.modules[0].macro_paths.is_empty());
    }

    #[test]
    fn syntax_errors_are_located() {
        let facts = parse_file(
            "fn main() {\n  let x = ;\n}\n",
            &crate_root(),
            false,
            false,
            None,
        );
        let (location, _) = facts.syntax_error.unwrap();
        assert_eq!(location.line, 2);
    }
}
