//! `like` / `ilike` patterns: `%` any sequence, `_` one character, `\` escapes; `like`
//! case-sensitive and `ilike` ASCII-case-insensitive on every backend; NULL fields never
//! match; a pattern ending in a lone `\` is `InvalidValue`.
//!
//! Every query pins the partition field `grp`, so key-value backends serve the test as a
//! residual filter on the records of that partition. The string field is indexed, so
//! the SQL backends may use an index for a literal prefix (MariaDB's range scan of
//! `LIKE 'A%'` misses `"A🎉"`; the expected answers include it).

use super::support::{expect_err, sorted};
use crate::Test;
use toasty::{ErrorKind, Result};

#[derive(Debug, toasty::Model)]
#[key(grp, id)]
struct Word {
    grp: String,
    id: i64,
    #[index]
    s: String,
    o: Option<String>,
}

const WORDS: &[&str] = &[
    "Alice",
    "alice",
    "ALICE",
    "Älice",
    "älice",
    "A🎉",
    "Ab",
    "a%c",
    "a_c",
    "abc",
    "a\\c",
    "",
    "line\nbreak",
    "日本語",
];

async fn seed(t: &mut Test) -> Result<toasty::Db> {
    let mut db = t.setup_db(toasty::models!(Word)).await?;
    let mut batch = Word::create_many();
    for (i, w) in WORDS.iter().enumerate() {
        // `o` holds the word on even ids and NULL on odd ones.
        let o = (i % 2 == 0).then(|| w.to_string());
        batch = batch.item(Word::create().grp("g").id(i as i64).s(*w).o(o));
    }
    batch = batch.item(Word::create().grp("other").id(0).s("Alice").o("Alice"));
    batch.exec(&mut db).await?;
    Ok(db)
}

async fn words(db: &mut toasty::Db, e: toasty::Expr<bool>) -> Result<Vec<String>> {
    let found = Word::filter(Word::fields().grp().eq("g").and(e))
        .exec(db)
        .await?;
    Ok(sorted(found.into_iter().map(|w| w.s).collect()))
}

fn expect(list: &[&str]) -> Vec<String> {
    sorted(list.iter().map(|s| s.to_string()).collect())
}

/// `like`: wildcards, escapes, whole-string matching and case sensitivity.
pub async fn like_patterns(t: &mut Test) -> Result<()> {
    let mut db = seed(t).await?;
    let s = || Word::fields().s();
    let cases: &[(&str, &[&str])] = &[
        ("Al%", &["Alice"]),
        ("A%", &["Alice", "ALICE", "A🎉", "Ab"]),
        ("A_", &["A🎉", "Ab"]),
        ("%lice", &["Alice", "alice", "Älice", "älice"]),
        ("_lice", &["Alice", "alice", "Älice", "älice"]),
        ("alice", &["alice"]),
        ("Alic", &[]),
        ("a_c", &["a%c", "a_c", "abc", "a\\c"]),
        ("a\\_c", &["a_c"]),
        ("a\\%c", &["a%c"]),
        ("a\\\\c", &["a\\c"]),
        ("a\\bc", &["abc"]),
        ("a!c", &[]),
        ("%", WORDS),
        ("", &[""]),
        ("_", &[]),
        ("___", &["a%c", "a_c", "abc", "a\\c", "日本語"]),
        ("line%", &["line\nbreak"]),
        ("%\n%", &["line\nbreak"]),
        ("%本%", &["日本語"]),
    ];
    for (pattern, want) in cases {
        assert_eq!(
            words(&mut db, s().like(*pattern)).await?,
            expect(want),
            "like({pattern:?})"
        );
    }
    // Negation keeps every other (non-NULL) string.
    let not_a: Vec<&str> = WORDS
        .iter()
        .copied()
        .filter(|w| !["Alice", "ALICE", "A🎉", "Ab"].contains(w))
        .collect();
    assert_eq!(words(&mut db, s().like("A%").not()).await?, expect(&not_a));
    Ok(())
}

/// `ilike` ignores the case of ASCII letters only.
pub async fn ilike_patterns(t: &mut Test) -> Result<()> {
    let mut db = seed(t).await?;
    let s = || Word::fields().s();
    let cases: &[(&str, &[&str])] = &[
        ("alice", &["Alice", "alice", "ALICE"]),
        ("AL%", &["Alice", "alice", "ALICE"]),
        (
            "a%",
            &[
                "Alice", "alice", "ALICE", "A🎉", "Ab", "a%c", "a_c", "abc", "a\\c",
            ],
        ),
        ("%LICE", &["Alice", "alice", "ALICE", "Älice", "älice"]),
        ("älice", &["älice"]),
        ("Älice", &["Älice"]),
        ("_LICE", &["Alice", "alice", "ALICE", "Älice", "älice"]),
        ("A\\_C", &["a_c"]),
        ("LINE%", &["line\nbreak"]),
    ];
    for (pattern, want) in cases {
        assert_eq!(
            words(&mut db, s().ilike(*pattern)).await?,
            expect(want),
            "ilike({pattern:?})"
        );
    }
    // The guide's spelling takes a `String` too.
    assert_eq!(
        words(&mut db, s().ilike(String::from("ab"))).await?,
        expect(&["Ab"])
    );
    Ok(())
}

/// A NULL field matches neither a pattern nor its negation; a pattern ending in a lone
/// `\` is `InvalidValue` before anything is read; NUL is an ordinary character.
pub async fn like_null_invalid_and_nul(t: &mut Test) -> Result<()> {
    let mut db = seed(t).await?;
    let o = || Word::fields().o();
    let even: Vec<&str> = WORDS.iter().copied().step_by(2).collect();
    assert_eq!(words(&mut db, o().like("%")).await?, expect(&even));
    assert_eq!(words(&mut db, o().like("%").not()).await?, expect(&[]));
    assert_eq!(
        words(&mut db, o().ilike("ALICE")).await?,
        expect(&["Alice", "ALICE"])
    );
    let r = words(&mut db, Word::fields().s().like("a\\")).await;
    expect_err(r, ErrorKind::InvalidValue, &["escape"]);
    let r = words(&mut db, Word::fields().s().ilike("%\\")).await;
    expect_err(r, ErrorKind::InvalidValue, &["escape"]);

    if t.stores_nul() {
        Word::create()
            .grp("nul")
            .id(0)
            .s("a\0b")
            .exec(&mut db)
            .await?;
        let nul =
            |e: toasty::Expr<bool>| Word::filter(Word::fields().grp().eq("nul").and(e)).count();
        assert_eq!(nul(Word::fields().s().like("a_b")).exec(&mut db).await?, 1);
        assert_eq!(nul(Word::fields().s().like("a")).exec(&mut db).await?, 0);
        assert_eq!(nul(Word::fields().s().like("%b")).exec(&mut db).await?, 1);
        assert_eq!(nul(Word::fields().s().ilike("A%B")).exec(&mut db).await?, 1);
    }
    Ok(())
}
