//! How a list is asked for: a page size, an opaque cursor, one sort key and equality filters.

/// Items per page when the request does not say.
pub const DEFAULT_LIMIT: u32 = 20;
/// The largest page a request may ask for.
pub const MAX_LIMIT: u32 = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortDirection {
    Ascending,
    Descending,
}

/// Sort by `field`, then by id in the same direction (a stable order for cursors).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort<Field> {
    pub field: Field,
    pub direction: SortDirection,
}

/// One page of a list: `Field` names the sortable fields, `Filter` the equality filters.
#[derive(Debug, Clone, PartialEq)]
pub struct ListQuery<Field, Filter> {
    pub limit: u32,
    /// Where the previous page ended, as returned in its `next_cursor`.
    pub cursor: Option<String>,
    pub sort: Sort<Field>,
    pub filters: Vec<Filter>,
}

/// A page of items and the cursor of the next page, if there is one.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}
