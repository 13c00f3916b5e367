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

/// The fields a list of some entity can be sorted by, as requests name them.
pub trait SortField: Copy + 'static {
    /// Every field, in the order an error message lists them.
    const ALL: &'static [Self];
    /// What a request that names no sort is sorted by.
    const DEFAULT: Self;

    /// The field's name in requests.
    fn name(self) -> &'static str;

    /// The field named `name`, if there is one.
    fn parse(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|field| field.name() == name)
    }
}

/// The equality filters on a list of some entity.
pub trait Filter: Sized {
    /// The names of the fields that can be filtered on.
    const FIELDS: &'static [&'static str];

    /// The filter `name=value`: `Ok(None)` when no field has that name, `Err` when the value
    /// does not fit the field.
    fn parse(name: &str, value: &str) -> Result<Option<Self>, String>;
}

/// `value` as the type of the filter on `field`, or why it is not.
pub fn parse_filter_value<T>(field: &str, value: &str) -> Result<T, String>
where
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    value
        .parse()
        .map_err(|error| format!("invalid {field} `{value}`: {error}"))
}
