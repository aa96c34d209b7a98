//! Filters through relations: `.any(..)` and `.all(..)` on a `#[has_many]` path, and
//! comparisons on a path through `#[belongs_to]` / `#[has_one]`
//! (`Post::fields().author().name().eq(..)`), in queries, updates and deletes.
//!
//! They need a sub-select, which SQL backends run in the statement; key-value stores
//! refuse them with `Unsupported` (they read only by key and index).

use super::support::expect_err;
use crate::Test;
use toasty::{ErrorKind, Result};
use uuid::Uuid;

#[derive(Debug, toasty::Model)]
struct Writer {
    #[key]
    #[auto]
    id: Uuid,
    name: String,
    #[has_many]
    articles: toasty::HasMany<Article>,
    #[has_one]
    bio: toasty::HasOne<Option<Bio>>,
    #[has_many]
    memos: toasty::Deferred<Vec<Memo>>,
}

#[derive(Debug, toasty::Model)]
struct Article {
    #[key]
    #[auto]
    id: Uuid,
    #[index]
    writer_id: Uuid,
    #[belongs_to]
    writer: toasty::BelongsTo<Writer>,
    title: String,
    stars: Option<i64>,
    #[has_many]
    remarks: toasty::Deferred<Vec<Remark>>,
}

#[derive(Debug, toasty::Model)]
struct Remark {
    #[key]
    #[auto]
    id: Uuid,
    #[index]
    article_id: Uuid,
    #[belongs_to]
    article: toasty::Deferred<Article>,
    body: String,
}

#[derive(Debug, toasty::Model)]
struct Bio {
    #[key]
    #[auto]
    id: Uuid,
    #[unique]
    writer_id: Option<Uuid>,
    #[belongs_to]
    writer: toasty::Deferred<Option<Writer>>,
    text: String,
}

/// A child whose foreign key is optional.
#[derive(Debug, toasty::Model)]
struct Memo {
    #[key]
    #[auto]
    id: Uuid,
    #[index]
    writer_id: Option<Uuid>,
    #[belongs_to]
    writer: toasty::BelongsTo<Option<Writer>>,
    text: String,
}

fn models() -> toasty::ModelSet {
    toasty::models!(Writer, Article, Remark, Bio, Memo)
}

fn names(writers: &[Writer]) -> Vec<String> {
    let mut v: Vec<String> = writers.iter().map(|w| w.name.clone()).collect();
    v.sort();
    v
}

fn titles(articles: &[Article]) -> Vec<String> {
    let mut v: Vec<String> = articles.iter().map(|a| a.title.clone()).collect();
    v.sort();
    v
}

/// Ada: articles "rust" (5 stars, one remark) and "go" (no stars); bio. Bob: article
/// "rust" (2 stars). Cy: nothing. Memos: one of Ada's, one without a writer.
async fn seed(db: &mut toasty::Db) -> Result<()> {
    toasty::create!(Writer {
        name: "Ada",
        articles: [
            { title: "rust", stars: 5, remarks: [{ body: "great" }] },
            { title: "go" },
        ],
        bio: { text: "writes" },
        memos: [{ text: "ada memo" }],
    })
    .exec(db)
    .await?;
    toasty::create!(Writer {
        name: "Bob",
        articles: [{ title: "rust", stars: 2 }],
    })
    .exec(db)
    .await?;
    toasty::create!(Writer { name: "Cy" }).exec(db).await?;
    toasty::create!(Memo { text: "loose" }).exec(db).await?;
    Ok(())
}

/// `.any(..)` on a `#[has_many]`: the parents with at least one matching child; its
/// negation, combinations, and a nested `.any(..)` two levels down.
pub async fn relation_filter_any(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(models()).await?;
    seed(&mut db).await?;
    let any_rust = Writer::fields()
        .articles()
        .any(Article::fields().title().eq("rust"));
    if t.is_kv() {
        let r = Writer::filter(any_rust).exec(&mut db).await;
        expect_err(r, ErrorKind::Unsupported, &["relation", "sql backend"]);
        return Ok(());
    }
    let found = Writer::filter(any_rust.clone()).exec(&mut db).await?;
    assert_eq!(names(&found), ["Ada", "Bob"]);
    // Never unknown: the negation is the complement.
    let found = Writer::filter(any_rust.clone().not()).exec(&mut db).await?;
    assert_eq!(names(&found), ["Cy"]);
    // A child condition that is unknown for a child (NULL stars) does not match it.
    let starred = Writer::fields()
        .articles()
        .any(Article::fields().stars().gt(3));
    let found = Writer::filter(starred.clone()).exec(&mut db).await?;
    assert_eq!(names(&found), ["Ada"]);
    let found = Writer::filter(starred.or(Writer::fields().name().eq("Cy")))
        .exec(&mut db)
        .await?;
    assert_eq!(names(&found), ["Ada", "Cy"]);
    // Nested: writers with an article that has a remark.
    let remarked = Writer::fields().articles().any(
        Article::fields()
            .remarks()
            .any(Remark::fields().body().eq("great")),
    );
    let found = Writer::filter(remarked).exec(&mut db).await?;
    assert_eq!(names(&found), ["Ada"]);
    // The same through a chained path.
    let remarked = Writer::fields()
        .articles()
        .remarks()
        .any(Remark::fields().body().starts_with("gr"));
    let found = Writer::filter(remarked).exec(&mut db).await?;
    assert_eq!(names(&found), ["Ada"]);
    // Counted and combined with a scope.
    let n = Writer::filter(any_rust).count().exec(&mut db).await?;
    assert_eq!(n, 2);
    Ok(())
}

/// `.all(..)` on a `#[has_many]`: every child matches; true for a parent without
/// children; a child for which the condition is unknown does not match.
pub async fn relation_filter_all(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(models()).await?;
    seed(&mut db).await?;
    let all_rust = Writer::fields()
        .articles()
        .all(Article::fields().title().eq("rust"));
    if t.is_kv() {
        let r = Writer::filter(all_rust).exec(&mut db).await;
        expect_err(r, ErrorKind::Unsupported, &["relation"]);
        return Ok(());
    }
    let found = Writer::filter(all_rust).exec(&mut db).await?;
    assert_eq!(names(&found), ["Bob", "Cy"]);
    // Ada's "go" article has NULL stars: unknown, so not every article has stars >= 1.
    let all_starred = Writer::fields()
        .articles()
        .all(Article::fields().stars().ge(1));
    let found = Writer::filter(all_starred.clone()).exec(&mut db).await?;
    assert_eq!(names(&found), ["Bob", "Cy"]);
    let found = Writer::filter(all_starred.not()).exec(&mut db).await?;
    assert_eq!(names(&found), ["Ada"]);
    Ok(())
}

/// A comparison on a path through `#[belongs_to]` and `#[has_one]`: "the related record
/// exists and the comparison is true"; a NULL foreign key has no related record.
pub async fn relation_filter_path(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(models()).await?;
    seed(&mut db).await?;
    let by_ada = Article::fields().writer().name().eq("Ada");
    if t.is_kv() {
        let r = Article::filter(by_ada).exec(&mut db).await;
        expect_err(r, ErrorKind::Unsupported, &["relation"]);
        return Ok(());
    }
    let found = Article::filter(by_ada.clone()).exec(&mut db).await?;
    assert_eq!(titles(&found), ["go", "rust"]);
    let found = Article::filter(by_ada.not().and(Article::fields().title().eq("rust")))
        .exec(&mut db)
        .await?;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].stars, Some(2));
    // Two steps: remarks on articles by Ada.
    let found = Remark::filter(Remark::fields().article().writer().name().eq("Ada"))
        .exec(&mut db)
        .await?;
    assert_eq!(found.len(), 1);
    // has_one.
    let found = Writer::filter(Writer::fields().bio().text().contains("rit"))
        .exec(&mut db)
        .await?;
    assert_eq!(names(&found), ["Ada"]);
    let found = Writer::filter(Writer::fields().bio().text().eq("writes").not())
        .exec(&mut db)
        .await?;
    assert_eq!(names(&found), ["Bob", "Cy"]);
    // An optional belongs_to: the memo without a writer matches neither a comparison
    // nor `is_some()` of the writer's fields, and matches their negation.
    let by_ada = Memo::fields().writer().name().eq("Ada");
    let found = Memo::filter(by_ada.clone()).exec(&mut db).await?;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].text, "ada memo");
    let found = Memo::filter(by_ada.not()).exec(&mut db).await?;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].text, "loose");
    // A field of a related model is not a value or an ordering of this one.
    let r = Article::all()
        .order_by(Article::fields().writer().name().asc())
        .exec(&mut db)
        .await;
    expect_err(r, ErrorKind::InvalidStatement, &["related"]);
    Ok(())
}

/// Updates and deletes filtered through relations, including a delete whose filter
/// reads the table it deletes from.
pub async fn relation_filter_update_delete(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(models()).await?;
    seed(&mut db).await?;
    let by_bob = Article::fields().writer().name().eq("Bob");
    if t.is_kv() {
        let r = Article::filter(by_bob).delete().exec(&mut db).await;
        expect_err(r, ErrorKind::Unsupported, &["relation"]);
        return Ok(());
    }
    let n = Article::filter(by_bob.clone())
        .update()
        .title("bob's")
        .exec(&mut db)
        .await?;
    assert_eq!(n, 1);
    let found = Article::filter(Article::fields().title().eq("bob's"))
        .exec(&mut db)
        .await?;
    assert_eq!(found.len(), 1);
    // Writers with an article titled "go" lose their articles titled "rust": the filter
    // reads `articles` while the delete removes from it.
    let n = Article::filter(
        Article::fields().title().eq("rust").and(
            Article::fields()
                .writer()
                .articles()
                .any(Article::fields().title().eq("go")),
        ),
    )
    .delete()
    .exec(&mut db)
    .await?;
    assert_eq!(n, 1);
    let left = Article::all().exec(&mut db).await?;
    assert_eq!(titles(&left), ["bob's", "go"]);
    // Deleting writers without articles (Cy).
    let n = Writer::filter(
        Writer::fields()
            .articles()
            .any(Article::fields().title().ne(""))
            .not(),
    )
    .delete()
    .exec(&mut db)
    .await?;
    assert_eq!(n, 1);
    assert_eq!(names(&Writer::all().exec(&mut db).await?), ["Ada", "Bob"]);
    Ok(())
}
