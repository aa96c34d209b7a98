//! How a differential test reports the first difference between two backends.

use similar::{ChangeTag, TextDiff};

/// A diff of what `oracle` and `other` returned, in the style of `pretty_assertions`.
pub(super) fn difference(oracle: &str, expected: &str, other: &str, got: &str) -> String {
    let diff = TextDiff::from_lines(expected, got);
    let mut out =
        format!("[{other}] returned something else than [{oracle}] (- {oracle}, + {other}):\n");
    for change in diff.iter_all_changes() {
        let sign = match change.tag() {
            ChangeTag::Delete => '-',
            ChangeTag::Insert => '+',
            ChangeTag::Equal => ' ',
        };
        out.push(sign);
        out.push_str(change.value());
        if !change.value().ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_difference_names_both_backends_and_both_answers() {
        let report = super::difference(
            "memdb",
            "[\n    1,\n    2,\n]",
            "postgres",
            "[\n    2,\n    1,\n]",
        );
        assert!(report.contains("[postgres] returned something else than [memdb]"));
        assert!(
            report.contains("-    2,") && report.contains("+    2,"),
            "{report}"
        );
    }
}
