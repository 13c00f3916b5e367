//! Where a byte offset of a text file is, as editors and error reports count it.

/// 1-based line and column (in characters) of byte `offset` of `text`, as editors count them.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    LineIndex::new(text).line_column(offset)
}

/// The start of every line of a text, to place many offsets in it: counting lines from the top
/// for each of the thousands of warnings of a large spec took seconds.
pub(crate) struct LineIndex<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(offset, _)| offset + 1))
            .collect();
        LineIndex { text, line_starts }
    }

    /// 1-based line and column (in characters) of byte `offset`; an offset inside a character
    /// counts as that character.
    pub(crate) fn line_column(&self, offset: usize) -> (usize, usize) {
        let offset = self.text.floor_char_boundary(offset);
        let line = self.line_starts.partition_point(|start| *start <= offset);
        let column = self.text[self.line_starts[line - 1]..offset]
            .chars()
            .count()
            + 1;
        (line, column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns_count_characters_from_one() {
        let text = "ab\nçé x\n\nlast";
        let index = LineIndex::new(text);
        assert_eq!(index.line_column(0), (1, 1));
        assert_eq!(index.line_column(2), (1, 3), "the newline ends line 1");
        assert_eq!(index.line_column(3), (2, 1));
        assert_eq!(index.line_column(text.find('x').unwrap()), (2, 4));
        assert_eq!(index.line_column(4), (2, 1), "inside `ç`");
        assert_eq!(index.line_column(text.find("last").unwrap()), (4, 1));
        assert_eq!(index.line_column(text.len()), (4, 5));
        assert_eq!(line_column(text, 3), (2, 1));
    }
}
