//! End-to-end smoke test of the public API on memdb.

#[derive(Debug, toasty::Model)]
struct User {
    #[key]
    #[auto]
    id: u64,
    #[index]
    name: String,
    #[unique]
    email: String,
    age: Option<i32>,
}

#[tokio::test]
async fn crud_on_memdb() -> toasty::Result<()> {
    let mut db = toasty::Db::builder()
        .models(toasty::models!(User))
        .connect("memory:")
        .await?;
    db.push_schema().await?;

    let mut ada = toasty::create!(User {
        name: "Ada",
        email: "ada@x",
        age: 36
    })
    .exec(&mut db)
    .await?;
    assert_eq!(ada.id, 1);
    let many = toasty::create!(User::[
        { name: "Bob", email: "bob@x" },
        { name: "Cy", email: "cy@x", age: 20 },
    ])
    .exec(&mut db)
    .await?;
    assert_eq!(many.len(), 2);

    let got = User::get_by_id(&mut db, &ada.id).await?;
    assert_eq!(got.email, "ada@x");
    let got = User::get_by_email(&mut db, "bob@x").await?;
    assert_eq!(got.age, None);

    let adults = User::filter(User::fields().age().ge(21))
        .exec(&mut db)
        .await?;
    assert_eq!(adults.len(), 1);

    let ordered = User::all()
        .order_by(User::fields().age().desc())
        .exec(&mut db)
        .await?;
    let ages: Vec<_> = ordered.iter().map(|u| u.age).collect();
    assert_eq!(ages, vec![Some(36), Some(20), None]);

    toasty::update!(ada { name: "Ada L." })
        .exec(&mut db)
        .await?;
    assert_eq!(ada.name, "Ada L.");
    assert_eq!(User::get_by_id(&mut db, ada.id).await?.name, "Ada L.");

    let dup = User::create().name("X").email("ada@x").exec(&mut db).await;
    assert!(dup.unwrap_err().is_unique_violation());

    let page = User::all()
        .order_by(User::fields().name().asc())
        .paginate(2)
        .exec(&mut db)
        .await?;
    assert_eq!(page.len(), 2);
    assert!(page.has_next());
    let next = page.next(&mut db).await?.expect("second page");
    assert_eq!(next.len(), 1);
    assert!(!next.has_next());
    let back = next.prev(&mut db).await?.expect("first page again");
    assert_eq!(back[0].name, page[0].name);

    assert_eq!(User::all().count().exec(&mut db).await?, 3);
    ada.delete().exec(&mut db).await?;
    assert_eq!(User::all().count().exec(&mut db).await?, 2);
    let missing = User::get_by_id(&mut db, ada.id).await;
    assert!(missing.unwrap_err().is_not_found());
    Ok(())
}
