//! Key-value rules: a query no key or index can serve is `Unsupported` on a key-value
//! backend (with a message that names the field and says to add an index) and returns
//! rows on SQL backends; queries that pin a key or index work everywhere, with the other
//! predicates, the order and the slice applied by the engine; large reads and writes are
//! split to the store's limits.

use super::support::{expect_err, expect_needs_index, sorted};
use crate::Test;
use toasty::{Db, ErrorKind, Result};

#[derive(Debug, toasty::Model)]
#[key(grp, id)]
struct Cell {
    grp: String,
    id: i64,
    #[index]
    tag: String,
    #[unique]
    code: String,
    plain: i64,
    opt: Option<i64>,
}

/// grp "a": ids 0..6, grp "b": ids 0..4; tag = "even"/"odd" by id; plain = id * 10;
/// opt = id for ids above 1.
async fn seed(t: &mut Test) -> Result<Db> {
    let mut db = t.setup_db(toasty::models!(Cell)).await?;
    let mut batch = Cell::create_many();
    for (grp, n) in [("a", 6), ("b", 4)] {
        for id in 0..n {
            let tag = if id % 2 == 0 { "even" } else { "odd" };
            let opt = if id > 1 { Some(id) } else { None };
            batch = batch.item(
                Cell::create()
                    .grp(grp)
                    .id(id)
                    .tag(tag)
                    .code(format!("{grp}{id}"))
                    .plain(id * 10)
                    .opt(opt),
            );
        }
    }
    batch.exec(&mut db).await?;
    Ok(db)
}

fn codes(cells: Vec<Cell>) -> Vec<String> {
    cells.into_iter().map(|c| c.code).collect()
}

/// `all()` (a full scan) is `Unsupported` on key-value backends and lists every record on
/// SQL backends; so are its count and its order-only variant.
pub async fn kv_full_scan(t: &mut Test) -> Result<()> {
    let mut db = seed(t).await?;
    let all = Cell::all().exec(&mut db).await;
    let count = Cell::all().count().exec(&mut db).await;
    let ordered = Cell::all()
        .order_by(Cell::fields().plain().desc())
        .limit(3)
        .exec(&mut db)
        .await;
    let first = Cell::all().first().exec(&mut db).await;
    let page = Cell::all().paginate(3).exec(&mut db).await;
    if t.is_kv() {
        expect_err(page, ErrorKind::Unsupported, &["index"]);
        expect_err(all, ErrorKind::Unsupported, &["scan", "index"]);
        expect_err(count, ErrorKind::Unsupported, &["index"]);
        expect_err(ordered, ErrorKind::Unsupported, &["index"]);
        expect_err(first, ErrorKind::Unsupported, &["index"]);
    } else {
        assert_eq!(all?.len(), 10);
        assert_eq!(count?, 10);
        assert_eq!(codes(ordered?), ["a5", "a4", "a3"]);
        assert!(first?.is_some());
        let page = page?;
        assert_eq!(page.len(), 3);
        assert!(page.has_next());
    }
    Ok(())
}

/// A filter on a field with no index is `Unsupported` on key-value backends, naming the
/// field; SQL backends return the rows.
pub async fn kv_filter_without_index(t: &mut Test) -> Result<()> {
    let mut db = seed(t).await?;
    let f = Cell::fields;
    let by_plain = Cell::filter(f().plain().ge(40)).exec(&mut db).await;
    let by_opt = Cell::filter(f().opt().is_none())
        .count()
        .exec(&mut db)
        .await;
    let by_sort_key = Cell::filter(f().id().eq(1)).exec(&mut db).await;
    let by_ne = Cell::filter(f().grp().ne("a")).exec(&mut db).await;
    let by_pattern = Cell::filter(f().tag().starts_with("ev"))
        .exec(&mut db)
        .await;
    if t.is_kv() {
        expect_needs_index(by_plain, "plain");
        expect_needs_index(by_opt, "opt");
        expect_needs_index(by_sort_key, "id");
        expect_needs_index(by_ne, "grp");
        expect_needs_index(by_pattern, "tag");
    } else {
        assert_eq!(sorted(codes(by_plain?)), ["a4", "a5"]);
        assert_eq!(by_opt?, 4);
        assert_eq!(sorted(codes(by_sort_key?)), ["a1", "b1"]);
        assert_eq!(by_ne?.len(), 4);
        assert_eq!(by_pattern?.len(), 5);
    }
    Ok(())
}

/// An `or` with one branch that no key or index serves is `Unsupported` on key-value
/// backends; SQL backends return the union.
pub async fn kv_or_with_unserved_branch(t: &mut Test) -> Result<()> {
    let mut db = seed(t).await?;
    let f = Cell::fields;
    let q = Cell::filter(f().grp().eq("b").or(f().plain().eq(50)));
    let r = q.exec(&mut db).await;
    if t.is_kv() {
        expect_needs_index(r, "plain");
    } else {
        assert_eq!(sorted(codes(r?)), ["a5", "b0", "b1", "b2", "b3"]);
    }
    // Both branches served: works everywhere.
    let both = Cell::filter(f().grp().eq("b").or(f().code().eq("a5")))
        .exec(&mut db)
        .await?;
    assert_eq!(sorted(codes(both)), ["a5", "b0", "b1", "b2", "b3"]);
    Ok(())
}

/// Updates and deletes that no key or index serves are `Unsupported` on key-value
/// backends and change nothing; SQL backends apply them.
pub async fn kv_writes_without_index(t: &mut Test) -> Result<()> {
    let mut db = seed(t).await?;
    let f = Cell::fields;
    let upd = CellUpdate::from_query(Cell::filter(f().plain().lt(20)))
        .opt(100)
        .exec(&mut db)
        .await;
    let del = Cell::filter(f().plain().eq(50))
        .delete()
        .exec(&mut db)
        .await;
    let changed = Cell::filter_by_grp("a")
        .filter(f().opt().eq(100))
        .count()
        .exec(&mut db)
        .await?;
    let left = Cell::filter_by_grp("a").count().exec(&mut db).await?;
    if t.is_kv() {
        expect_needs_index(upd, "plain");
        expect_needs_index(del, "plain");
        assert_eq!((changed, left), (0, 6), "nothing changed");
    } else {
        upd?;
        del?;
        assert_eq!((changed, left), (2, 5));
    }
    Ok(())
}

/// A key or index equality plus any other predicates works on every backend (the rest is
/// a residual filter on key-value backends), with order, offset and limit.
pub async fn kv_residual_filters(t: &mut Test) -> Result<()> {
    let mut db = seed(t).await?;
    let f = Cell::fields;
    let r = Cell::filter_by_grp("a")
        .filter(f().plain().ge(20).and(f().opt().ne(3)))
        .order_by(f().plain().desc())
        .exec(&mut db)
        .await?;
    assert_eq!(codes(r), ["a5", "a4", "a2"]);
    let r = Cell::filter_by_tag("odd")
        .filter(f().opt().is_none().or(f().grp().eq("b")))
        .order_by((f().grp().asc(), f().id().asc()))
        .exec(&mut db)
        .await?;
    assert_eq!(codes(r), ["a1", "b1", "b3"]);
    let r = Cell::filter_by_code("a3")
        .filter(f().plain().eq(30))
        .get(&mut db)
        .await?;
    assert_eq!(r.id, 3);
    let r = Cell::filter(f().grp().in_list(["a", "b"]).and(f().plain().gt(25)))
        .order_by(f().code().asc())
        .offset(1)
        .limit(2)
        .exec(&mut db)
        .await?;
    assert_eq!(codes(r), ["a4", "a5"]);
    let r = Cell::filter_by_grp("b")
        .filter(f().id().ge(1).and(f().id().lt(3)))
        .exec(&mut db)
        .await?;
    assert_eq!(sorted(codes(r)), ["b1", "b2"]);
    let r = Cell::filter_by_grp("a")
        .filter(f().code().starts_with("a").not())
        .count()
        .exec(&mut db)
        .await?;
    assert_eq!(r, 0);
    // Overlapping access paths return each record once.
    let n = Cell::filter(f().grp().eq("a").or(f().tag().eq("even")))
        .count()
        .exec(&mut db)
        .await?;
    assert_eq!(n, 8);
    let n = Cell::filter(f().grp().in_list(["a", "a"]))
        .count()
        .exec(&mut db)
        .await?;
    assert_eq!(n, 6);
    let r = Cell::filter(
        f().code()
            .eq("b1")
            .or(f().grp().eq("b").and(f().id().eq(1))),
    )
    .exec(&mut db)
    .await?;
    assert_eq!(codes(r), ["b1"]);
    // An `or` of key tests, combined with other predicates.
    let r = Cell::filter(
        f().grp()
            .eq("a")
            .or(f().code().eq("b3"))
            .and(f().plain().gt(25)),
    )
    .exec(&mut db)
    .await?;
    assert_eq!(sorted(codes(r)), ["a3", "a4", "a5", "b3"]);
    // Empty key lists select nothing; double negation of a key test still uses the key.
    let none: Vec<String> = Vec::new();
    let n = Cell::filter(f().grp().in_list(none))
        .count()
        .exec(&mut db)
        .await?;
    assert_eq!(n, 0);
    let n = Cell::filter(f().grp().eq("a").and(f().id().in_list(Vec::<i64>::new())))
        .count()
        .exec(&mut db)
        .await?;
    assert_eq!(n, 0);
    let n = Cell::filter(f().grp().eq("b").not().not())
        .count()
        .exec(&mut db)
        .await?;
    assert_eq!(n, 4);
    Ok(())
}

/// Reads of 150 keys cross the key-value read limit (100 keys per request) and still
/// reach every record; updates and deletes of 40 records fit one atomic write; a delete
/// that would need more than 100 items in one atomic write is refused whole on key-value
/// stores (nothing is deleted) and served elsewhere.
pub async fn kv_large_reads_and_writes(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(toasty::models!(Cell)).await?;
    // 50 records with a unique value each are 100 items: one atomic write per batch.
    for part in 0..3 {
        let mut batch = Cell::create_many();
        for id in part * 50..(part + 1) * 50 {
            batch = batch.item(
                Cell::create()
                    .grp("big")
                    .id(id)
                    .tag(if id < 40 { "low" } else { "high" })
                    .code(format!("c{id}"))
                    .plain(id),
            );
        }
        batch.exec(&mut db).await?;
    }
    let f = Cell::fields;
    let got = Cell::filter(f().grp().eq("big").and(f().id().in_list(0..150)))
        .count()
        .exec(&mut db)
        .await?;
    assert_eq!(got, 150);
    assert_eq!(Cell::update_by_tag("low").opt(1).exec(&mut db).await?, 40);
    let n = Cell::filter_by_grp("big")
        .filter(f().opt().eq(1))
        .count()
        .exec(&mut db)
        .await?;
    assert_eq!(n, 40);
    assert_eq!(Cell::delete_by_tag(&mut db, "low").await?, 40);
    assert_eq!(Cell::filter_by_grp("big").count().exec(&mut db).await?, 110);
    let r = Cell::filter_by_grp("big").delete().exec(&mut db).await;
    if t.is_kv() {
        expect_err(r, ErrorKind::Unsupported, &["100"]);
        assert_eq!(Cell::filter_by_grp("big").count().exec(&mut db).await?, 110);
    } else {
        assert_eq!(r?, 110);
        assert_eq!(Cell::filter_by_grp("big").count().exec(&mut db).await?, 0);
    }
    Ok(())
}

/// A composite index whose second field is optional leaves out records where that field
/// is `None` (like a DynamoDB global secondary index), so on key-value backends it serves
/// only queries that also bound the second field; SQL backends serve both.
pub async fn kv_sparse_composite_index(t: &mut Test) -> Result<()> {
    #[derive(Debug, toasty::Model)]
    #[index(shop, price)]
    struct Item {
        #[key]
        id: i64,
        shop: String,
        price: Option<i64>,
    }
    let mut db = t.setup_db(toasty::models!(Item)).await?;
    toasty::create!(Item::[
        { id: 1, shop: "s", price: 5 },
        { id: 2, shop: "s" },
        { id: 3, shop: "s", price: 9 },
        { id: 4, shop: "t", price: 5 },
    ])
    .exec(&mut db)
    .await?;
    let f = Item::fields;
    let bounded = Item::filter(f().shop().eq("s").and(f().price().ge(5)))
        .order_by(f().price().desc())
        .exec(&mut db)
        .await?;
    let ids: Vec<i64> = bounded.into_iter().map(|i| i.id).collect();
    assert_eq!(ids, [3, 1]);
    let pair = Item::filter_by_shop_and_price("s", 5).exec(&mut db).await?;
    assert_eq!(pair.len(), 1);
    let whole = Item::filter(f().shop().eq("s")).count().exec(&mut db).await;
    if t.is_kv() {
        expect_needs_index(whole, "shop");
    } else {
        assert_eq!(whole?, 3, "the record with no price is included");
    }
    Ok(())
}

/// A key-value backend stores a record of at most 400 KB as DynamoDB counts it (the
/// capability's `max_item_bytes`, measured by `toasty_core::driver::item_size`): a create
/// or update that would store a larger record is `ValueOutOfRange` before anything is
/// written, the same on memdb-kv and DynamoDB; SQL backends have no such limit.
pub async fn kv_item_size_limit(t: &mut Test) -> Result<()> {
    #[derive(Debug, toasty::Model)]
    struct Doc {
        #[key]
        id: i64,
        body: String,
    }
    let mut db = t.setup_db(toasty::models!(Doc)).await?;
    // "id" + the number 1 (2 + 2 bytes) and "body" (4 bytes) + the string.
    let limit = 400_000 - 8;
    let fits = "x".repeat(limit - 1024);
    Doc::create().id(1).body(fits.clone()).exec(&mut db).await?;
    let too_big = "é".repeat(limit / 2 + 1);
    let created = Doc::create()
        .id(2)
        .body(too_big.clone())
        .exec(&mut db)
        .await;
    let updated = Doc::update_by_id(1)
        .body(too_big.clone())
        .exec(&mut db)
        .await;
    if t.is_kv() {
        expect_err(created, ErrorKind::ValueOutOfRange, &["Doc", "400 KB"]);
        expect_err(updated, ErrorKind::ValueOutOfRange, &["Doc", "400 KB"]);
        expect_err(Doc::get_by_id(&mut db, 2).await, ErrorKind::NotFound, &[]);
        assert_eq!(Doc::get_by_id(&mut db, 1).await?.body, fits);
        // One byte past the limit in a batch: nothing of the batch is written.
        let batch = Doc::create_many()
            .item(Doc::create().id(3).body("small"))
            .item(Doc::create().id(4).body("y".repeat(limit + 1)))
            .exec(&mut db)
            .await;
        expect_err(batch, ErrorKind::ValueOutOfRange, &["400 KB"]);
        expect_err(Doc::get_by_id(&mut db, 3).await, ErrorKind::NotFound, &[]);
    } else {
        created?;
        assert_eq!(updated?, 1);
        assert_eq!(Doc::get_by_id(&mut db, 2).await?.body, too_big);
        assert_eq!(Doc::get_by_id(&mut db, 1).await?.body, too_big);
    }
    Ok(())
}
