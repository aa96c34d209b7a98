//! Creating records: the builder, `create!`, batches (including batches larger than a
//! key-value store accepts in one request) and the rules for omitted fields.

use super::support::expect_err;
use crate::Test;
use toasty::{ErrorKind, Result};

#[derive(Debug, toasty::Model)]
struct Gadget {
    #[key]
    #[auto]
    id: uuid::Uuid,
    #[index]
    kind: String,
    name: String,
    note: Option<String>,
}

/// `Model::create()` with setters stores the record and returns it with its generated key.
pub async fn create_with_builder(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(toasty::models!(Gadget)).await?;
    let g = Gadget::create()
        .kind("tool")
        .name("hammer")
        .exec(&mut db)
        .await?;
    assert_eq!(g.id.get_version_num(), 7, "#[auto] uuid keys are v7");
    assert_eq!((g.kind.as_str(), g.name.as_str()), ("tool", "hammer"));
    assert_eq!(g.note, None, "an omitted optional field is None");
    let back = Gadget::get_by_id(&mut db, g.id).await?;
    assert_eq!((back.name, back.note), ("hammer".to_string(), None));
    Ok(())
}

/// `toasty::create!` with struct-literal syntax, including an optional field.
pub async fn create_with_macro(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(toasty::models!(Gadget)).await?;
    let g = toasty::create!(Gadget {
        kind: "tool",
        name: "saw",
        note: "sharp",
    })
    .exec(&mut db)
    .await?;
    assert_eq!(g.note.as_deref(), Some("sharp"));
    let back = Gadget::get_by_id(&mut db, &g.id).await?;
    assert_eq!(back.note.as_deref(), Some("sharp"));
    assert_eq!(back.name, "saw");
    Ok(())
}

/// `toasty::create!(Model::[..])` creates every record, returned in input order.
pub async fn create_batch_with_macro(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(toasty::models!(Gadget)).await?;
    let made = toasty::create!(Gadget::[
        { kind: "k", name: "a" },
        { kind: "k", name: "b", note: "x" },
        { kind: "other", name: "c" },
    ])
    .exec(&mut db)
    .await?;
    let names: Vec<&str> = made.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(names, ["a", "b", "c"]);
    assert_ne!(made[0].id, made[1].id);
    assert_eq!(made[1].note.as_deref(), Some("x"));
    let k = Gadget::filter_by_kind("k").exec(&mut db).await?;
    assert_eq!(k.len(), 2);
    Ok(())
}

/// A batch of 150 records (more than the 100 a key-value store takes at once) is stored
/// completely.
pub async fn create_batch_of_150(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(toasty::models!(Gadget)).await?;
    let batch_of = |n: usize| {
        let mut batch = Gadget::create_many();
        for i in 0..n {
            batch = batch.item(Gadget::create().kind("bulk").name(format!("g{i:03}")));
        }
        batch
    };
    if t.is_kv() {
        // One atomic write on a key-value store holds at most 100 items: a larger batch
        // is refused whole, before anything is written.
        let r = batch_of(150).exec(&mut db).await;
        expect_err(r, ErrorKind::Unsupported, &["100", "split"]);
        assert_eq!(
            Gadget::filter_by_kind("bulk").count().exec(&mut db).await?,
            0
        );
        let made = batch_of(100).exec(&mut db).await?;
        assert_eq!(made.len(), 100);
        assert_eq!(
            Gadget::filter_by_kind("bulk").count().exec(&mut db).await?,
            100
        );
        return Ok(());
    }
    let made = batch_of(150).exec(&mut db).await?;
    assert_eq!(made.len(), 150);
    assert_eq!(made[149].name, "g149");
    assert_eq!(
        Gadget::filter_by_kind("bulk").count().exec(&mut db).await?,
        150
    );
    let mut names: Vec<String> = Gadget::filter_by_kind("bulk")
        .exec(&mut db)
        .await?
        .into_iter()
        .map(|g| g.name)
        .collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 150);
    Ok(())
}

/// An empty batch is a no-op that returns no records.
pub async fn create_empty_batch(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(toasty::models!(Gadget)).await?;
    let made = Gadget::create_many().exec(&mut db).await?;
    assert!(made.is_empty());
    Ok(())
}

/// Omitting a required field is an `InvalidStatement` error naming the field; nothing is
/// stored.
pub async fn create_missing_required_field(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(toasty::models!(Gadget)).await?;
    let r = Gadget::create().kind("k").exec(&mut db).await;
    expect_err(r, ErrorKind::InvalidStatement, &["name"]);
    assert_eq!(Gadget::filter_by_kind("k").count().exec(&mut db).await?, 0);
    Ok(())
}

/// Raw-identifier fields (`r#type`) get accessors, setters and index methods named after
/// the plain name.
pub async fn create_raw_identifier_fields(t: &mut Test) -> Result<()> {
    #[derive(Debug, toasty::Model)]
    struct Token {
        #[key]
        #[auto]
        id: uuid::Uuid,
        #[index]
        r#type: String,
        r#ref: Option<i64>,
    }
    let mut db = t.setup_db(toasty::models!(Token)).await?;
    let a = toasty::create!(Token {
        r#type: "t",
        r#ref: 1
    })
    .exec(&mut db)
    .await?;
    Token::create().r#type("u").exec(&mut db).await?;
    let got = Token::filter_by_type("t").get(&mut db).await?;
    assert_eq!((got.id, got.r#ref), (a.id, Some(1)));
    let n = Token::filter_by_type("u")
        .filter(Token::fields().r#ref().is_none())
        .count()
        .exec(&mut db)
        .await?;
    assert_eq!(n, 1);
    Token::update_by_type("u").r#ref(2).exec(&mut db).await?;
    Token::delete_by_type(&mut db, "t").await?;
    let left = Token::filter_by_type("u").get(&mut db).await?;
    assert_eq!(left.r#ref, Some(2));
    assert_eq!(db.schema().db.tables[0].columns[1].name, "type");
    Ok(())
}
