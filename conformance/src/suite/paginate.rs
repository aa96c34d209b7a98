//! Keyset pagination: `paginate(n)` forward and back through several pages, with
//! `has_next`/`has_prev`, ties in the order key and NULLs in it.

use super::support::expect_err;
use crate::Test;
use toasty::{Db, ErrorKind, Page, Result};

#[derive(Debug, toasty::Model)]
#[key(grp, id)]
struct Post {
    grp: String,
    id: i64,
    rank: Option<i64>,
}

/// 11 posts; ranks repeat and some are NULL: id → rank.
const RANKS: &[(i64, Option<i64>)] = &[
    (0, Some(5)),
    (1, None),
    (2, Some(1)),
    (3, Some(5)),
    (4, Some(3)),
    (5, None),
    (6, Some(1)),
    (7, Some(5)),
    (8, Some(9)),
    (9, None),
    (10, Some(3)),
];

async fn seed(t: &mut Test) -> Result<Db> {
    let mut db = t.setup_db(toasty::models!(Post)).await?;
    let mut batch = Post::create_many();
    for &(id, rank) in RANKS {
        batch = batch.item(Post::create().grp("g").id(id).rank(rank));
    }
    batch = batch.item(Post::create().grp("h").id(0).rank(0));
    batch.exec(&mut db).await?;
    Ok(db)
}

fn in_g() -> toasty::Query<Post> {
    Post::filter(Post::fields().grp().eq("g"))
}

fn ids(page: &Page<Post>) -> Vec<i64> {
    page.iter().map(|p| p.id).collect()
}

/// The expected order: rank (NULL first ascending, last descending), then id ascending.
fn expected(desc: bool) -> Vec<i64> {
    let mut v: Vec<(Option<i64>, i64)> = RANKS.iter().map(|&(id, r)| (r, id)).collect();
    v.sort_by(|a, b| {
        let by_rank = if desc {
            match (a.0, b.0) {
                (None, None) => std::cmp::Ordering::Equal,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (Some(_), None) => std::cmp::Ordering::Less,
                (Some(x), Some(y)) => y.cmp(&x),
            }
        } else {
            a.0.cmp(&b.0)
        };
        by_rank.then(a.1.cmp(&b.1))
    });
    v.into_iter().map(|(_, id)| id).collect()
}

/// Walks forward to the end, then back to the start, checking every page and flag.
async fn walk(db: &mut Db, first: Page<Post>, per_page: usize, want: &[i64]) -> Result<()> {
    let chunks: Vec<Vec<i64>> = want.chunks(per_page).map(|c| c.to_vec()).collect();
    let mut page = first;
    assert!(!page.has_prev(), "the first page has no previous page");
    assert!(page.prev(db).await?.is_none());
    for (i, chunk) in chunks.iter().enumerate() {
        assert_eq!(&ids(&page), chunk, "page {i} going forward");
        assert_eq!(
            page.has_next(),
            i + 1 < chunks.len(),
            "has_next on page {i}"
        );
        assert_eq!(page.has_prev(), i > 0, "has_prev on page {i}");
        if i + 1 < chunks.len() {
            page = page.next(db).await?.expect("a next page");
        }
    }
    assert!(page.next(db).await?.is_none(), "no page after the last");
    for i in (0..chunks.len() - 1).rev() {
        page = page.prev(db).await?.expect("a previous page");
        assert_eq!(ids(&page), chunks[i], "page {i} going back");
        assert!(page.has_next(), "has_next on page {i} going back");
        assert_eq!(page.has_prev(), i > 0, "has_prev on page {i} going back");
    }
    Ok(())
}

/// Forward and back in pages of 3 ordered by a nullable key with ties, ascending.
pub async fn paginate_asc_with_ties_and_nulls(t: &mut Test) -> Result<()> {
    let mut db = seed(t).await?;
    let first = in_g()
        .order_by(Post::fields().rank().asc())
        .paginate(3)
        .exec(&mut db)
        .await?;
    walk(&mut db, first, 3, &expected(false)).await
}

/// Forward and back in pages of 4 ordered by a nullable key with ties, descending.
pub async fn paginate_desc_with_ties_and_nulls(t: &mut Test) -> Result<()> {
    let mut db = seed(t).await?;
    let first = in_g()
        .order_by(Post::fields().rank().desc())
        .paginate(4)
        .exec(&mut db)
        .await?;
    walk(&mut db, first, 4, &expected(true)).await
}

/// Pages of 2 in primary-key order (no explicit order), with a filter.
pub async fn paginate_by_key_with_filter(t: &mut Test) -> Result<()> {
    let mut db = seed(t).await?;
    let first = in_g()
        .filter(Post::fields().rank().is_some())
        .paginate(2)
        .exec(&mut db)
        .await?;
    walk(&mut db, first, 2, &[0, 2, 3, 4, 6, 7, 8, 10]).await
}

/// One page holding everything, an exact fit, and an empty result.
pub async fn paginate_edge_sizes(t: &mut Test) -> Result<()> {
    let mut db = seed(t).await?;
    let all = in_g().paginate(100).exec(&mut db).await?;
    assert_eq!(all.len(), 11);
    assert!(!all.has_next() && !all.has_prev());
    assert!(all.next(&mut db).await?.is_none());

    let exact = in_g()
        .filter(Post::fields().rank().eq(5))
        .paginate(3)
        .exec(&mut db)
        .await?;
    assert_eq!(ids(&exact), [0, 3, 7]);
    assert!(
        !exact.has_next(),
        "a page that exactly fits has no next page"
    );

    let empty = in_g()
        .filter(Post::fields().rank().gt(100))
        .paginate(3)
        .exec(&mut db)
        .await?;
    assert!(empty.is_empty());
    assert!(!empty.has_next() && !empty.has_prev());

    let r = in_g().paginate(0).exec(&mut db).await;
    expect_err(r, ErrorKind::InvalidStatement, &["page size"]);
    Ok(())
}

/// Records inserted before the cursor do not shift the next page.
pub async fn paginate_stable_under_inserts(t: &mut Test) -> Result<()> {
    let mut db = seed(t).await?;
    let first = in_g().paginate(4).exec(&mut db).await?;
    assert_eq!(ids(&first), [0, 1, 2, 3]);
    Post::create().grp("g").id(-1).exec(&mut db).await?;
    let second = first.next(&mut db).await?.expect("a second page");
    assert_eq!(ids(&second), [4, 5, 6, 7]);
    let back = second.prev(&mut db).await?.expect("a first page");
    assert_eq!(ids(&back), [0, 1, 2, 3]);
    assert!(back.has_prev(), "the new record precedes the first page");
    Ok(())
}

/// Pages over two partitions (`in_list` on the partition field), descending by a nullable
/// key, with the full key as tie-breaker.
pub async fn paginate_across_partitions(t: &mut Test) -> Result<()> {
    let mut db = seed(t).await?;
    let mut want: Vec<(Option<i64>, &str, i64)> =
        RANKS.iter().map(|&(id, r)| (r, "g", id)).collect();
    want.push((Some(0), "h", 0));
    want.sort_by(|a, b| {
        let by_rank = match (a.0, b.0) {
            (None, None) => std::cmp::Ordering::Equal,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (Some(_), None) => std::cmp::Ordering::Less,
            (Some(x), Some(y)) => y.cmp(&x),
        };
        by_rank.then(a.1.cmp(b.1)).then(a.2.cmp(&b.2))
    });
    let want: Vec<(String, i64)> = want
        .into_iter()
        .map(|(_, g, id)| (g.to_string(), id))
        .collect();
    let f = Post::fields;
    let mut page = Post::filter(f().grp().in_list(["g", "h"]))
        .order_by(f().rank().desc())
        .paginate(5)
        .exec(&mut db)
        .await?;
    let mut seen: Vec<(String, i64)> = Vec::new();
    loop {
        seen.extend(page.iter().map(|p| (p.grp.clone(), p.id)));
        match page.next(&mut db).await? {
            Some(next) => page = next,
            None => break,
        }
    }
    assert_eq!(seen, want);
    let back = page.prev(&mut db).await?.expect("a previous page");
    let got: Vec<(String, i64)> = back.iter().map(|p| (p.grp.clone(), p.id)).collect();
    assert_eq!(got, want[5..10].to_vec());
    Ok(())
}
