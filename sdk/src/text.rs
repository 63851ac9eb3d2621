//! Substring search over bytes: `str::contains` would link the two-way searcher,
//! several KB of wasm, for what is a handful of short patterns.

/// Whether `needle` occurs in `hay` (an empty needle never matches).
pub fn contains(hay: &str, needle: &str) -> bool {
    let n = needle.as_bytes();
    !n.is_empty() && hay.as_bytes().windows(n.len()).any(|w| w == n)
}

#[cfg(test)]
mod tests {
    #[test]
    fn finds_substrings_and_never_the_empty_one() {
        assert!(super::contains(
            "ResizeObserver loop limit exceeded",
            "loop limit"
        ));
        assert!(!super::contains("abc", "abd"));
        assert!(!super::contains("abc", ""));
        assert!(!super::contains("ab", "abc"));
    }
}
