use toasty::Executor;

#[derive(Debug, toasty::Model)]
struct Acct {
    #[key]
    #[auto]
    id: u64,
    #[unique]
    name: String,
    balance: i64,
}

#[derive(Debug, toasty::Model)]
struct Tiny {
    #[key]
    #[auto]
    id: u8,
    v: i64,
}

async fn run(url: &str) -> toasty::Result<()> {
    let mut db = toasty::Db::builder()
        .models(toasty::models!(Acct, Tiny))
        .connect(url)
        .await?;
    db.push_schema().await?;
    let mut tx = db.transaction().await?;
    toasty::create!(Acct {
        name: "a",
        balance: 10
    })
    .exec(&mut tx)
    .await?;
    assert_eq!(Acct::all().count().exec(&mut tx).await?, 1);
    {
        let mut n = tx.transaction().await?;
        toasty::create!(Acct {
            name: "b",
            balance: 10
        })
        .exec(&mut n)
        .await?;
        n.rollback().await?;
    }
    {
        let mut n = tx.transaction().await?;
        toasty::create!(Acct {
            name: "c",
            balance: 10
        })
        .exec(&mut n)
        .await?;
        // dropped: rolled back lazily
    }
    let r = toasty::create!(Acct {
        name: "a",
        balance: 1
    })
    .exec(&mut tx)
    .await;
    assert!(r.unwrap_err().is_unique_violation());
    let r = Acct::all().count().exec(&mut tx).await;
    assert!(r.unwrap_err().is_transaction_aborted(), "aborted");
    tx.rollback().await?;
    assert_eq!(Acct::all().count().exec(&mut db).await?, 0);
    {
        let mut tx = db.transaction().await?;
        toasty::create!(Acct {
            name: "d",
            balance: 10
        })
        .exec(&mut tx)
        .await?;
    }
    assert_eq!(
        Acct::all().count().exec(&mut db).await?,
        0,
        "drop rolled back"
    );
    let mut tx = db.transaction().await?;
    toasty::create!(Acct {
        name: "e",
        balance: 10
    })
    .exec(&mut tx)
    .await?;
    tx.commit().await?;
    assert_eq!(Acct::all().count().exec(&mut db).await?, 1);
    let (a, b, all): (Acct, Acct, Vec<Acct>) = toasty::batch((
        toasty::create!(Acct {
            name: "f",
            balance: 1
        }),
        toasty::create!(Acct {
            name: "g",
            balance: 1
        }),
        Acct::all(),
    ))
    .exec(&mut db)
    .await?;
    assert_eq!(all.len(), 3, "{a:?} {b:?}");
    let r = toasty::batch((
        toasty::create!(Acct {
            name: "h",
            balance: 1
        }),
        toasty::create!(Acct {
            name: "e",
            balance: 1
        }),
    ))
    .exec(&mut db)
    .await;
    assert!(r.unwrap_err().is_unique_violation());
    assert_eq!(Acct::all().count().exec(&mut db).await?, 3);
    for i in 0..255 {
        toasty::create!(Tiny { v: i }).exec(&mut db).await?;
    }
    let r = toasty::create!(Tiny { v: 1 }).exec(&mut db).await;
    println!("{url}: tiny overflow: {r:?}");
    assert_eq!(Tiny::all().count().exec(&mut db).await?, 255);
    let e: &mut dyn Executor = &mut db;
    assert_eq!(Acct::filter_by_name("e").delete().exec(e).await?, 1);
    println!("{}", Acct::filter_by_name("x").explain(&db)?);
    Ok(())
}

#[tokio::test]
async fn smoke() {
    for url in ["memory:", "sqlite::memory:"] {
        run(url).await.unwrap_or_else(|e| panic!("{url}: {e}"));
    }
}
