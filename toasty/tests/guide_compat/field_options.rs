//! "Field Options", section "Explicit column types": `#[column(type = varchar(N))]` and
//! `#[column("name", type = ..)]`. Here the limit is checked by the engine on every
//! backend (SQLite included), so a longer value is `ValueOutOfRange`.

#[derive(Debug, toasty::Model)]
struct User {
    #[key]
    #[auto]
    id: u64,

    #[column(type = varchar(100))]
    name: String,

    #[column("display_name", type = varchar(10))]
    display: String,

    #[column(type = i16)]
    level: i64,
}

#[tokio::test]
async fn explicit_column_types() {
    crate::on_every_backend!(toasty::models!(User), |db| {
        let user = toasty::create!(User {
            name: "Alice",
            display: "alice",
            level: 3
        })
        .exec(&mut db)
        .await?;
        let back = User::get_by_id(&mut db, user.id).await?;
        assert_eq!(back.display, "alice");

        let err = toasty::create!(User {
            name: "x".repeat(101),
            display: "ok",
            level: 1
        })
        .exec(&mut db)
        .await
        .expect_err("101 characters in a varchar(100)");
        assert_eq!(err.kind(), toasty::ErrorKind::ValueOutOfRange, "{err}");
        let err = toasty::create!(User {
            name: "ok",
            display: "ok",
            level: 40_000
        })
        .exec(&mut db)
        .await
        .expect_err("40000 in an i16 column");
        assert_eq!(err.kind(), toasty::ErrorKind::ValueOutOfRange, "{err}");
        assert_eq!(User::all().count().exec(&mut db).await?, 1);
        Ok(())
    });
}
