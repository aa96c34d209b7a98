//! "Sorting, Limits, and Pagination": order_by, limit, offset, latest_by, paginate with
//! next/prev, cursors and `.after()` / `.before()`.

use toasty::stmt::Page;

#[derive(Debug, toasty::Model)]
struct Item {
    #[key]
    #[auto]
    id: u64,
    #[index]
    order: i64,
}

#[tokio::test]
async fn pagination() {
    crate::on_every_backend!(toasty::models!(Item), |db| {
        let mut batch = Item::create_many();
        for order in 1..=25 {
            batch = batch.item(toasty::create!(Item { order }));
        }
        batch.exec(&mut db).await?;

        let latest = Item::all()
            .latest_by(Item::fields().id())
            .limit(3)
            .exec(&mut db)
            .await?;
        assert_eq!(
            latest.iter().map(|i| i.id).collect::<Vec<_>>(),
            [25, 24, 23]
        );

        let first_page: Page<_> = Item::all()
            .order_by(Item::fields().order().asc())
            .paginate(10)
            .exec(&mut db)
            .await?;
        assert_eq!(first_page.len(), 10);
        assert!(first_page.has_next() && !first_page.has_prev());
        let second = first_page.next(&mut db).await?.expect("page 2");
        assert_eq!(second[0].order, 11);
        let back = second.prev(&mut db).await?.expect("page 1");
        assert_eq!(back[0].order, 1);

        // A cursor handed out by a page, used later.
        let cursor = second.next_cursor().expect("more pages");
        let third = Item::all()
            .order_by(Item::fields().order().asc())
            .paginate(10)
            .after(cursor)
            .exec(&mut db)
            .await?;
        assert_eq!(
            third.iter().map(|i| i.order).collect::<Vec<_>>(),
            (21..=25).collect::<Vec<_>>()
        );
        assert!(!third.has_next());

        // Starting after a value of the order_by field.
        let page = Item::all()
            .order_by(Item::fields().order().desc())
            .paginate(10)
            .after(20)
            .exec(&mut db)
            .await?;
        assert_eq!(page[0].order, 19);
        let page = Item::all()
            .order_by(Item::fields().order().asc())
            .paginate(5)
            .before(11)
            .exec(&mut db)
            .await?;
        assert_eq!(
            page.iter().map(|i| i.order).collect::<Vec<_>>(),
            [6, 7, 8, 9, 10]
        );
        Ok(())
    });
}
