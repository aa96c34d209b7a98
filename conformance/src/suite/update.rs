//! Updates: `instance.update()`, `toasty::update!`, updates of every record a query
//! selects, and updating a record that no longer exists.

use super::support::expect_err;
use crate::Test;
use toasty::{ErrorKind, Result};

#[derive(Debug, toasty::Model)]
struct Account {
    #[key]
    #[auto]
    id: uuid::Uuid,
    #[index]
    owner: String,
    balance: i64,
    memo: Option<String>,
}

/// `instance.update()` changes the stored record and the local value, and nothing else.
pub async fn update_instance(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(toasty::models!(Account)).await?;
    let mut a = toasty::create!(Account {
        owner: "ann",
        balance: 10
    })
    .exec(&mut db)
    .await?;
    let other = toasty::create!(Account {
        owner: "bob",
        balance: 10
    })
    .exec(&mut db)
    .await?;
    a.update().balance(25).memo("raise").exec(&mut db).await?;
    assert_eq!((a.balance, a.memo.as_deref()), (25, Some("raise")));
    let stored = Account::get_by_id(&mut db, a.id).await?;
    assert_eq!(
        (stored.balance, stored.memo.as_deref()),
        (25, Some("raise"))
    );
    assert_eq!(stored.owner, "ann", "unassigned fields keep their value");
    assert_eq!(Account::get_by_id(&mut db, other.id).await?.balance, 10);
    Ok(())
}

/// `toasty::update!` with several fields, including setting an option to `None`; the last
/// assignment of a field wins.
pub async fn update_macro(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(toasty::models!(Account)).await?;
    let mut a = toasty::create!(Account {
        owner: "ann",
        balance: 1,
        memo: "x"
    })
    .exec(&mut db)
    .await?;
    toasty::update!(a {
        owner: "anna",
        memo: None::<String>,
        balance: 2
    })
    .exec(&mut db)
    .await?;
    assert_eq!(
        (a.owner.as_str(), a.balance, a.memo.as_deref()),
        ("anna", 2, None)
    );
    a.update().balance(3).balance(4).exec(&mut db).await?;
    assert_eq!(a.balance, 4);
    let stored = Account::get_by_id(&mut db, a.id).await?;
    assert_eq!(
        (stored.owner.as_str(), stored.balance, stored.memo),
        ("anna", 4, None)
    );
    assert_eq!(
        Account::filter_by_owner("ann")
            .count()
            .exec(&mut db)
            .await?,
        0
    );
    assert_eq!(
        Account::filter_by_owner("anna")
            .count()
            .exec(&mut db)
            .await?,
        1
    );
    Ok(())
}

/// Updating a deleted record is a not-found error and leaves the local value unchanged.
pub async fn update_deleted_record_not_found(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(toasty::models!(Account)).await?;
    let mut a = toasty::create!(Account {
        owner: "ann",
        balance: 1
    })
    .exec(&mut db)
    .await?;
    a.delete().exec(&mut db).await?;
    let r = a.update().balance(9).exec(&mut db).await;
    expect_err(r, ErrorKind::NotFound, &[]);
    assert_eq!(
        a.balance, 1,
        "the local value is not changed by a failed update"
    );
    let r = toasty::update!(a { memo: "late" }).exec(&mut db).await;
    expect_err(r, ErrorKind::NotFound, &[]);
    assert_eq!(a.memo, None);
    assert_eq!(
        Account::filter_by_owner("ann")
            .count()
            .exec(&mut db)
            .await?,
        0
    );
    Ok(())
}

/// An update with no assignments is a no-op, even for a record that is gone.
pub async fn update_with_no_assignments(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(toasty::models!(Account)).await?;
    let mut a = toasty::create!(Account {
        owner: "ann",
        balance: 1
    })
    .exec(&mut db)
    .await?;
    a.update().exec(&mut db).await?;
    assert_eq!(Account::get_by_id(&mut db, a.id).await?.balance, 1);
    Ok(())
}

/// `<Model>Update::from_query` updates every selected record and only those; a query that
/// selects nothing is not an error.
pub async fn update_query_many(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(toasty::models!(Account)).await?;
    let mut batch = Account::create_many();
    for i in 0..40 {
        let owner = if i % 2 == 0 { "even" } else { "odd" };
        batch = batch.item(Account::create().owner(owner).balance(i));
    }
    batch.exec(&mut db).await?;
    AccountUpdate::from_query(
        Account::filter_by_owner("even").filter(Account::fields().balance().ge(10)),
    )
    .memo("big")
    .exec(&mut db)
    .await?;
    let evens = Account::filter_by_owner("even").exec(&mut db).await?;
    for a in &evens {
        let want = if a.balance >= 10 { Some("big") } else { None };
        assert_eq!(a.memo.as_deref(), want, "balance {}", a.balance);
    }
    let odd_memos = Account::filter_by_owner("odd")
        .filter(Account::fields().memo().is_some())
        .count()
        .exec(&mut db)
        .await?;
    assert_eq!(odd_memos, 0);
    // The generated update_by for an index.
    Account::update_by_owner("odd")
        .balance(0)
        .exec(&mut db)
        .await?;
    let zeros = Account::filter_by_owner("odd")
        .filter(Account::fields().balance().eq(0))
        .count()
        .exec(&mut db)
        .await?;
    assert_eq!(zeros, 20);
    Account::update_by_owner("nobody")
        .balance(1)
        .exec(&mut db)
        .await?;
    Ok(())
}

/// Setting fields to the values they already have still finds the record (some databases
/// report such rows as unchanged).
pub async fn update_with_unchanged_values(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(toasty::models!(Account)).await?;
    let mut a = toasty::create!(Account {
        owner: "ann",
        balance: 5
    })
    .exec(&mut db)
    .await?;
    a.update().balance(5).exec(&mut db).await?;
    toasty::update!(a {
        owner: "ann",
        memo: None::<String>
    })
    .exec(&mut db)
    .await?;
    assert_eq!(Account::get_by_id(&mut db, a.id).await?.balance, 5);
    Ok(())
}

/// An update through a query with a limit or offset is refused (like delete) instead of
/// silently updating every match.
pub async fn update_limited_query_refused(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(toasty::models!(Account)).await?;
    toasty::create!(Account::[
        { owner: "ann", balance: 1 },
        { owner: "ann", balance: 2 },
    ])
    .exec(&mut db)
    .await?;
    let r = AccountUpdate::from_query(Account::filter_by_owner("ann").limit(1))
        .balance(9)
        .exec(&mut db)
        .await;
    expect_err(r, ErrorKind::InvalidStatement, &["limit"]);
    let r = AccountUpdate::from_query(Account::filter_by_owner("ann").offset(1))
        .balance(9)
        .exec(&mut db)
        .await;
    expect_err(r, ErrorKind::InvalidStatement, &["offset"]);
    let nines = Account::filter_by_owner("ann")
        .filter(Account::fields().balance().eq(9))
        .count()
        .exec(&mut db)
        .await?;
    assert_eq!(nines, 0, "nothing was updated");
    Ok(())
}
