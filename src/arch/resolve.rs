//! Resolves written paths to absolute module paths, the way rustc's name resolution does for
//! the parts that matter to architecture rules:
//!
//! - `crate`, `$crate`, `self`, `super` (repeated), `::name` (an extern crate);
//! - a first segment found in the current module: a child module or item first, then a
//!   `use` import (renames included), then glob imports, then the extern prelude. So a local
//!   `mod tokio` or `use crate::shim as tokio` shadows the tokio crate;
//! - `pub use` re-exports on the way are followed, and each hop is recorded: the first hop
//!   is the path as named, the last is where the chain ends.
//!
//! Generic parameters, locals, `Self` and prelude names resolve to nothing: they never name
//! another module.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;
use std::sync::Mutex;

use super::parse::{BlockScope, Import, ImportName, ModuleFacts, WrittenPath};

/// How deep re-export and glob chains are followed; real code stays far below.
const MAX_DEPTH: usize = 24;

/// An absolute path: inside the crate (`crate::…`) or inside an extern crate.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Target {
    /// `["crate", "a", "B"]` or `["sqlx", "PgPool"]` (the extern name as written).
    pub segments: Vec<String>,
    /// The package of an extern crate (renames resolved); None inside the crate.
    pub package: Option<String>,
}

impl Target {
    fn local(segments: Vec<String>) -> Self {
        Self {
            segments,
            package: None,
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.segments.join("::"))
    }
}

/// Where a written path leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolution {
    /// The path as named first, then one entry per re-export followed.
    pub hops: Vec<Target>,
    /// The import that the first segment came through, if any.
    pub via_import: Option<ImportSource>,
}

/// An import of a module, or of one of its block scopes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImportSource {
    /// Index in the module's imports.
    Module(usize),
    /// Block scope index, and index in that block's imports.
    Block(usize, usize),
}

/// The names one module declares, merged from every place that declares them.
#[derive(Debug, Default)]
pub struct ModuleScope {
    pub items: BTreeSet<String>,
    pub children: BTreeSet<String>,
    pub imports: Vec<Import>,
    /// Where each import leads, once computed (same index as `imports`).
    import_targets: Mutex<Vec<Option<Option<Vec<Target>>>>>,
    /// Whether a name can be named here, once computed.
    provided: Mutex<HashMap<String, bool>>,
    /// Block scopes of the module's functions, as parsed.
    blocks: Vec<BlockScope>,
}

thread_local! {
    /// Imports (scope address, index) being resolved on this thread: meeting one again
    /// means a cycle of re-exports, which leads nowhere.
    static IMPORTS_IN_PROGRESS: RefCell<HashSet<(usize, usize)>> = RefCell::new(HashSet::new());
    /// `provides` questions (scope address, name) being answered on this thread.
    static PROVIDES_IN_PROGRESS: RefCell<HashSet<(usize, String)>> = RefCell::new(HashSet::new());
}

fn depth_exceeded(depth: usize) -> bool {
    depth > MAX_DEPTH
}

/// Identity of a scope during one run (scopes do not move once built).
fn scope_identity(scope: &ModuleScope) -> usize {
    std::ptr::from_ref(scope) as usize
}

impl ModuleScope {
    fn declares(&self, name: &str) -> bool {
        self.children.contains(name) || self.items.contains(name)
    }

    fn named_import(&self, name: &str) -> Option<(usize, &Import)> {
        self.imports
            .iter()
            .enumerate()
            .find(|(_, import)| matches!(&import.name, ImportName::Named(named) if named == name))
    }

    fn globs(&self) -> impl Iterator<Item = (usize, &Import)> {
        self.imports
            .iter()
            .enumerate()
            .filter(|(_, import)| import.name == ImportName::Glob)
    }
}

/// Every module of one crate, for resolution.
#[derive(Debug, Default)]
pub struct CrateScopes {
    modules: HashMap<Vec<String>, ModuleScope>,
    /// Extern crate name as written -> package, with the crate root's `extern crate`
    /// renames.
    externs: BTreeMap<String, String>,
    /// Names given to this crate by `extern crate self as name;` at the crate root.
    self_names: BTreeSet<String>,
}

impl CrateScopes {
    /// Builds the scopes from the facts of every file of the crate.
    pub fn new<'a>(
        modules: impl IntoIterator<Item = &'a ModuleFacts>,
        mut externs: BTreeMap<String, String>,
    ) -> Self {
        let mut scopes: HashMap<Vec<String>, ModuleScope> = HashMap::new();
        let mut exported_macros = Vec::new();
        let mut self_names = BTreeSet::new();
        for facts in modules {
            // The crate root's `extern crate` items join the extern prelude, seen everywhere.
            let at_root = facts.path.len() == 1;
            for (name, crate_name) in facts.extern_crates.iter().filter(|_| at_root) {
                if crate_name == "self" {
                    self_names.insert(name.clone());
                } else if let Some(package) = externs.get(crate_name).cloned() {
                    externs.insert(name.clone(), package);
                }
            }
            for name in &facts.exported_macros {
                let mut segments = facts.path.clone();
                segments.push(name.clone());
                exported_macros.push(Import {
                    name: ImportName::Named(name.clone()),
                    path: WrittenPath {
                        leading_colon: false,
                        segments,
                        location: Default::default(),
                    },
                });
            }
            let scope = scopes.entry(facts.path.clone()).or_default();
            scope.items.extend(facts.items.iter().cloned());
            scope.children.extend(facts.children.iter().cloned());
            scope.imports.extend(facts.imports.iter().cloned());
            if scope.blocks.is_empty() {
                scope.blocks = facts.blocks.clone();
            }
        }
        // A `#[macro_export]` macro is named `crate::name`: an implicit re-export.
        let root = scopes.entry(vec!["crate".to_string()]).or_default();
        for import in exported_macros {
            let defined_at_root = import.path.segments.len() == 2;
            if !defined_at_root {
                root.imports.push(import);
            }
        }
        for scope in scopes.values_mut() {
            scope.import_targets = Mutex::new(vec![None; scope.imports.len()]);
        }
        Self {
            modules: scopes,
            externs,
            self_names,
        }
    }

    /// The paths of every module of the crate, those declared in files that could not be
    /// read included.
    pub fn module_paths(&self) -> Vec<Vec<String>> {
        let mut paths: BTreeSet<Vec<String>> = self.modules.keys().cloned().collect();
        for (path, scope) in &self.modules {
            for child in &scope.children {
                let mut child_path = path.clone();
                child_path.push(child.clone());
                paths.insert(child_path);
            }
        }
        paths.into_iter().collect()
    }

    /// Resolves `path` written in `module`, inside block scope `block` if any.
    pub fn resolve(
        &self,
        module: &[String],
        path: &WrittenPath,
        block: Option<usize>,
    ) -> Option<Resolution> {
        if let Some(decided) = self.resolve_in_blocks(module, block, None, path) {
            return decided;
        }
        let (hops, via_import) =
            self.resolve_segments(module, path.leading_colon, &path.segments, 0, None)?;
        Some(Resolution {
            hops,
            via_import: via_import.map(ImportSource::Module),
        })
    }

    /// Resolves an import of `module` itself (an import never names itself: `use tokio;`
    /// and `use sqlx::{self, PgPool};` name the crates).
    pub fn resolve_import(&self, module: &[String], source: ImportSource) -> Option<Resolution> {
        let scope = self.modules.get(module)?;
        let hops = match source {
            ImportSource::Module(index) => self.import_target(module, scope, index, 0)?,
            ImportSource::Block(block, index) => self.block_import_target(module, block, index)?,
        };
        Some(Resolution {
            hops,
            via_import: None,
        })
    }

    /// Where an import sits in the merged scope of `module`.
    pub fn import_source(
        &self,
        module: &[String],
        block: Option<usize>,
        import: &Import,
    ) -> Option<ImportSource> {
        let scope = self.modules.get(module)?;
        let same =
            |candidate: &Import| candidate.name == import.name && candidate.path == import.path;
        match block {
            None => scope
                .imports
                .iter()
                .position(same)
                .map(ImportSource::Module),
            Some(block) => scope
                .blocks
                .get(block)?
                .imports
                .iter()
                .position(same)
                .map(|index| ImportSource::Block(block, index)),
        }
    }

    /// Looks the first segment of `path` up in the block scopes around it, innermost first.
    /// None when no block scope declares or imports it (the module decides);
    /// `skip_imports_of`: a block whose imports are not looked at (its own import's path).
    fn resolve_in_blocks(
        &self,
        module: &[String],
        mut block: Option<usize>,
        skip_imports_of: Option<usize>,
        path: &WrittenPath,
    ) -> Option<Option<Resolution>> {
        if path.leading_colon {
            return None;
        }
        let name = path.segments.first()?;
        if matches!(
            name.as_str(),
            "crate" | "$crate" | "self" | "super" | "Self"
        ) {
            return None;
        }
        let scope = self.modules.get(module)?;
        while let Some(index) = block {
            let block_scope = scope.blocks.get(index)?;
            if block_scope.items.contains(name) {
                // An item declared in a function belongs to this module.
                let mut segments = module.to_vec();
                segments.extend(path.segments.iter().cloned());
                return Some(Some(Resolution {
                    hops: vec![Target::local(segments)],
                    via_import: None,
                }));
            }
            if skip_imports_of != Some(index) {
                let named = block_scope.imports.iter().position(
                    |import| matches!(&import.name, ImportName::Named(named) if named == name),
                );
                if let Some(import_index) = named {
                    let resolution =
                        self.block_import_target(module, index, import_index)
                            .map(|hops| Resolution {
                                hops: self.walk(hops, &path.segments[1..], 0),
                                via_import: Some(ImportSource::Block(index, import_index)),
                            });
                    return Some(resolution);
                }
                for (import_index, import) in block_scope.imports.iter().enumerate() {
                    if import.name != ImportName::Glob {
                        continue;
                    }
                    let source = self
                        .block_import_target(module, index, import_index)
                        .and_then(|hops| hops.last().cloned())
                        .filter(|last| {
                            last.package.is_none() && self.modules.contains_key(&last.segments)
                        });
                    if let Some(source) = source
                        && self.provides(&source.segments, name, 1)
                    {
                        return Some(Some(Resolution {
                            hops: self.walk(vec![source], &path.segments, 0),
                            via_import: Some(ImportSource::Block(index, import_index)),
                        }));
                    }
                }
            }
            block = block_scope.parent;
        }
        None
    }

    /// Where import `index` of block scope `block` leads: its path is read in its block,
    /// without that block's own imports, then in the module.
    fn block_import_target(
        &self,
        module: &[String],
        block: usize,
        index: usize,
    ) -> Option<Vec<Target>> {
        let import = self
            .modules
            .get(module)?
            .blocks
            .get(block)?
            .imports
            .get(index)?;
        if let Some(decided) =
            self.resolve_in_blocks(module, Some(block), Some(block), &import.path)
        {
            return decided.map(|resolution| resolution.hops);
        }
        self.resolve_segments(
            module,
            import.path.leading_colon,
            &import.path.segments,
            1,
            None,
        )
        .map(|(hops, _)| hops)
    }

    /// `skip_import`: an import of `module` that the first segment may not resolve to.
    fn resolve_segments(
        &self,
        module: &[String],
        leading_colon: bool,
        segments: &[String],
        depth: usize,
        skip_import: Option<usize>,
    ) -> Option<(Vec<Target>, Option<usize>)> {
        if depth_exceeded(depth) {
            return None;
        }
        let first = segments.first()?;
        if leading_colon {
            let start = self.extern_prelude(first)?;
            return Some((self.walk(vec![start], &segments[1..], depth), None));
        }
        match first.as_str() {
            "crate" | "$crate" => {
                let start = Target::local(vec!["crate".to_string()]);
                Some((self.walk(vec![start], &segments[1..], depth), None))
            }
            "self" | "super" => {
                // `self::super::x` and `super::super::x` climb one module per `super`.
                let mut current = module.to_vec();
                let mut consumed = usize::from(first == "self");
                while segments
                    .get(consumed)
                    .is_some_and(|segment| segment == "super")
                {
                    if current.len() <= 1 {
                        return None;
                    }
                    current.pop();
                    consumed += 1;
                }
                let start = Target::local(current);
                Some((self.walk(vec![start], &segments[consumed..], depth), None))
            }
            "Self" => None,
            name => self.resolve_first_name(module, name, segments, depth, skip_import),
        }
    }

    fn resolve_first_name(
        &self,
        module: &[String],
        name: &str,
        segments: &[String],
        depth: usize,
        skip_import: Option<usize>,
    ) -> Option<(Vec<Target>, Option<usize>)> {
        if let Some(scope) = self.modules.get(module) {
            if scope.declares(name) {
                let start = Target::local(module.to_vec());
                return Some((self.walk(vec![start], segments, depth), None));
            }
            if let Some((index, _)) = scope
                .named_import(name)
                .filter(|(index, _)| Some(*index) != skip_import)
            {
                let hops = self.import_target(module, scope, index, depth)?;
                return Some((self.walk(hops, &segments[1..], depth), Some(index)));
            }
            if let Some((index, source)) =
                self.glob_providing(module, scope, name, depth, skip_import, &[])
            {
                let start = Target::local(source);
                return Some((self.walk(vec![start], segments, depth), Some(index)));
            }
        }
        if let Some(start) = self.extern_prelude(name) {
            return Some((self.walk(vec![start], &segments[1..], depth), None));
        }
        let scope = self.modules.get(module)?;
        let start = self.extern_glob(module, scope, depth, skip_import)?;
        Some((self.walk(vec![start], segments, depth), None))
    }

    /// The extern crate module that a glob import of `module` reads (`pub use tokio::*;`),
    /// when it is the only such glob: a name the module cannot find otherwise comes from it.
    fn extern_glob(
        &self,
        module: &[String],
        scope: &ModuleScope,
        depth: usize,
        skip_import: Option<usize>,
    ) -> Option<Target> {
        let mut sources = scope
            .globs()
            .filter(|(index, _)| Some(*index) != skip_import)
            .filter_map(|(index, _)| self.import_target(module, scope, index, depth)?.pop())
            .filter(|target| target.package.is_some());
        let source = sources.next()?;
        sources.next().is_none().then_some(source)
    }

    /// Where a name of the extern prelude leads: a dependency, or this crate.
    fn extern_prelude(&self, name: &str) -> Option<Target> {
        if self.self_names.contains(name) {
            return Some(Target::local(vec!["crate".to_string()]));
        }
        let package = self.externs.get(name)?;
        Some(Target {
            segments: vec![name.to_string()],
            package: Some(package.clone()),
        })
    }

    /// Where import `index` of `module` leads (memoized).
    fn import_target(
        &self,
        module: &[String],
        scope: &ModuleScope,
        index: usize,
        depth: usize,
    ) -> Option<Vec<Target>> {
        let memoized = scope
            .import_targets
            .lock()
            .ok()
            .and_then(|targets| targets.get(index).cloned().flatten());
        if let Some(target) = memoized {
            return target;
        }
        let import = scope.imports.get(index)?;
        let key = (scope_identity(scope), index);
        if !IMPORTS_IN_PROGRESS.with(|in_progress| in_progress.borrow_mut().insert(key)) {
            return None;
        }
        let target = self
            .resolve_segments(
                module,
                import.path.leading_colon,
                &import.path.segments,
                depth + 1,
                Some(index),
            )
            .map(|(hops, _)| hops);
        IMPORTS_IN_PROGRESS.with(|in_progress| in_progress.borrow_mut().remove(&key));
        if let Ok(mut targets) = scope.import_targets.lock()
            && let Some(slot) = targets.get_mut(index)
            && slot.is_none()
        {
            *slot = Some(target.clone());
        }
        target
    }

    /// Resolves every module-level import once, in a fixed order, before resolution runs
    /// in parallel: where imports lead then never depends on thread timing, even through
    /// cycles of glob re-exports.
    pub fn resolve_all_imports(&self) {
        let mut modules: Vec<(&Vec<String>, &ModuleScope)> = self.modules.iter().collect();
        modules.sort_by(|left, right| left.0.cmp(right.0));
        for (module, scope) in modules {
            for index in 0..scope.imports.len() {
                self.import_target(module, scope, index, 0);
            }
        }
    }

    /// The module a glob import reads from, when it is a module of this crate.
    fn glob_source(
        &self,
        module: &[String],
        scope: &ModuleScope,
        index: usize,
        depth: usize,
    ) -> Option<Vec<String>> {
        let hops = self.import_target(module, scope, index, depth)?;
        let last = hops.last()?;
        (last.package.is_none() && self.modules.contains_key(&last.segments))
            .then(|| last.segments.clone())
    }

    /// The glob import of `module` through which `name` can be named, and the module it
    /// reads from: one that declares or imports the name itself if any, else one that
    /// provides it through its own globs. Modules already on the path (`visited`) are not
    /// taken again, so glob cycles are not walked round.
    fn glob_providing(
        &self,
        module: &[String],
        scope: &ModuleScope,
        name: &str,
        depth: usize,
        skip_import: Option<usize>,
        visited: &[Vec<String>],
    ) -> Option<(usize, Vec<String>)> {
        let sources: Vec<(usize, Vec<String>)> = scope
            .globs()
            .filter(|(index, _)| Some(*index) != skip_import)
            .filter_map(|(index, _)| {
                self.glob_source(module, scope, index, depth)
                    .map(|source| (index, source))
            })
            .filter(|(_, source)| source != module && !visited.contains(source))
            .collect();
        let direct = sources.iter().find(|(_, source)| {
            self.modules.get(source).is_some_and(|candidate| {
                candidate.declares(name) || candidate.named_import(name).is_some()
            })
        });
        direct
            .or_else(|| {
                sources
                    .iter()
                    .find(|(_, source)| self.provides(source, name, depth + 1))
            })
            .cloned()
    }

    /// True when `name` can be named inside `module` (declared, imported or glob-imported).
    fn provides(&self, module: &[String], name: &str, depth: usize) -> bool {
        let Some(scope) = self.modules.get(module) else {
            return false;
        };
        let memoized = scope
            .provided
            .lock()
            .ok()
            .and_then(|provided| provided.get(name).copied());
        if let Some(answer) = memoized {
            return answer;
        }
        let key = (scope_identity(scope), name.to_string());
        if !PROVIDES_IN_PROGRESS.with(|in_progress| in_progress.borrow_mut().insert(key.clone())) {
            return false;
        }
        let mut visited = Vec::new();
        let answer = self.provides_unvisited(module, name, depth, &mut visited);
        PROVIDES_IN_PROGRESS.with(|in_progress| in_progress.borrow_mut().remove(&key));
        if let Ok(mut provided) = scope.provided.lock() {
            provided.entry(name.to_string()).or_insert(answer);
        }
        answer
    }

    fn provides_unvisited(
        &self,
        module: &[String],
        name: &str,
        depth: usize,
        visited: &mut Vec<Vec<String>>,
    ) -> bool {
        if depth_exceeded(depth) || visited.iter().any(|seen| seen == module) {
            return false;
        }
        visited.push(module.to_vec());
        let Some(scope) = self.modules.get(module) else {
            return false;
        };
        if scope.declares(name) || scope.named_import(name).is_some() {
            return true;
        }
        scope.globs().any(|(index, _)| {
            self.glob_source(module, scope, index, depth)
                .is_some_and(|source| self.provides_unvisited(&source, name, depth + 1, visited))
        })
    }

    /// Follows `rest` from the last hop, recording a new hop at each re-export.
    fn walk(&self, mut hops: Vec<Target>, rest: &[String], depth: usize) -> Vec<Target> {
        let mut index = 0;
        // Modules left through a glob on this walk: never entered again.
        let mut glob_visited: Vec<Vec<String>> = Vec::new();
        while index < rest.len() {
            let too_long = depth_exceeded(hops.len());
            let current = hops.last_mut().expect("a walk starts from one hop");
            if too_long {
                current.segments.extend(rest[index..].iter().cloned());
                break;
            }
            let scope = if current.package.is_none() {
                self.modules.get(&current.segments)
            } else {
                None
            };
            let Some(scope) = scope else {
                current.segments.extend(rest[index..].iter().cloned());
                break;
            };
            let name = &rest[index];
            if scope.declares(name) {
                current.segments.push(name.clone());
                index += 1;
                continue;
            }
            let module = current.segments.clone();
            if let Some((import_index, _)) = scope.named_import(name) {
                current.segments.push(name.clone());
                match self.import_target(&module, scope, import_index, depth) {
                    Some(target) => {
                        hops.extend(target);
                        index += 1;
                        continue;
                    }
                    None => {
                        let current = hops.last_mut().expect("a walk starts from one hop");
                        current.segments.extend(rest[index + 1..].iter().cloned());
                        break;
                    }
                }
            }
            let source = self
                .glob_providing(&module, scope, name, depth, None, &glob_visited)
                .map(|(_, source)| Target::local(source))
                .or_else(|| self.extern_glob(&module, scope, depth, None));
            match source {
                Some(source) if !depth_exceeded(depth + 1) => {
                    current.segments.push(name.clone());
                    glob_visited.push(module);
                    hops.push(source);
                }
                _ => {
                    current.segments.extend(rest[index..].iter().cloned());
                    break;
                }
            }
        }
        hops
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arch::parse::parse_file;

    fn scopes(files: &[(&str, &str)]) -> CrateScopes {
        let mut modules = Vec::new();
        for (module, text) in files {
            let path: Vec<String> = module.split("::").map(String::from).collect();
            modules.extend(parse_file(text, &path, false, false, None).modules);
        }
        let externs = [("tokio", "tokio"), ("db", "sqlx"), ("std", "std")]
            .into_iter()
            .map(|(name, package)| (name.to_string(), package.to_string()))
            .collect();
        CrateScopes::new(&modules, externs)
    }

    fn resolve(scopes: &CrateScopes, module: &str, path: &str) -> Option<Vec<String>> {
        let module: Vec<String> = module.split("::").map(String::from).collect();
        let (leading_colon, text) = match path.strip_prefix("::") {
            Some(rest) => (true, rest),
            None => (false, path),
        };
        let written = WrittenPath {
            leading_colon,
            segments: text.split("::").map(String::from).collect(),
            location: Default::default(),
        };
        scopes.resolve(&module, &written, None).map(|resolution| {
            resolution
                .hops
                .iter()
                .map(|hop| match &hop.package {
                    Some(package) => format!("{hop} [{package}]"),
                    None => hop.to_string(),
                })
                .collect()
        })
    }

    #[test]
    fn keywords_and_relative_paths() {
        let scopes = scopes(&[
            ("crate", "mod a; mod b;"),
            ("crate::a", "mod inner; pub struct X;"),
            ("crate::a::inner", ""),
            ("crate::b", "pub fn f() {}"),
        ]);
        assert_eq!(
            resolve(&scopes, "crate::a::inner", "super::super::b::f").unwrap(),
            ["crate::b::f"]
        );
        assert_eq!(
            resolve(&scopes, "crate::a", "self::X::new").unwrap(),
            ["crate::a::X::new"]
        );
        assert_eq!(
            resolve(&scopes, "crate::a", "crate::b::f").unwrap(),
            ["crate::b::f"]
        );
        assert!(resolve(&scopes, "crate", "super::x").is_none());
        assert_eq!(
            resolve(&scopes, "crate::a::inner", "self::super::X").unwrap(),
            ["crate::a::X"]
        );
    }

    #[test]
    fn local_names_shadow_extern_crates() {
        let scopes = scopes(&[
            ("crate", "mod tokio; mod uses; mod renamed;"),
            ("crate::tokio", "pub fn spawn() {}"),
            ("crate::uses", ""),
            ("crate::renamed", "use crate::uses as tokio;"),
        ]);
        assert_eq!(
            resolve(&scopes, "crate", "tokio::spawn").unwrap(),
            ["crate::tokio::spawn"]
        );
        assert_eq!(
            resolve(&scopes, "crate::uses", "tokio::spawn").unwrap(),
            ["tokio::spawn [tokio]"]
        );
        assert_eq!(
            resolve(&scopes, "crate::renamed", "tokio::x").unwrap(),
            ["crate::uses::x"]
        );
        assert_eq!(
            resolve(&scopes, "crate::uses", "::tokio::spawn").unwrap(),
            ["tokio::spawn [tokio]"]
        );
    }

    #[test]
    fn renamed_packages_resolve_to_their_package() {
        let scopes = scopes(&[("crate", "")]);
        assert_eq!(
            resolve(&scopes, "crate", "db::PgPool").unwrap(),
            ["db::PgPool [sqlx]"]
        );
        assert!(resolve(&scopes, "crate", "T::default").is_none());
    }

    #[test]
    fn re_export_chains_are_recorded() {
        let scopes = scopes(&[
            ("crate", "pub mod platform; pub mod facade;"),
            (
                "crate::platform",
                "pub use db::PgPool as Pool; mod inner; pub use inner::*;",
            ),
            ("crate::platform::inner", "pub struct Clock;"),
            ("crate::facade", "pub use crate::platform::Pool;"),
        ]);
        assert_eq!(
            resolve(&scopes, "crate", "crate::facade::Pool").unwrap(),
            [
                "crate::facade::Pool",
                "crate::platform::Pool",
                "db::PgPool [sqlx]"
            ]
        );
        assert_eq!(
            resolve(&scopes, "crate", "crate::platform::Clock::now").unwrap(),
            [
                "crate::platform::Clock",
                "crate::platform::inner::Clock::now"
            ]
        );
    }

    #[test]
    fn glob_imports_bring_names_into_scope() {
        let scopes = scopes(&[
            ("crate", "mod a; mod b;"),
            ("crate::a", "pub mod deep; pub struct Y;"),
            ("crate::a::deep", "pub fn f() {}"),
            ("crate::b", "use crate::a::*;"),
        ]);
        assert_eq!(
            resolve(&scopes, "crate::b", "deep::f").unwrap(),
            ["crate::a::deep::f"]
        );
        assert_eq!(
            resolve(&scopes, "crate::b", "Y::new").unwrap(),
            ["crate::a::Y::new"]
        );
    }

    #[test]
    fn many_modules_globbing_each_other_resolve_once_each() {
        // Twelve modules that all glob-import each other: without memoized cycle cuts this
        // takes exponential time.
        let names: Vec<String> = (0..12).map(|index| format!("m{index}")).collect();
        let root: String = names
            .iter()
            .map(|name| format!("pub mod {name};"))
            .collect();
        let mut files = vec![("crate".to_string(), root)];
        for name in &names {
            let globs: String = names
                .iter()
                .filter(|other| *other != name)
                .map(|other| format!("pub use crate::{other}::*;"))
                .collect();
            files.push((
                format!("crate::{name}"),
                format!("{globs} pub struct Only{name};"),
            ));
        }
        let borrowed: Vec<(&str, &str)> = files
            .iter()
            .map(|(module, text)| (module.as_str(), text.as_str()))
            .collect();
        let scopes = scopes(&borrowed);
        scopes.resolve_all_imports();
        assert_eq!(
            resolve(&scopes, "crate", "crate::m0::Onlym11::new").unwrap(),
            ["crate::m0::Onlym11", "crate::m11::Onlym11::new"]
        );
        assert_eq!(
            resolve(&scopes, "crate", "crate::m0::Missing").unwrap(),
            ["crate::m0::Missing"]
        );
    }

    #[test]
    fn cycles_of_re_exports_end() {
        let scopes = scopes(&[
            ("crate", "mod a; mod b;"),
            ("crate::a", "pub use crate::b::*;"),
            ("crate::b", "pub use crate::a::*;"),
        ]);
        assert_eq!(
            resolve(&scopes, "crate", "crate::a::Missing").unwrap(),
            ["crate::a::Missing"]
        );
    }
}
