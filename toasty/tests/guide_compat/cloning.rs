//! Builders are values: a query, a create and a query-based update (and the terminals
//! made from a query) can be cloned and run more than once, each clone on its own.

#[derive(Debug, toasty::Model)]
struct Item {
    #[key]
    #[auto]
    id: u64,
    #[index]
    kind: String,
    qty: i64,
}

#[tokio::test]
async fn builders_clone() {
    crate::on_every_backend!(toasty::models!(Item), |db| {
        // A create builder, cloned and changed: two records.
        let base = Item::create().kind("bolt").qty(1);
        let other = base.clone().qty(2);
        base.exec(&mut db).await?;
        other.exec(&mut db).await?;
        let many = Item::create_many().item(Item::create().kind("nut").qty(3));
        many.clone().exec(&mut db).await?;
        many.exec(&mut db).await?;

        // A query, cloned before it is refined and run.
        let bolts = Item::filter_by_kind("bolt");
        let big = bolts.clone().filter(Item::fields().qty().gt(1));
        assert_eq!(bolts.clone().exec(&mut db).await?.len(), 2);
        assert_eq!(big.exec(&mut db).await?.len(), 1);
        let count = bolts.clone().count();
        assert_eq!(count.clone().exec(&mut db).await?, 2);
        let first = bolts.clone().order_by(Item::fields().qty().asc()).first();
        assert_eq!(first.clone().exec(&mut db).await?.map(|i| i.qty), Some(1));
        let one = Item::filter_by_kind("bolt")
            .filter(Item::fields().qty().eq(2))
            .one();
        assert_eq!(one.clone().exec(&mut db).await?.qty, 2);
        let page = bolts.clone().paginate(1);
        assert_eq!(page.clone().exec(&mut db).await?.items().len(), 1);

        // A query-based update, cloned: each clone runs the update.
        let bump = Item::filter_by_kind("nut").update().qty(10);
        let again = bump.clone();
        assert_eq!(bump.exec(&mut db).await?, 2);
        assert_eq!(again.exec(&mut db).await?, 2);

        // A delete, cloned: the second run finds nothing left.
        let delete = Item::filter_by_kind("nut").delete();
        assert_eq!(delete.clone().exec(&mut db).await?, 2);
        assert_eq!(delete.exec(&mut db).await?, 0);
        assert_eq!(Item::all().count().exec(&mut db).await?, 2);
        Ok(())
    });
}
